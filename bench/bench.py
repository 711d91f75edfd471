#!/usr/bin/env python3
"""Benchmark: `profile-export build` against full checking, its floor, a yardstick and a Python baseline.

    python3 bench/bench.py [--sizes 1000,10000,100000] [--runs 3] [--only ours,check,floor,yardstick,baseline]
                           [--relations 7500,15000,30000 | --no-relations] [--work /tmp/profile-export-bench]
                           [--baseline-max 10000] [--python PYTHON] [--binary PATH] [--results PATH] [--dry]

For each size N (profiles) it generates the input once with the synthetic generator
(`examples/generate.rs`: the built `target/release/examples/generate` beside --binary when it exists,
else `cargo run --release --example generate`; kept in the work folder and reused while N and the
seed are the same), then runs, alternating and `--runs` times each (the median is reported):

- ours:      `profile-export build --input DIR --output OUT --quiet` (every format)
- check:     `profile-export check --input DIR` (every rule, nothing written)
- floor:     `profile-export check --input DIR --parse-only` (only reads and parses every file)
- yardstick: `python3 bench/yardstick.py --input DIR`: PyYAML's C loader parsing every file on every
             core (a process pool of os.cpu_count() workers) and doing nothing else
- baseline:  `python3 bench/baseline.py --input DIR --output OUT2` (PyYAML C loader, jsonschema,
             pandas, pyarrow; see its docstring), skipped above `--baseline-max` profiles.

Then the linear-cost check (`--relations`, skipped with `--no-relations`): for each count R, one
profile with two revisions of R relations each (about a third of them removed, changed or added in
the second), generated here and checked with `profile-export check` before it is timed; it times
`build` and `diff <profile>` and reports the cost per relation and how it grows.

Each child runs under `/usr/bin/time -f %M` (its own peak resident set: Linux carries a process's peak
RSS across exec, so a child forked straight from this script would report at least this script's);
wall time and CPU time come from `os.wait4`, and the whole process tree is sampled from /proc every
50 ms, which adds pool workers up. It writes `bench/RESULTS.md` (the machine, the targets of issues 29 and 12
with met / not met, a table per size, the ratios, the exact commands) and prints it.

The Python commands need their packages: `python3 -m venv /tmp/pe-bench-venv &&
/tmp/pe-bench-venv/bin/pip install -r bench/requirements.txt`, then `--python
/tmp/pe-bench-venv/bin/python` (the default is `.venv/bin/python` when it has them, else this
interpreter).

A quick end-to-end try: `python3 bench/bench.py --sizes 50 --runs 1 --relations 500,1000 --results
/tmp/r.md`. `--dry` prints the plan and the commands without generating or running anything.
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
# The commands, easy to edit. Placeholders: {binary} {python} {repo} {input} {output} {profile}.
# `--quiet` and `--parse-only` may not exist in every build of profile-export: edit here (or pass
# --ours-cmd, --check-cmd, ...) to benchmark an older binary.
GENERATE = "cargo run --release --quiet --example generate -- {n} {seed} {dir}"
COMMANDS = {
    "ours": "{binary} build --input {input} --output {output} --quiet",
    # The formats whose cost is not bounded by a workbook's XML and deflate or a database's b-trees.
    "lean": "{binary} build --input {input} --output {output} --quiet --format json,csv,parquet",
    "check": "{binary} check --input {input} --quiet",
    "floor": "{binary} check --input {input} --parse-only --quiet",
    "yardstick": "{python} {repo}/bench/yardstick.py --input {input}",
    # Without validating its own JSON output against the published schema: ours does not either
    # (its documents match the schema by construction), and validating would halve its speed.
    "baseline": "{python} {repo}/bench/baseline.py --input {input} --output {output} --no-output-validation",
}
NAMES = tuple(COMMANDS)
WRITES = {"ours", "lean", "baseline"}  # the commands that take {output}
RELATION_COMMANDS = {
    "build": "{binary} build --input {input} --output {output} --quiet",
    "diff": "{binary} diff {profile} --input {input} --quiet",
}
DESCRIPTIONS = {
    "ours": "`profile-export build`: checks everything and writes every format in the same pass (Parquet, CSV, "
    "JSON, xlsx, SQLite, datapackage.json, the data dictionary).",
    "lean": "`profile-export build --format json,csv,parquet`: the same without the workbook and the database, "
    "the two formats whose writing costs more than the checking (`bench/PROFILE.md` shows where the time goes).",
    "check": "`profile-export check`: every rule of every file and across files, nothing written.",
    "floor": "`profile-export check --parse-only`: only reads and parses every file, the least any tool must do.",
    "yardstick": "`bench/yardstick.py`: PyYAML's C loader (`yaml.CSafeLoader`) parsing every file of profiles/ and "
    "dataset.yaml on every core (a `multiprocessing.Pool` of `os.cpu_count()` workers) and doing nothing else.",
    "baseline": "`bench/baseline.py`: the same job in Python (PyYAML's C loader, jsonschema, pandas, pyarrow, a process "
    "pool over every core). It writes the 12 tables as CSV and Parquet and json/profiles.jsonl, without xlsx, SQLite, "
    "datapackage.json and the data dictionary, and runs with `--no-output-validation`: like ours it does not "
    "validate its JSON documents one by one against schema/profiles.schema.json, which would double its time.",
}
# --------------------------------------------------------------------------------------------------

MB = 1_000_000  # sizes are in MB of 10^6 bytes
SAMPLE_SECONDS = 0.05
RELATION_PROFILE = "relations-bench"
RELATION_ORGANIZATIONS = 200  # objects of the relations; the predicate varies too, so keys stay unique
RELATIONS_FORMAT = "relations v1"  # bump when the generated relation files change


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
        "date": f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
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


def measure(argv: list[str], log: Path) -> dict:
    """Runs one command; its wall time, exit code, CPU time, peak RSS and sampled tree peak RSS."""
    # The peak RSS comes from /usr/bin/time, a small process between this script and the command:
    # Linux carries a process's peak RSS across exec, so a command forked straight from this script
    # would report at least this script's own RSS as its peak.
    peak_file = log.with_suffix(".maxrss")
    peak_file.unlink(missing_ok=True)
    argv = ["/usr/bin/time", "-f", "%M", "-o", str(peak_file), *argv]
    with open(log, "wb") as out:
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
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
    result = {
        "wall": wall,
        "code": child.returncode,
        "rss": peak,
        "tree_rss": max(peak_tree, peak),
        "user": usage.ru_utime,
        "sys": usage.ru_stime,
    }
    if result["code"] != 0:
        logged = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
        logged = [line for line in logged if not line.startswith("Command exited with non-zero status")]
        errors = [line for line in logged if "error" in line.lower()]
        result["error"] = (errors or logged[-1:] or ["no output"])[0]
    return result


def folder_size(folder: Path) -> tuple[int, int]:
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


# --------------------------------------------------------------------------------------------------
# The linear-cost input: one profile, two revisions of `count` relations each.


def relation_key(index: int) -> tuple[str, str]:
    """Predicate and object of relation `index`: the pair is unique, so is the claim key."""
    return f"relation_{index // RELATION_ORGANIZATIONS}", f"org-{index % RELATION_ORGANIZATIONS}"


def relation_revision(count: int, updated: str, second: bool) -> str:
    """A revision of the relations profile. The second revision drops every sixth relation of the
    first (i % 6 == 0), changes a field of another sixth (i % 12 == 1: the description, i % 12 == 7:
    the start date) and adds as many new relations as it dropped: a third of the first revision's
    relations are removed or changed, and the count stays `count`."""
    out = [
        f"profile: {RELATION_PROFILE}",
        f"updated: {updated}",
        'name: "Relations Benchmark Inc."',
        f'summary: "A synthetic profile of {count} relations, for the linear-cost check of bench/bench.py."',
        "sources:",
    ]
    for source in range(1, 6):
        out.append(
            f'  - {{id: s{source}, title: "Source {source} of the relations benchmark", '
            f'url: "https://example.org/{RELATION_PROFILE}/{source}", published: 2020-0{source}}}'
        )
    out.append("organizations:")
    for org in range(RELATION_ORGANIZATIONS):
        out.append(f'  - {{id: org-{org}, name: "Organization {org}", kind: company, country: US, sources: [s1]}}')
    out.append("relations:")
    removed = len(range(0, count, 6))
    indices = range(count) if not second else [i for i in range(count) if i % 6 != 0] + list(range(count, count + removed))
    for i in indices:
        predicate, obj = relation_key(i)
        year = 2000 + i % 20
        description = f"Relation {i}: the company works with organization {i % RELATION_ORGANIZATIONS}."
        if second and i < count and i % 12 == 1:
            description = f"Relation {i}, described anew in the second revision."
        if second and i < count and i % 12 == 7:
            year += 1
        out.append(
            f"  - {{subject: {RELATION_PROFILE}, predicate: {predicate}, object: {obj}, "
            f'start: {year}-{1 + i % 12:02d}, description: "{description}", sources: [s{1 + i % 5}]}}'
        )
    return "\n".join(out) + "\n"


def generate_relations(count: int, work: Path, dry: bool) -> Path:
    folder = work / f"relations-{count}"
    marker = work / f"relations-{count}.generated"
    wanted = f"{RELATIONS_FORMAT} count={count}\n"
    if marker.exists() and marker.read_text() == wanted and (folder / "dataset.yaml").exists():
        print(f"reusing {folder} ({count} relations a revision)", file=sys.stderr)
        return folder
    print(f"generating one profile with two revisions of {count} relations into {folder}", file=sys.stderr)
    if dry:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    marker.unlink(missing_ok=True)
    profile = folder / "profiles" / RELATION_PROFILE
    profile.mkdir(parents=True)
    (folder / "dataset.yaml").write_text(
        'name: relations\ntitle: "Linear-cost check of bench/bench.py"\nversion: "1"\nlicense: CC0-1.0\n'
    )
    (profile / "2020-01-15.yaml").write_text(relation_revision(count, "2020-01-15", False))
    (profile / "2021-01-15.yaml").write_text(relation_revision(count, "2021-01-15", True))
    marker.write_text(wanted)
    return folder


# --------------------------------------------------------------------------------------------------
# Outputs.


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as data:  # in pieces: outputs are gigabytes at 100,000 profiles
        while chunk := data.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def json_output(folder: Path) -> Path | None:
    """The JSON documents of an output folder: json/profiles.jsonl (JSON Lines), else the older
    json/profiles.json (one array)."""
    for name in ("profiles.jsonl", "profiles.json"):
        if (folder / "json" / name).is_file():
            return folder / "json" / name
    return None


def compare_outputs(ours: Path, baseline: Path) -> dict | None:
    """The CSV files of the two, byte for byte; the JSON documents only if they have the same shape."""
    if not (ours / "csv").is_dir() or not (baseline / "csv").is_dir():
        return None
    names = sorted({p.name for p in (ours / "csv").glob("*.csv")} | {p.name for p in (baseline / "csv").glob("*.csv")})
    same, differ, missing = [], [], []
    for name in names:
        a, b = ours / "csv" / name, baseline / "csv" / name
        if not a.exists() or not b.exists():
            missing.append(f"{name} (only in {'ours' if a.exists() else 'the baseline'})")
        elif a.stat().st_size == b.stat().st_size and file_hash(a) == file_hash(b):
            same.append(name)
        else:
            differ.append(name)
    ja, jb = json_output(ours), json_output(baseline)
    if ja is None or jb is None:
        json_note = "not compared: " + ("ours" if ja is None else "the baseline") + " wrote no JSON documents"
    elif ja.name != jb.name:
        json_note = f"not compared: they differ in shape (ours json/{ja.name}, the baseline json/{jb.name})"
    else:
        identical = ja.stat().st_size == jb.stat().st_size and file_hash(ja) == file_hash(jb)
        json_note = (
            f"json/{ja.name} is byte-identical"
            if identical
            else f"json/{ja.name} differs, as expected: the baseline's documents are not meant to match ours "
            "(it lists the dataset-wide sources of each entity and keeps the older, fuller document); not compared further"
        )
    return {"same": same, "differ": differ, "missing": missing, "json": json_note}


# --------------------------------------------------------------------------------------------------
# Running.


def alternate(names: list[str], runs: int, limit: dict[str, int]) -> list[tuple[int, str]]:
    """The order of the runs: every command once per round, rotating who goes first."""
    plan = []
    for run in range(runs):
        order = names[run % len(names):] + names[: run % len(names)] if names else []
        plan.extend((run, name) for name in order if run < limit.get(name, runs))
    return plan


def remove_outputs(work: Path) -> None:
    """Removes the datasets earlier runs wrote into `work` (`output-<command>-<profiles>`, the
    script's own names). At 100,000 profiles they take 27 GB: left in the page cache, every later
    build waits for the kernel to reclaim it (a 10,000-profile build took 28 to 41 s against 24 s
    once they were gone)."""
    for folder in sorted(work.glob("output-*")):
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)


def run_size(n: int, args, earlier: list[dict]) -> dict:
    work = args.work
    folder = generate(n, args.seed, work, args.generate_cmd, args.dry)
    size, files = folder_size(folder) if folder.exists() else (0, 0)
    values = {
        "binary": shlex.quote(str(args.binary)),
        "python": shlex.quote(str(args.python)),
        "repo": shlex.quote(str(REPO)),
        "input": shlex.quote(str(folder)),
    }
    commands, outputs = {}, {}
    for name in args.only:
        outputs[name] = work / f"output-{name}-{n}"
        commands[name] = args.templates[name].format(**values, output=shlex.quote(str(outputs[name])))
    skipped = {}
    if "baseline" in commands and n > args.baseline_max:
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
    runs = args.runs if n <= args.large else args.large_runs
    result = {"n": n, "bytes": size, "files": files, "commands": commands, "skipped": skipped, "runs": {}, "runs_planned": runs}
    if args.dry:
        return result
    names = [name for name in args.only if name not in skipped]
    plan = alternate(names, runs, {"baseline": args.baseline_runs})
    for step, (run, name) in enumerate(plan, 1):
        if name in outputs:
            shutil.rmtree(outputs[name], ignore_errors=True)
        log = work / f"log-{name}-{n}-{run + 1}.txt"
        print(f"[{n:,} profiles, {step}/{len(plan)}] {name}: {commands[name]}", file=sys.stderr)
        m = measure(shlex.split(commands[name]), log)
        print(f"    {m['wall']:.2f} s, exit {m['code']}, peak RSS {fmt_mb(m['rss'])} MB", file=sys.stderr)
        result["runs"].setdefault(name, []).append(m)
    # What the last run of ours wrote (each run replaces it).
    ours_output = outputs.get("ours")
    if ours_output and summarize(result["runs"].get("ours", [])):
        result["output_bytes"] = folder_size(ours_output)[0]
        documents = json_output(ours_output)
        if documents:
            result["json"] = {"name": documents.name, "bytes": documents.stat().st_size}
        result["sqlite_bytes"] = sum(f.stat().st_size for f in (ours_output / "sqlite").glob("*.sqlite"))
        result["csv_bytes"] = sum(f.stat().st_size for f in (ours_output / "csv").glob("*.csv"))
    if "ours" in outputs and "baseline" in outputs and "baseline" not in skipped:
        result["comparison"] = compare_outputs(outputs["ours"], outputs["baseline"])
    if args.writer_floor and n == args.target_sizes[1] and ours_output and "output_bytes" in result:
        result["writer_floor"] = writer_floor(ours_output, args)
    return result


# What rust_xlsxwriter and rusqlite take alone to write the tables of ours's output in the shapes
# our writers give them (`examples/writer_floor.rs`, `bench/WRITERS.md`): the floors the full build
# is judged against.
WRITER_FLOOR_VARIANTS = ["xlsx:parallel,level=3", "sqlite:parts,fts=select,page=65536"]


def writer_floor(dataset: Path, args) -> dict:
    """Runs the writers' floor once on the dataset `dataset` (a build's output with its CSV files)."""
    program = args.binary.parent / "examples" / "writer_floor"
    if not program.exists():
        return {"error": f"{program} does not exist: `cargo build --release --examples` and copy it beside --binary"}
    scratch = args.work / "writer-floor-scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    command = [str(program), str(dataset), str(scratch), "--runs", "1", *WRITER_FLOOR_VARIANTS]
    print(f"writers' floor: {shlex.join(command)}", file=sys.stderr)
    done = subprocess.run(command, capture_output=True, text=True)
    shutil.rmtree(scratch, ignore_errors=True)
    if done.returncode != 0:
        return {"command": shlex.join(command), "error": done.stderr.strip()[-500:]}
    return {"command": shlex.join(command), "report": done.stdout.strip()}


def run_relations(count: int, args) -> dict:
    work = args.work
    folder = generate_relations(count, work, args.dry)
    size, files = folder_size(folder) if folder.exists() else (0, 0)
    output = work / f"output-relations-{count}"
    values = {
        "binary": shlex.quote(str(args.binary)),
        "input": shlex.quote(str(folder)),
        "output": shlex.quote(str(output)),
        "profile": RELATION_PROFILE,
    }
    commands = {name: template.format(**values) for name, template in RELATION_COMMANDS.items()}
    check = f"{shlex.quote(str(args.binary))} check --input {shlex.quote(str(folder))} --quiet"
    result = {"count": count, "bytes": size, "files": files, "commands": commands, "check": check, "runs": {}}
    if args.dry:
        return result
    # The input must be valid, or the timings measure an early exit.
    log = work / f"log-relations-check-{count}.txt"
    checked = measure(shlex.split(check), log)
    if checked["code"] != 0:
        result["invalid"] = f"`check` exited {checked['code']}: {checked.get('error', '')} (see {log})"
        print(f"error: the relations input of {count} is not valid: {result['invalid']}", file=sys.stderr)
        return result
    plan = alternate(list(commands), args.runs, {})
    for step, (run, name) in enumerate(plan, 1):
        if name == "build":
            shutil.rmtree(output, ignore_errors=True)
        log = work / f"log-relations-{name}-{count}-{run + 1}.txt"
        print(f"[{count:,} relations, {step}/{len(plan)}] {name}: {commands[name]}", file=sys.stderr)
        m = measure(shlex.split(commands[name]), log)
        print(f"    {m['wall']:.2f} s, exit {m['code']}, peak RSS {fmt_mb(m['rss'])} MB", file=sys.stderr)
        result["runs"].setdefault(name, []).append(m)
    changes = output / "csv" / "changes.csv"
    if changes.exists():
        with open(changes, "rb") as f:
            result["changes"] = max(0, sum(1 for _ in f) - 1)  # generated text has no newline inside a field
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
        "failed": len(runs) - len(good),
    }


# --------------------------------------------------------------------------------------------------
# Targets of issue 29 (the pipeline at the top), then those of issue 12 that it did not replace.


def evaluate_targets(results: list[dict], args) -> list[dict]:
    """Each target with its size, criterion, measured figure and whether it is met (None: not measured)."""
    small, mid, large = args.target_sizes
    by_n = {r["n"]: r for r in results}
    rows = []

    def get(n: int, name: str) -> tuple[dict | None, str]:
        if args.dry:
            return None, "not measured (--dry)"
        if n not in by_n:
            return None, f"not measured: {n:,} is not in --sizes"
        result = by_n[n]
        if name not in result["commands"]:
            return None, f"not measured: {name} is not in --only"
        if name in result["skipped"]:
            return None, f"not measured: {name} skipped at {n:,}"
        s = summarize(result["runs"].get(name, []))
        return (s, "") if s else (None, f"not measured: {name} failed at {n:,}")

    def add(n: int, target: str, criterion: str, needs: list[str], judge) -> None:
        stats, reasons = [], []
        for name in needs:
            s, reason = get(n, name)
            stats.append(s)
            if reason:
                reasons.append(reason)
        if reasons:
            rows.append({"n": n, "target": target, "criterion": criterion, "figure": "; ".join(dict.fromkeys(reasons)), "met": None})
            return
        figure, met = judge(*stats)
        rows.append({"n": n, "target": target, "criterion": criterion, "figure": figure, "met": met})

    def times(a: dict, b: dict, limit: float, a_name: str, b_name: str) -> tuple[str, bool]:
        x = a["wall"] / b["wall"]
        return f"{x:.2f}× ({a_name} {a['wall']:.2f} s, {b_name} {b['wall']:.2f} s)", x <= limit

    def faster(slow: dict, ours: dict, limit: float, slow_name: str) -> tuple[str, bool]:
        x = slow["wall"] / ours["wall"]
        return f"{slow_name}/build {x:.1f}× ({slow_name} {slow['wall']:.2f} s, build {ours['wall']:.2f} s)", x >= limit

    add(mid, "check within 1.3× of the floor", "check wall ≤ 1.3 × check --parse-only wall", ["check", "floor"],
        lambda c, f: times(c, f, 1.3, "check", "floor"))
    add(mid, "lean build (no xlsx, SQLite) within 2.5× of the floor", "lean wall ≤ 2.5 × check --parse-only wall",
        ["lean", "floor"], lambda o, f: times(o, f, 2.5, "lean", "floor"))
    add(mid, "build within 6× of the floor", "build wall ≤ 6 × check --parse-only wall", ["ours", "floor"],
        lambda o, f: times(o, f, 6.0, "build", "floor"))
    add(mid, "build's memory", "build peak RSS ≤ 250 MB", ["ours"],
        lambda o: (f"{fmt_mb(o['rss'])} MB", o["rss"] <= 250 * MB))
    add(large, "build in under 4 minutes", "build wall < 240 s", ["ours"],
        lambda o: (f"{o['wall']:.1f} s", o["wall"] < 240))
    # Issue 12's, where issue 29 set none.
    add(mid, "build 3× faster than the yardstick", "yardstick wall ≥ 3 × build wall", ["ours", "yardstick"],
        lambda o, y: faster(y, o, 3.0, "yardstick"))
    add(mid, "build 30× faster than the Python baseline", "baseline wall ≥ 30 × build wall", ["ours", "baseline"],
        lambda o, b: faster(b, o, 30.0, "baseline"))
    add(mid, "lean build's memory", "lean peak RSS ≤ 250 MB", ["lean"],
        lambda o: (f"{fmt_mb(o['rss'])} MB", o["rss"] <= 250 * MB))
    add(large, "lean build in under 3 minutes", "lean wall < 180 s", ["lean"],
        lambda o: (f"{o['wall']:.1f} s", o["wall"] < 180))
    input_bytes = by_n[large]["bytes"] if large in by_n else 0
    add(large, "build's memory against the input", "build peak RSS ≤ input size / 4", ["ours"],
        lambda o: (f"{fmt_mb(o['rss'])} MB for {fmt_mb(input_bytes)} MB of input ({o['rss'] / input_bytes:.2f}× the input)"
                   if input_bytes else "input size unknown", bool(input_bytes) and o["rss"] <= input_bytes / 4))
    # Per-profile cost against the small size: a cost growing with the size shows as a ratio above 1.
    if large in by_n and small in by_n:
        s_small, reason = get(small, "ours")
        if s_small:
            add(large, f"build's cost per profile as at {small:,}", f"build µs/profile ≤ 1.2 × that at {small:,} profiles", ["ours"],
                lambda o: (f"{o['wall'] / large * 1e6:,.0f} µs against {s_small['wall'] / small * 1e6:,.0f} µs "
                           f"({(o['wall'] / large) / (s_small['wall'] / small):.2f}×)",
                           (o["wall"] / large) <= 1.2 * (s_small["wall"] / small)))
        else:
            rows.append({"n": large, "target": f"build's cost per profile as at {small:,}", "criterion":
                         f"build µs/profile ≤ 1.2 × that at {small:,} profiles", "figure": reason, "met": None})
    else:
        missing = [f"{n:,}" for n in (small, large) if n not in by_n]
        rows.append({"n": large, "target": f"build's cost per profile as at {small:,}", "criterion":
                     f"build µs/profile ≤ 1.2 × that at {small:,} profiles",
                     "figure": "not measured (--dry)" if args.dry else f"not measured: {' and '.join(missing)} not in --sizes", "met": None})
    # The JSON output against the input, at every size measured.
    for result in results if not args.dry else []:
        n = result["n"]
        criterion = "json/profiles.jsonl (or .json) ≤ 1.5 × input size"
        if "json" in result and result["bytes"]:
            x = result["json"]["bytes"] / result["bytes"]
            rows.append({"n": n, "target": "JSON output against the input", "criterion": criterion,
                         "figure": f"{x:.2f}× (json/{result['json']['name']} {fmt_mb(result['json']['bytes'])} MB, input {fmt_mb(result['bytes'])} MB)",
                         "met": x <= 1.5})
        else:
            _, reason = get(n, "ours")
            rows.append({"n": n, "target": "JSON output against the input", "criterion": criterion,
                         "figure": reason or "not measured: build wrote no json/profiles.jsonl or json/profiles.json", "met": None})
    if args.dry or not results:
        rows.append({"n": None, "target": "JSON output against the input", "criterion": "json/profiles.jsonl (or .json) ≤ 1.5 × input size",
                     "figure": "not measured (--dry)" if args.dry else "not measured: no size", "met": None})
    return rows


def bounds_report(results: list[dict], args) -> list[str]:
    """What bounds the speed targets, from this run's own figures: the full build minus the lean build is
    what the workbook and the database cost, a time that no other work can give back."""
    if args.dry:
        return []
    _, mid, large = args.target_sizes
    by_n = {r["n"]: r for r in results}

    def stats(n: int) -> dict:
        if n not in by_n:
            return {}
        return {name: s for name in by_n[n]["commands"] if (s := summarize(by_n[n]["runs"].get(name, [])))}

    lines = []
    at = stats(mid)
    if {"ours", "lean", "floor"} <= at.keys():
        ours, lean, floor = at["ours"]["wall"], at["lean"]["wall"], at["floor"]["wall"]
        extra = ours - lean
        lines.append(
            f"- At {mid:,} profiles the workbook and the database add {extra:.2f} s to the build's {ours:.2f} s "
            f"(build minus lean build): {extra / floor:.1f}× the floor by themselves."
        )
        limits = [("build within 6× of the floor", 6 * floor)]
        if "yardstick" in at:
            limits.append(("build 3× faster than the yardstick", at["yardstick"]["wall"] / 3))
        if "baseline" in at:
            limits.append(("build 30× faster than the Python baseline", at["baseline"]["wall"] / 30))
        for target, limit in limits:
            verdict = ("they alone take longer, so it is out of reach while build writes them" if extra > limit
                       else f"{limit - extra:.2f} s are left for the rest")
            lines.append(f"  - *{target}* needs build ≤ {limit:.2f} s: {verdict}.")
        lines.append(
            f"  - Without them (`--format json,csv,parquet`) the build takes {lean:.2f} s, {lean / floor:.2f}× the floor: "
            f"the rows written as CSV, Parquet and JSON Lines and the checking beyond parsing."
        )
    if {"check", "floor"} <= at.keys():
        check, floor = at["check"]["wall"], at["floor"]["wall"]
        lines.append(
            f"- At {mid:,} profiles `check` spends {check - floor:.2f} s beyond reading and parsing ({(check - floor) / floor:.2f}× the "
            f"floor, where *check within 1.3× of the floor* allows {0.3 * floor:.2f} s): the JSON Schema, reading into the "
            "types, the per-file rules and the merge across files. `bench/PROFILE.md` gives each one's share."
        )
    big = stats(large)
    if {"ours", "lean"} <= big.keys():
        ours, lean = big["ours"]["wall"], big["lean"]["wall"]
        extra = ours - lean
        verdict = ("they alone take longer, so it is out of reach while build writes them" if extra >= 240
                   else f"{240 - extra:.1f} s are left for the rest")
        lines.append(
            f"- At {large:,} profiles the workbook and the database add {extra:.1f} s to the build's {ours:.1f} s; "
            f"*build in under 4 minutes*: {verdict}. The lean build takes {lean:.1f} s."
        )
    for result in results:
        if result.get("sqlite_bytes") and result.get("csv_bytes"):
            lines.append(
                f"- At {result['n']:,} profiles the SQLite database takes {fmt_mb(result['sqlite_bytes'])} MB, "
                f"{result['sqlite_bytes'] / result['csv_bytes']:.2f}× the CSV files ({fmt_mb(result['csv_bytes'])} MB)."
            )
    small_at = stats(args.target_sizes[0])
    per_profile = [name for name in ("floor", "check", "lean", "ours") if name in small_at and name in big]
    if per_profile:
        small = args.target_sizes[0]

        def growth(name: str, key: str) -> float:
            return (big[name][key] / large) / (small_at[name][key] / small)

        names = {"ours": "build", "lean": "lean build", "check": "check", "floor": "floor"}
        parts = [f"{names[n]} {growth(n, 'wall'):.2f}× in wall time, {growth(n, 'cpu'):.2f}× in CPU time" for n in per_profile]
        lines.append(
            f"- Cost per profile at {large:,} against {small:,}: " + "; ".join(parts) + ". Wall time growing more than "
            "CPU time is waiting (on the disk, or on the database's serial end); CPU time growing is work that grows "
            "faster than the input."
        )
    floor_run = by_n.get(mid, {}).get("writer_floor")
    if floor_run:
        lines.append("")
        lines.append(f"The writers' floors at {mid:,} profiles, on this build's own output (`bench/WRITERS.md` explains them):")
        lines.append("")
        lines.append(f"```sh\n{floor_run.get('command', '')}\n```")
        lines.append("")
        lines.append(floor_run.get("report") or f"Not measured: {floor_run.get('error', '')}")
    if not lines:
        return []
    return ["## What bounds the speed targets", "",
            "Computed from the medians above: the full build minus the lean build is the time the workbook and the "
            "database add.", ""] + lines + [""]


# --------------------------------------------------------------------------------------------------
# The report.


def fmt_mb(n_bytes: float) -> str:
    return f"{n_bytes / MB:,.1f}"


def ratio(a: float | None, b: float | None, digits: int = 2) -> str:
    return f"{a / b:.{digits}f}×" if a and b else "–"


def command_table(lines: list[str], result: dict, unit: str, per: int, names: list[str]) -> dict:
    lines.append(f"| command | wall s (median) | min–max s | CPU s | peak RSS MB | tree RSS MB | MB/s | µs/{unit} | runs |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    stats = {}
    for name in names:
        if name in result.get("skipped", {}):
            lines.append(f"| {name} | {result['skipped'][name]} |  |  |  |  |  |  |  |")
            continue
        runs = result["runs"].get(name, [])
        s = summarize(runs)
        stats[name] = s
        if s is None:
            error = next((r.get("error", "") for r in runs), "not run")
            code = runs[0]["code"] if runs else "?"
            lines.append(f"| {name} | failed (exit {code}): {error.replace('|', '/')} |  |  |  |  |  |  |  |")
            continue
        mb_s = result["bytes"] / MB / s["wall"] if s["wall"] else 0
        failed = f" ({s['failed']} failed)" if s["failed"] else ""
        lines.append(
            f"| {name} | {s['wall']:.2f} | {s['min']:.2f}–{s['max']:.2f} | {s['cpu']:.2f} | {fmt_mb(s['rss'])} | "
            f"{fmt_mb(s['tree_rss'])} | {mb_s:,.1f} | {s['wall'] / per * 1e6:,.1f} | {s['count']}{failed} |"
        )
    lines.append("")
    return stats


def report(results: list[dict], relations: list[dict], args, env: dict, versions: dict) -> str:
    lines = ["# Benchmark: profile-export against full checking, its floor, a yardstick and a Python baseline", ""]
    state = "Plan (`--dry`: nothing generated or run)" if args.dry else "Generated"
    lines.append(
        f"{state} by `bench/bench.py` on {env['date']}. {args.runs} run{'s' if args.runs != 1 else ''} of each command per "
        f"size ({args.baseline_runs} of the baseline; {args.large_runs} of each above {args.large:,} profiles), alternating "
        "(each round runs every command once, the first one rotating); the median is reported."
    )
    lines += [
        "",
        "## Machine",
        "",
        f"- date: {env['date']}",
        f"- CPU: {env['cpu']}, `nproc` {env['nproc']}",
        f"- memory: {env['memory']}",
        f"- kernel: Linux {env['kernel']}",
        f"- load average when the benchmark started: {env['load']} (the machine may be shared)",
        f"- commit: {env['commit']}",
        f"- profile-export: {versions['binary']} (`{args.binary}`)",
        f"- Python: {versions['python']}",
        f"- input generator: `{args.generate_cmd}`",
        f"- invocation: `python3 bench/bench.py {' '.join(shlex.quote(a) for a in sys.argv[1:])}`",
        "",
        "## What is measured",
        "",
    ]
    for name in args.only:
        lines.append(f"- **{name}**: {DESCRIPTIONS[name]}")
    lines += [
        "",
        "Wall time is the median of the runs (min–max beside it); CPU s is user plus system time of the command and",
        "its children (median). Peak RSS is the command's own peak from `/usr/bin/time -f %M` (for a process pool, the",
        "largest single process); *tree RSS* is the peak of the whole process tree, sampled every 50 ms, which adds a",
        "pool's workers up. MB are 10^6 bytes. MB/s is input MB over wall time; µs/profile is wall time over profiles",
        "(each profile has 1 to 3 revision files).",
        "",
        "## Targets (issue 29, then those of issue 12 it did not replace)",
        "",
    ]
    if tuple(args.target_sizes) != (1000, 10000, 100000):
        small, mid, large = args.target_sizes
        lines.append(
            f"**Evaluated at {small:,} / {mid:,} / {large:,} profiles (`--target-sizes`), not at the 1,000 / 10,000 / "
            "100,000 of the issue: these rows only show that the evaluation works.**"
        )
        lines.append("")
    lines.append("| at | target | criterion | measured | result |")
    lines.append("|---:|---|---|---|---|")
    for row in evaluate_targets(results, args):
        at = f"{row['n']:,}" if row["n"] is not None else "every size"
        verdict = "**met**" if row["met"] else ("**not met**" if row["met"] is False else "–")
        lines.append(f"| {at} | {row['target']} | {row['criterion']} | {row['figure']} | {verdict} |")
    lines.append("")
    lines += bounds_report(results, args)
    for result in results:
        n = result["n"]
        lines.append(f"## {n:,} profiles")
        lines.append("")
        if result["files"]:
            lines.append(f"Input: {result['files']:,} files, {fmt_mb(result['bytes'])} MB (`{args.work}/input-{n}`, seed {args.seed}).")
        else:
            lines.append(f"Input: `{args.work}/input-{n}`, seed {args.seed} (not generated yet).")
        lines.append("")
        if not args.dry:
            stats = command_table(lines, result, "profile", n, list(result["commands"]))
            wall = {name: s and s["wall"] for name, s in stats.items()}
            parts = []
            if "ours" in wall and "floor" in wall:
                parts.append(f"build/floor {ratio(wall['ours'], wall['floor'])}")
            if "lean" in wall and "floor" in wall:
                parts.append(f"lean/floor {ratio(wall['lean'], wall['floor'])}")
            if "check" in wall and "floor" in wall:
                parts.append(f"check/floor {ratio(wall['check'], wall['floor'])}")
            if "ours" in wall and "check" in wall:
                parts.append(f"build/check {ratio(wall['ours'], wall['check'])}")
            if "ours" in wall and "yardstick" in wall:
                parts.append(f"yardstick/build {ratio(wall['yardstick'], wall['ours'], 1)}")
            if "floor" in wall and "yardstick" in wall:
                parts.append(f"yardstick/floor {ratio(wall['yardstick'], wall['floor'], 1)}")
            if "ours" in wall and "baseline" in wall:
                b, o = stats["baseline"], stats["ours"]
                parts.append(
                    f"baseline/build {ratio(wall['baseline'], wall['ours'], 1)} (peak RSS {ratio(b and b['rss'], o and o['rss'], 1)}, "
                    f"tree RSS {ratio(b and b['tree_rss'], o and o['tree_rss'], 1)})"
                )
            if parts:
                lines.append("Ratios of wall time: " + "; ".join(parts) + ".")
                lines.append("")
            if "output_bytes" in result:
                written = f"build wrote {fmt_mb(result['output_bytes'])} MB"
                if "json" in result:
                    j = result["json"]
                    written += (
                        f", of which json/{j['name']} {fmt_mb(j['bytes'])} MB "
                        f"({j['bytes'] / result['bytes']:.2f}× the input)" if result["bytes"] else ""
                    )
                lines.append(written + ".")
                lines.append("")
            comparison = result.get("comparison")
            if comparison:
                text = f"Outputs of build and the baseline: of the {len(comparison['same']) + len(comparison['differ']) + len(comparison['missing'])} CSV files, "
                if not comparison["differ"] and not comparison["missing"]:
                    text += "all are byte-identical"
                else:
                    text += f"{len(comparison['same'])} are byte-identical"
                    if comparison["differ"]:
                        text += f", **{len(comparison['differ'])} {'differs' if len(comparison['differ']) == 1 else 'differ'}** ({', '.join(comparison['differ'])})"
                    if comparison["missing"]:
                        text += f", {len(comparison['missing'])} are missing on one side ({', '.join(comparison['missing'])})"
                text += f". JSON documents: {comparison['json']}. Parquet, xlsx and SQLite files are not compared."
                lines.append(text)
                lines.append("")
        lines.append("Commands:")
        lines.append("")
        lines.append("```sh")
        for name, command in result["commands"].items():
            lines.append(command + (f"   # {name}, {result['skipped'][name].split('.')[0]}" if name in result["skipped"] else ""))
        lines.append("```")
        lines.append("")
    if relations:
        lines += relations_report(relations, args)
    return "\n".join(lines)


def relations_report(relations: list[dict], args) -> list[str]:
    lines = [
        "## Linear cost: one profile, two revisions of many relations",
        "",
        f"One profile (`{RELATION_PROFILE}`) with two revisions of R relations each, generated by bench.py and checked "
        "with `profile-export check` before it is timed. The second revision drops every sixth relation of the first, "
        "changes one field of another sixth (half the description, half the start date) and adds as many new ones as it "
        f"dropped: a third of the relations are removed or changed, R/6 are added. {RELATION_ORGANIZATIONS} organizations "
        "are declared as their objects. µs/relation is wall time over R (relations of one revision); the marginal cost is "
        "the added wall time over the added relations since the previous size, which leaves out what does not depend "
        "on R (start-up, writing empty tables).",
        "",
    ]
    per: dict[str, list[tuple[int, float]]] = {}
    for result in relations:
        count = result["count"]
        lines.append(f"### {count:,} relations a revision")
        lines.append("")
        if result["files"]:
            lines.append(f"Input: {result['files']} files, {fmt_mb(result['bytes'])} MB (`{args.work}/relations-{count}`).")
            lines.append("")
        if result.get("invalid"):
            lines.append(f"**Not timed: the input is not valid.** {result['invalid']}")
            lines.append("")
        elif not args.dry:
            stats = command_table(lines, result, "relation", count, list(result["commands"]))
            if "changes" in result:
                lines.append(f"The changes table build wrote has {result['changes']:,} rows.")
                lines.append("")
            for name, s in stats.items():
                if s:
                    per.setdefault(name, []).append((count, s["wall"]))
        lines.append("```sh")
        lines.append(result["check"] + "   # not timed: the input must be valid")
        for command in result["commands"].values():
            lines.append(command)
        lines.append("```")
        lines.append("")
    if per:
        lines.append("### Cost per relation")
        lines.append("")
        counts = sorted({c for series in per.values() for c, _ in series})
        lines.append("| command | " + " | ".join(f"µs/relation at {c:,}" for c in counts) + " | marginal µs/relation | "
                     f"ratio {counts[-1]:,}/{counts[0]:,} per relation |")
        lines.append("|---|" + "---:|" * (len(counts) + 2))
        for name, series in per.items():
            series.sort()
            cells = {c: f"{w / c * 1e6:,.1f}" for c, w in series}
            marginal = [f"{(w2 - w1) / (c2 - c1) * 1e6:,.1f}" for (c1, w1), (c2, w2) in zip(series, series[1:])]
            first, last = series[0], series[-1]
            per_ratio = f"{(last[1] / last[0]) / (first[1] / first[0]):.2f}" if len(series) > 1 else "–"
            lines.append(f"| {name} | " + " | ".join(cells.get(c, "–") for c in counts) + f" | {' → '.join(marginal) or '–'} | {per_ratio} |")
        lines.append("")
        size_ratio = counts[-1] / counts[0] if counts else 1
        lines.append(
            f"A ratio near 1 means the cost is linear in the relations; a quadratic cost would give about {size_ratio:.0f} "
            f"(the sizes differ {size_ratio:.0f}×). A ratio below 1 is the fixed cost spread over more relations; the "
            "marginal costs, which leave it out, should then stay about the same from size to size."
        )
        lines.append("")
    return lines


def default_python() -> str:
    venv = REPO / ".venv" / "bin" / "python"
    for candidate in (venv, Path(sys.executable)):
        if candidate.exists() and subprocess.run(
            [str(candidate), "-c", "import yaml, jsonschema, pandas, pyarrow, pycountry"], capture_output=True
        ).returncode == 0:
            return str(candidate)
    return sys.executable


def default_generate(binary: Path) -> str:
    """The built generator beside the binary (`cargo build --release --examples`), else cargo run."""
    built = binary.parent / "examples" / "generate"
    if built.is_file() and os.access(built, os.X_OK):
        return f"{shlex.quote(str(built))} {{n}} {{seed}} {{dir}}"
    return GENERATE


def counts(text: str) -> list[int]:
    return [int(s.replace("_", "").replace(",", "")) for s in text.split(",") if s.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="numbers of profiles, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs of each command per size (median reported)")
    parser.add_argument("--only", default=",".join(NAMES), help=f"commands to run, comma-separated, of {', '.join(NAMES)}")
    parser.add_argument("--relations", default="7500,15000,30000", help="relations a revision of the linear-cost check, comma-separated")
    parser.add_argument("--no-relations", action="store_true", help="skip the linear-cost check")
    parser.add_argument("--large", type=int, default=10000, help="sizes above this get --large-runs runs")
    parser.add_argument("--large-runs", type=int, default=1, help="runs of each command at the large sizes")
    parser.add_argument("--work", type=Path, default=Path("/tmp/profile-export-bench"), help="where inputs and outputs go")
    parser.add_argument("--baseline-runs", type=int, default=None, help="runs of the baseline per size (default: --runs); it is slow")
    parser.add_argument("--baseline-max", type=int, default=10000, help="largest size the baseline runs at")
    parser.add_argument("--target-sizes", default="1000,10000,100000",
                        help="the sizes the targets are evaluated at (small, middle, large); other values are for trying the script out")
    parser.add_argument("--seed", type=int, default=42, help="seed of the generator")
    parser.add_argument("--binary", type=Path, default=REPO / "target" / "release" / "profile-export")
    parser.add_argument("--python", default=None, help="interpreter with bench/requirements.txt installed")
    parser.add_argument("--results", type=Path, default=REPO / "bench" / "RESULTS.md", help="where to write the report")
    parser.add_argument("--generate-cmd", default=None, help="command template of the generator ({n} {seed} {dir})")
    for name in NAMES:
        parser.add_argument(f"--{name}-cmd", default=COMMANDS[name], help=f"command template of {name}")
    parser.add_argument("--dry", action="store_true", help="print the plan and the commands; generate and run nothing")
    parser.add_argument("--writer-floor", action="store_true",
                        help="at the middle target size, also run examples/writer_floor (beside --binary) once on ours's output")
    args = parser.parse_args()
    args.sizes = counts(args.sizes)
    args.relations = [] if args.no_relations else counts(args.relations)
    args.target_sizes = counts(args.target_sizes)
    if len(args.target_sizes) != 3:
        parser.error("--target-sizes takes three sizes: small, middle, large")
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in args.only if s not in NAMES]
    if unknown:
        parser.error(f"--only: unknown command {', '.join(unknown)} (known: {', '.join(NAMES)})")
    args.only = [name for name in NAMES if name in args.only]  # in the usual order
    args.templates = {name: getattr(args, f"{name}_cmd") for name in NAMES}
    args.binary = args.binary.resolve()
    args.python = args.python or default_python()
    args.generate_cmd = args.generate_cmd or default_generate(args.binary)
    args.work = args.work.resolve()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.baseline_runs is None:
        args.baseline_runs = args.runs

    if not args.dry:
        if not args.binary.exists():
            print(f"error: {args.binary} does not exist: `cargo build --release --examples` first, or pass --binary", file=sys.stderr)
            return 2
        needs = []
        if "yardstick" in args.only and args.sizes:
            needs.append("import yaml; assert yaml.__with_libyaml__, 'PyYAML without its C loader'")
        if "baseline" in args.only and any(n <= args.baseline_max for n in args.sizes):
            needs.append("import yaml, jsonschema, pandas, pyarrow, pycountry")
        for code in needs:
            check = subprocess.run([args.python, "-c", code], capture_output=True, text=True)
            if check.returncode != 0:
                print(f"error: {args.python} lacks the Python commands' packages: pip install -r bench/requirements.txt\n{check.stderr}", file=sys.stderr)
                return 2
        args.work.mkdir(parents=True, exist_ok=True)

    env = machine()
    versions = {
        "binary": sh([str(args.binary), "--version"]) or str(args.binary),
        "python": sh([args.python, "-c", "import sys, yaml\ntry:\n import jsonschema, pandas, pyarrow; from importlib.metadata import version as v; "
                      "rest = f', jsonschema {v(\"jsonschema\")}, pandas {pandas.__version__}, pyarrow {pyarrow.__version__}'\n"
                      "except ImportError: rest = ''\n"
                      "print(f'Python {sys.version.split()[0]}, PyYAML {yaml.__version__} (C loader: {yaml.__with_libyaml__}){rest}')"])
        or args.python,
    }
    results, relations = [], []

    def write() -> str:
        text = report(results, relations, args, env, versions)
        if not args.dry:
            args.results.write_text(text)  # after each step, so a long run leaves what it has
        return text

    if not args.dry:
        remove_outputs(args.work)
    for n in args.sizes:
        results.append(run_size(n, args, results))
        write()
        if not args.dry:
            remove_outputs(args.work)  # measured, and the writers' floor has read them
    for count in args.relations:
        relations.append(run_relations(count, args))
        write()
    print(write())
    if not args.dry:
        print(f"wrote {args.results}", file=sys.stderr)
    invalid = [r["count"] for r in relations if r.get("invalid")]
    if invalid:
        print(f"error: the relations input of {', '.join(map(str, invalid))} did not pass `check`; it was not timed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
