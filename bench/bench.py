#!/usr/bin/env python3
"""Benchmark: `profile-export build` against its floor (reading and parsing only) and a Python baseline.

    python3 bench/bench.py [--sizes 1000,10000,100000] [--runs 3] [--work /tmp/profile-export-bench]
                           [--baseline-max 10000] [--python PYTHON] [--binary PATH] [--dry]

For each size N (profiles) it generates the input once with the synthetic generator
(`cargo run --release --example generate -- N 42 DIR`, kept in the work folder and reused while N and
the seed are the same), then runs, alternating and `--runs` times each (the median is reported):

- ours:     `profile-export build --input DIR --output OUT --quiet`
- floor:    `profile-export check --input DIR --parse-only` (only reads and parses every file)
- baseline: `python3 bench/baseline.py --input DIR --output OUT2` (PyYAML C loader, jsonschema,
            pandas, pyarrow; see its docstring), skipped above `--baseline-max` profiles.

Each child is started with `subprocess.Popen` and reaped with `os.wait4`, which gives its wall time
and its own peak resident set (`ru_maxrss`; for the baseline, the largest of its processes, since
Linux folds reaped pool workers in as a maximum, not a sum). The whole process tree is also sampled
from /proc every 50 ms, which adds the pool workers up. It writes `bench/RESULTS.md` (a table per
size, the ratios, the exact commands, the machine and the commit) and prints it.

The baseline needs its packages: `python3 -m venv /tmp/profile-export-bench-venv &&
/tmp/profile-export-bench-venv/bin/pip install -r bench/requirements.txt`, then
`--python /tmp/profile-export-bench-venv/bin/python` (the default is `.venv/bin/python` when it has
them, else this interpreter).

A quick end-to-end try: `python3 bench/bench.py --sizes 200 --runs 1`. `--dry` prints the plan
and the commands without generating or running anything.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------------------------------
# The commands, easy to edit. Placeholders: {binary} {python} {repo} {input} {output} {n} {seed} {dir}.
# `--quiet` and `--parse-only` may not exist in every build of profile-export: edit here (or pass
# --ours-cmd / --floor-cmd / --baseline-cmd) to benchmark an older binary.
GENERATE = "cargo run --release --quiet --example generate -- {n} {seed} {dir}"
COMMANDS = {
    "ours": "{binary} build --input {input} --output {output} --quiet",
    "floor": "{binary} check --input {input} --parse-only",
    # Without validating its own JSON output against the published schema (ours does): that halves
    # its time, so the comparison favours the baseline.
    "baseline": "{python} {repo}/bench/baseline.py --input {input} --output {output} --no-output-validation",
}
# --------------------------------------------------------------------------------------------------

MB = 1_000_000  # sizes are in MB of 10^6 bytes
SAMPLE_SECONDS = 0.05


def sh(args: list[str], cwd: Path | None = None) -> str:
    try:
        return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    commit = sh(["git", "rev-parse", "HEAD"], REPO) or "unknown"
    dirty = sh(["git", "status", "--porcelain", "--untracked-files=no"], REPO)
    return {
        "nproc": sh(["nproc"]) or str(os.cpu_count()),
        "memory": memory,
        "cpu": cpu,
        "kernel": platform.release(),
        "commit": commit + (" (with uncommitted changes)" if dirty else ""),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants, from /proc."""
    total, stack, seen = 0, [pid], set()
    page = os.sysconf("SC_PAGE_SIZE")
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            with open(f"/proc/{current}/statm") as f:
                total += int(f.read().split()[1]) * page
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    stack.extend(int(child) for child in f.read().split())
        except (OSError, ValueError):
            continue
    return total


