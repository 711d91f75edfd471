#!/usr/bin/env python3
"""The yardstick of `bench/bench.py`: PyYAML's C loader parsing every file on every core.

    python3 bench/yardstick.py --input DIR [--workers N]

A `multiprocessing.Pool` of `os.cpu_count()` workers (or `--workers`) that `yaml.load(...,
Loader=yaml.CSafeLoader)`s `DIR/dataset.yaml` and every file under `DIR/profiles/`, and does nothing
else: no schema, no rules, no tables, nothing written. Each worker returns only the number of bytes it
read, so the parsed documents are not even sent back to the main process. It is the least a Python
tool built on the fastest common YAML parser has to spend; `profile-export build` is meant to do its
whole job at least 3 times faster than this.

It needs PyYAML built with libyaml (`yaml.__with_libyaml__`); without it, it stops with exit 2 rather
than measure the pure-Python loader under the C loader's name.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time

import yaml


def parse(path: str) -> int:
    with open(path, "rb") as f:
        data = f.read()
    yaml.load(data, Loader=yaml.CSafeLoader)
    return len(data)


def files(input_dir: str) -> list[str]:
    found = []
    dataset = os.path.join(input_dir, "dataset.yaml")
    if os.path.isfile(dataset):
        found.append(dataset)
    for root, dirs, names in os.walk(os.path.join(input_dir, "profiles")):
        dirs.sort()
        found.extend(os.path.join(root, name) for name in sorted(names))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", required=True, help="the curated folder (dataset.yaml and profiles/)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes of the pool (default: every core)")
    args = parser.parse_args()
    if not getattr(yaml, "__with_libyaml__", False) or not hasattr(yaml, "CSafeLoader"):
        print("error: this PyYAML has no C loader (libyaml): pip install -r bench/requirements.txt", file=sys.stderr)
        return 2
    paths = files(args.input)
    if not paths:
        print(f"error: no files in {args.input}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    chunk = max(1, min(64, len(paths) // (args.workers * 8)))
    with multiprocessing.Pool(args.workers) as pool:
        total = sum(pool.imap_unordered(parse, paths, chunksize=chunk))
    wall = time.perf_counter() - started
    print(f"parsed {len(paths)} files, {total} bytes, in {wall:.2f} s with {args.workers} workers", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
