#!/usr/bin/env python3
"""`token` start-up, whole process: `c7doctor token --format json` on a fixture token
against jwt-cli's `jwt decode --json` on the same token (and, optionally, another
c7doctor build), as ratios of hyperfine medians.

The commands are timed in interleaved rounds (each round runs every command RUNS times,
one after another), so a change in the machine's load falls on all of them alike; the
figure is the median of every run of a command, and each round's median is printed too.

usage: python3 benches/startup.py --c7doctor BIN [--baseline BIN] [--jwt JWT]
                                  [--rounds 8] [--runs 150]

BIN is a release build (`cargo build --release`); JWT defaults to `jwt` on PATH
(`cargo install jwt-cli`). Needs hyperfine (Debian: `apt-get install hyperfine`).
Standard library only. Not a test: it prints figures, it asserts nothing.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile

FIXTURE = os.path.join(
    os.path.dirname(__file__), "..", "fixtures", "tokens", "obo-client-valid.jwt"
)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--c7doctor", required=True)
    ap.add_argument("--baseline", help="another c7doctor build to compare")
    ap.add_argument("--jwt", default=shutil.which("jwt") or "jwt")
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--runs", type=int, default=150)
    args = ap.parse_args()

    token_file = os.path.abspath(FIXTURE)
    with open(token_file) as f:
        token = f.read().strip()
    commands = [("jwt-cli", f"{args.jwt} decode --json {token}")]
    commands.append(
        ("c7doctor", f"{args.c7doctor} token --token-file {token_file} --format json")
    )
    if args.baseline:
        commands.append(
            (
                "baseline",
                f"{args.baseline} token --token-file {token_file} --format json",
            )
        )

    times = {name: [] for name, _ in commands}
    rounds = {name: [] for name, _ in commands}
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "round.json")
        for _ in range(args.rounds):
            subprocess.run(
                ["hyperfine", "-N", "-i", "--warmup", "20", "--runs", str(args.runs)]
                + ["--export-json", out]
                + [cmd for _, cmd in commands],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            with open(out) as f:
                results = json.load(f)["results"]
            for (name, _), result in zip(commands, results):
                times[name] += result["times"]
                rounds[name].append(statistics.median(result["times"]) * 1000)

    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"{args.rounds} rounds x {args.runs} runs")
    base = statistics.median(times["jwt-cli"])
    for name, _ in commands:
        median = statistics.median(times[name])
        per_round = " ".join(f"{m:.2f}" for m in rounds[name])
        print(f"{name:9} {median * 1000:6.3f} ms  {median / base:5.2f}x jwt-cli"
              f"  (rounds: {per_round})")


if __name__ == "__main__":
    main()