def measure(argv: list[str], log: Path, env: dict | None = None) -> dict:
    """Runs one command; its wall time, exit code, peak RSS (wait4) and sampled tree peak RSS."""
    # The peak RSS comes from /usr/bin/time, a small process between this script and the command:
    # Linux carries a process's peak RSS across exec, so a command forked straight from this script
    # would report at least this script's own RSS as its peak.
    peak_file = log.with_suffix(".maxrss")
    argv = ["/usr/bin/time", "-f", "%M", "-o", str(peak_file), *argv]
    with open(log, "wb") as out:
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=REPO, env=env)
        peak_tree = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak_tree
            while not done.wait(SAMPLE_SECONDS):
                peak_tree = max(peak_tree, tree_rss(child.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen from waiting
    try:
        peak = int(peak_file.read_text().split()[-1]) * 1024  # kilobytes
    except (OSError, ValueError, IndexError):
        peak = 0
    return {
        "wall": wall,
        "code": child.returncode,
        "rss": peak,
        "tree_rss": max(peak_tree, peak),
        "user": usage.ru_utime,
        "sys": usage.ru_stime,
    }


def input_bytes(folder: Path) -> tuple[int, int]:
    """Total size and number of files of a folder."""
    total = files = 0
    for root, _, names in os.walk(folder):
        for name in names:
            total += os.path.getsize(os.path.join(root, name))
            files += 1
    return total, files


def generate(n: int, seed: int, work: Path, template: str, dry: bool) -> Path:
    folder = work / f"input-{n}"
    marker = work / f"input-{n}.generated"
    wanted = f"profiles={n} seed={seed}\n"
    if marker.exists() and marker.read_text() == wanted and (folder / "dataset.yaml").exists():
        print(f"reusing {folder} ({n} profiles, seed {seed})", file=sys.stderr)
        return folder
    command = template.format(n=n, seed=seed, dir=shlex.quote(str(folder)))
    print(f"generating {n} profiles: {command}", file=sys.stderr)
    if dry:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    marker.unlink(missing_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    subprocess.run(command, shell=True, cwd=REPO, check=True)
    marker.write_text(wanted)
    return folder


def digest(folder: Path) -> str | None:
    """One hash of the CSV files and json/profiles.json of an output folder."""
    files = sorted((folder / "csv").glob("*.csv")) + [folder / "json" / "profiles.json"]
    if not all(f.exists() for f in files):
        return None
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode())
        with open(f, "rb") as data:  # in pieces: profiles.json is gigabytes at 100,000 profiles
            while chunk := data.read(1 << 20):
                h.update(chunk)
    return h.hexdigest()


def fmt_mb(n_bytes: float) -> str:
    return f"{n_bytes / MB:,.1f}"


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}×" if a and b else "–"


def run_size(n: int, args, work: Path, earlier: list[dict]) -> dict:
    folder = generate(n, args.seed, work, args.generate_cmd, args.dry)
    size, files = input_bytes(folder) if folder.exists() else (0, 0)
    values = {
        "binary": shlex.quote(str(args.binary)),
        "python": shlex.quote(str(args.python)),
        "repo": shlex.quote(str(REPO)),
        "input": shlex.quote(str(folder)),
    }
    commands = {}
    for name, template in (("ours", args.ours_cmd), ("floor", args.floor_cmd), ("baseline", args.baseline_cmd)):
        output = work / f"output-{name}-{n}"
        commands[name] = (template.format(**values, output=shlex.quote(str(output))), output)
    skipped = {}
    if n > args.baseline_max:
        reason = (
            f"skipped: {n:,} profiles is above --baseline-max {args.baseline_max:,}. The baseline keeps every "
            f"parsed file, row and document as Python objects until it writes, which at 100,000 profiles "
            f"needs more memory than this machine has"
        )
        measured = [(r["n"], summarize(r["runs"].get("baseline", []))) for r in earlier]
        measured = [(m, s) for m, s in measured if s]
        if measured:
            m, s = max(measured, key=lambda x: x[0])
            reason += f" (its tree RSS at {m:,} profiles, scaled linearly: {s['tree_rss'] / m * n / 2**30:,.1f} GiB)"
        skipped["baseline"] = reason
    result = {"n": n, "bytes": size, "files": files, "commands": {k: v[0] for k, v in commands.items()}, "skipped": skipped, "runs": {}}
    if args.dry:
        return result
    names = [name for name in ("ours", "floor", "baseline") if name not in skipped]
    runs = args.runs if n <= args.large else args.large_runs
    result["runs_planned"] = runs
    for run in range(runs):
        order = names[run % len(names):] + names[: run % len(names)]  # alternate, rotating who goes first
        for name in order:
            if name == "baseline" and run >= args.baseline_runs:
                continue
            command, output = commands[name]
            shutil.rmtree(output, ignore_errors=True)
            log = work / f"log-{name}-{n}-{run + 1}.txt"
            print(f"[{n} profiles, run {run + 1}/{runs}] {name}: {command}", file=sys.stderr)
            m = measure(shlex.split(command), log)
            print(f"    {m['wall']:.2f} s, exit {m['code']}, peak RSS {fmt_mb(m['rss'])} MB", file=sys.stderr)
            if m["code"] != 0:
                logged = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
                errors = [line for line in logged if "error" in line.lower()]
                m["error"] = (errors or logged[-1:] or ["no output"])[0]
            result["runs"].setdefault(name, []).append(m)
    ours_digest, baseline_digest = digest(commands["ours"][1]), digest(commands["baseline"][1])
    if ours_digest and baseline_digest:
        result["same_output"] = ours_digest == baseline_digest
    return result


def summarize(runs: list[dict]) -> dict | None:
    good = [r for r in runs if r["code"] == 0]
    if not good:
        return None
    return {
        "wall": statistics.median(r["wall"] for r in good),
        "min": min(r["wall"] for r in good),
        "max": max(r["wall"] for r in good),
        "rss": statistics.median(r["rss"] for r in good),
        "tree_rss": statistics.median(r["tree_rss"] for r in good),
        "cpu": statistics.median(r["user"] + r["sys"] for r in good),
        "count": len(good),
    }


def report(results: list[dict], args, env: dict, versions: dict) -> str:
    lines = ["# Benchmark: profile-export against its floor and a Python baseline", ""]
    lines.append(
        f"Generated by `bench/bench.py` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
        f"{args.runs} run{'s' if args.runs != 1 else ''} of each command per size ({args.baseline_runs} of the baseline; {args.large_runs} of each above {args.large:,} profiles), alternating; the median is reported."
    )
    lines += [
        "",
        "- **ours**: `profile-export build` (check, then write Parquet, CSV, JSON, datapackage.json, data dictionary).",
        "- **floor**: `profile-export check --parse-only`: only reads and parses every file, the least any tool must do.",
        "- **baseline**: `bench/baseline.py`, the same job in Python (PyYAML's C loader, jsonschema, pandas, pyarrow, a",
        "  process pool over every core); it writes the same 12 tables and json/profiles.json, without datapackage.json",
        "  and the data dictionary. It runs with `--no-output-validation`: unlike ours it does not validate its JSON",
        "  documents against schema/profiles.schema.json, which would double its time (`--timings` shows its phases).",
        "",
        "Wall time is the median of the runs (min–max beside it). Peak RSS is the command's own peak from `/usr/bin/time -f %M`",
        "(for the baseline, the largest single process of its pool); *tree RSS* is the peak of the whole process tree,",
        "sampled every 50 ms, which adds the baseline's pool workers up. Input MB are 10^6 bytes of YAML; MB/s is",
        "input MB over wall time; µs/profile is wall time over profiles (each profile has 1 to 3 revision files).",
        "",
    ]
    for result in results:
        n = result["n"]
        lines.append(f"## {n:,} profiles")
        lines.append("")
        if result["files"]:
            lines.append(f"Input: {result['files']:,} files, {fmt_mb(result['bytes'])} MB (`{args.work}/input-{n}`, seed {args.seed}).")
        else:
            lines.append(f"Input: `{args.work}/input-{n}`, seed {args.seed} (not generated yet).")
        lines.append("")
        if args.dry:
            for name, command in result["commands"].items():
                lines.append(f"- {name}: `{command}`" + (f" ({result['skipped'][name]})" if name in result["skipped"] else ""))
            lines.append("")
            continue
        lines.append("| command | wall s (median) | min–max s | CPU s | peak RSS MB | tree RSS MB | RSS / input | MB/s | µs/profile |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        stats = {}
        for name in ("ours", "floor", "baseline"):
            if name in result["skipped"]:
                lines.append(f"| {name} | {result['skipped'][name]} |  |  |  |  |  |  |  |")
                continue
            runs = result["runs"].get(name, [])
            s = summarize(runs)
            stats[name] = s
            if s is None:
                error = next((r.get("error", "") for r in runs), "")
                code = runs[0]["code"] if runs else "?"
                lines.append(f"| {name} | failed (exit {code}): {error.replace('|', '/')} |  |  |  |  |  |  |  |")
                continue
            mb_s = result["bytes"] / MB / s["wall"] if s["wall"] else 0
            lines.append(
                f"| {name} | {s['wall']:.2f} | {s['min']:.2f}–{s['max']:.2f} | {s['cpu']:.2f} | {fmt_mb(s['rss'])} | "
                f"{fmt_mb(s['tree_rss'])} | {s['rss'] / result['bytes']:.2f} | {mb_s:,.1f} | {s['wall'] / n * 1e6:,.0f} |"
            )
        lines.append("")
        ours, floor, baseline = stats.get("ours"), stats.get("floor"), stats.get("baseline")
        lines.append(
            f"Ratios: baseline/ours wall {ratio(baseline and baseline['wall'], ours and ours['wall'])}, "
            f"peak RSS {ratio(baseline and baseline['rss'], ours and ours['rss'])}, "
            f"tree RSS {ratio(baseline and baseline['tree_rss'], ours and ours['tree_rss'])}; "
            f"ours/floor wall {ratio(ours and ours['wall'], floor and floor['wall'])}."
        )
        if "same_output" in result:
            lines.append("")
            lines.append(
                "CSV files and json/profiles.json of ours and the baseline: "
                + ("byte-identical." if result["same_output"] else "**they differ** (compare the two output folders).")
            )
        lines.append("")
        lines.append("Commands:")
        lines.append("")
        lines.append("```sh")
        for name, command in result["commands"].items():
            lines.append(command)
        lines.append("```")
        lines.append("")
    lines += [
        "## Machine",
        "",
        f"- CPU: {env['cpu']}, `nproc` {env['nproc']}",
        f"- memory: {env['memory']}",
        f"- kernel: Linux {env['kernel']}",
        f"- load average when the benchmark started: {env['load']} (the machine may be shared)",
        f"- commit: {env['commit']}",
        f"- profile-export: {versions['binary']}",
        f"- baseline Python: {versions['python']}",
        f"- input generator: `{args.generate_cmd}`",
        f"- invocation: `python3 bench/bench.py {' '.join(shlex.quote(a) for a in sys.argv[1:])}`",
        "",
    ]
    return "\n".join(lines)


def default_python() -> str:
    venv = REPO / ".venv" / "bin" / "python"
    for candidate in (venv, Path(sys.executable)):
        if candidate.exists() and subprocess.run(
            [str(candidate), "-c", "import yaml, jsonschema, pandas, pyarrow, pycountry"], capture_output=True
        ).returncode == 0:
            return str(candidate)
    return sys.executable


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="numbers of profiles, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs of each command per size (median reported)")
    parser.add_argument("--large", type=int, default=10000, help="sizes above this get --large-runs runs")
    parser.add_argument("--large-runs", type=int, default=1, help="runs of each command at the large sizes")
    parser.add_argument("--work", type=Path, default=Path("/tmp/profile-export-bench"), help="where inputs and outputs go")
    parser.add_argument("--baseline-runs", type=int, default=None, help="runs of the baseline per size (default: --runs); it is slow")
    parser.add_argument("--baseline-max", type=int, default=10000, help="largest size the baseline runs at")
    parser.add_argument("--seed", type=int, default=42, help="seed of the generator")
    parser.add_argument("--binary", type=Path, default=REPO / "target" / "release" / "profile-export")
    parser.add_argument("--python", default=None, help="interpreter with bench/requirements.txt installed")
    parser.add_argument("--results", type=Path, default=REPO / "bench" / "RESULTS.md", help="where to write the report")
    parser.add_argument("--generate-cmd", default=GENERATE, help="command template of the generator")
    parser.add_argument("--ours-cmd", default=COMMANDS["ours"])
    parser.add_argument("--floor-cmd", default=COMMANDS["floor"])
    parser.add_argument("--baseline-cmd", default=COMMANDS["baseline"])
    parser.add_argument("--dry", action="store_true", help="print the plan and the commands; generate and run nothing")
    args = parser.parse_args()
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    args.python = args.python or default_python()
    args.work = args.work.resolve()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.baseline_runs is None:
        args.baseline_runs = args.runs

    if not args.dry:
        if not args.binary.exists():
            print(f"error: {args.binary} does not exist: `cargo build --release` first, or pass --binary", file=sys.stderr)
            return 2
        if any(n <= args.baseline_max for n in args.sizes):
            check = subprocess.run([args.python, "-c", "import yaml, jsonschema, pandas, pyarrow, pycountry"], capture_output=True, text=True)
            if check.returncode != 0:
                print(f"error: {args.python} lacks the baseline's packages: pip install -r bench/requirements.txt\n{check.stderr}", file=sys.stderr)
                return 2
        args.work.mkdir(parents=True, exist_ok=True)

    env = machine()
    versions = {
        "binary": sh([str(args.binary), "--version"]) or str(args.binary),
        "python": sh([args.python, "-c", "import sys, yaml, jsonschema, pandas, pyarrow; from importlib.metadata import version as v; "
                      "print(f'Python {sys.version.split()[0]}, PyYAML {yaml.__version__} (C loader: {yaml.__with_libyaml__}), "
                      "jsonschema {v(\"jsonschema\")}, pandas {pandas.__version__}, pyarrow {pyarrow.__version__}')"]) or args.python,
    }
    results = []
    for n in args.sizes:
        results.append(run_size(n, args, args.work, results))
        text = report(results, args, env, versions)
        if not args.dry:
            args.results.write_text(text)  # written after each size, so a long run leaves what it has
    text = report(results, args, env, versions)
    if not args.dry:
        args.results.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
