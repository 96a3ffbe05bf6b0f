#!/usr/bin/env python3
"""Round trips a user waits for: `discovery`, `probe` and `e2e` against the gateway
simulator with a fixed latency added to every response, as ratios against
  - the dependency-chain floor: the requests that must wait for each other, replayed one
    after another with a minimal keep-alive client (each response read to its end, so the
    simulator's own stream tails count, as they would for any client), and
  - the sequential sum: every request of the run (taken from its `-v` wire trace), replayed
    one after another the same way.

usage: python3 benches/round_trips.py --c7doctor BIN [--baseline BIN] --simulator SIM
                                      [--latency 50 150] [--runs 15]

BIN and SIM are built with `cargo build --release --bin c7doctor --example simulator`.
Standard library only. Not a test: it prints figures, it asserts nothing.
"""

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import time
import urllib.parse

SECRET = "sim8Q~gateway.secret-VALUE_0123456789abcdefgh"  # the simulator's gateway secret

# Each command's dependency chain, as (method, path pattern, JSON-RPC method or None, or
# "anonymous" for a request without credentials): the first request of its trace matching
# each step is replayed, in order.
CHAINS = {
    # 401 challenge → the PRM it names → AS metadata → the /token probe (crosses the
    # gateway and Entra behind it: two responses' latency).
    "discovery": [
        ("POST", r"/mcp$", "anonymous"),
        ("GET", r"/\.well-known/oauth-protected-resource", None),
        ("GET", r"/\.well-known/oauth-authorization-server", None),
        ("POST", r"^/token$", None),
    ],
    # initialize → tools/list → tools/call; the notification and the GET wait on nothing
    # after initialize.
    "probe": [
        ("POST", r"/mcp$", "initialize"),
        ("POST", r"/mcp$", "tools/list"),
        ("POST", r"/mcp$", "tools/call"),
    ],
}
# e2e's longest chain is whichever of these is longer as served.
CHAINS["e2e"] = None


def start_simulator(sim, latency):
    p = subprocess.Popen(
        [sim, "--latency", str(latency), "healthy"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines = []
    while True:
        line = p.stdout.readline()
        if not line:
            raise SystemExit("the simulator stopped")
        lines.append(line.rstrip("\n"))
        if line.startswith("serving"):
            break
    args = next(l for l in lines if "cargo run -- discovery" in l).split("discovery ", 1)[1]
    token = lines[next(i for i, l in enumerate(lines) if "a valid client token" in l) + 1]
    return p, args.split(), token.strip()


def run_env(token):
    env = dict(os.environ)
    env.update(
        C7DOCTOR_NOW="2026-11-23T10:00:00Z",
        C7DOCTOR_TOKEN=token,
        C7DOCTOR_GATEWAY_SECRET=SECRET,
    )
    return env


def command_line(binary, args, command):
    return [binary, *args, "--format", "json", command]


def wall(cmd, env):
    t = time.perf_counter()
    subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True)
    return time.perf_counter() - t


def parse_trace(text):
    """The requests of a `-v` trace: method, URL, headers, body."""
    reqs, cur, in_body = [], None, False
    for line in text.splitlines():
        m = re.match(r"^> (GET|POST) (\S+)$", line)
        if m:
            cur = {"method": m.group(1), "url": m.group(2), "headers": {}, "body": None}
            reqs.append(cur)
            in_body = False
        elif cur is not None and line == ">":
            in_body = True
        elif cur is not None and line.startswith("> "):
            if in_body:
                cur["body"] = line[2:]
                in_body = False
            else:
                k, _, v = line[2:].partition(": ")
                cur["headers"][k] = v
        else:
            cur = None
    return reqs


def matches(req, rpc):
    if rpc is None:
        return True
    if rpc == "anonymous":
        return "authorization" not in req["headers"]
    return rpc_method(req) == rpc


def rpc_method(req):
    try:
        return json.loads(req["body"] or "").get("method")
    except (ValueError, AttributeError):
        return None


def replay(reqs, token):
    """Send `reqs` one after another (one keep-alive connection per host); seconds."""
    conns = {}
    t = time.perf_counter()
    for r in reqs:
        u = urllib.parse.urlsplit(r["url"])
        c = conns.get(u.netloc)
        if c is None:
            c = conns[u.netloc] = http.client.HTTPConnection(u.netloc, timeout=30)
        headers = {}
        for k, v in r["headers"].items():
            if k == "authorization" and v.startswith("Bearer "):
                v = "Bearer " + token
            headers[k] = v
        body = r["body"]
        if body is not None:
            body = body.replace("‹redacted›", "x")
        c.request(r["method"], u.path + ("?" + u.query if u.query else ""), body=body, headers=headers)
        resp = c.getresponse()
        resp.read()
        if resp.getheader("connection", "").lower() == "close":
            c.close()
            del conns[u.netloc]
    return time.perf_counter() - t


def chain_of(reqs, steps):
    """The first request of the trace matching each step, each request used once. The
    trace's order is the order requests were sent, which need not be the chain's (e2e sends
    the well-known PRM GETs before the unauthenticated POST)."""
    out, used = [], set()
    for method, path, rpc in steps:
        for i, r in enumerate(reqs):
            p = urllib.parse.urlsplit(r["url"]).path
            if i not in used and r["method"] == method and re.search(path, p) and matches(r, rpc):
                out.append(r)
                used.add(i)
                break
        else:
            raise SystemExit(f"no {method} {path} {rpc or ''} in the trace")
    return out


def median_ms(samples):
    return statistics.median(samples) * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--c7doctor", required=True)
    ap.add_argument("--baseline", help="another c7doctor build, timed alternately")
    ap.add_argument("--simulator", required=True)
    ap.add_argument("--latency", type=int, nargs="+", default=[50, 150])
    ap.add_argument("--runs", type=int, default=15)
    a = ap.parse_args()
    builds = [("c7doctor", a.c7doctor)] + ([("baseline", a.baseline)] if a.baseline else [])
    for latency in a.latency:
        sim, args, token = start_simulator(a.simulator, latency)
        env = run_env(token)
        try:
            print(f"\n## {latency} ms per response")
            print("| command | build | wall median (min–max) | chain floor | ÷ floor | sequential sum | ÷ sum | requests |")
            print("|---|---|---|---|---|---|---|---|")
            for command in ("discovery", "probe", "e2e"):
                for _ in range(2):  # warm the page cache
                    wall(command_line(a.c7doctor, args, command), env)
                walls = {name: [] for name, _ in builds}
                for _ in range(a.runs):
                    for name, binary in builds:
                        walls[name].append(wall(command_line(binary, args, command), env))
                for name, binary in builds:
                    out = subprocess.run(
                        [*command_line(binary, args, command), "-v"],
                        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                    )
                    reqs = parse_trace(out.stderr)
                    if command == "e2e":
                        chains = [chain_of(reqs, CHAINS["discovery"]), chain_of(reqs, CHAINS["probe"])]
                    else:
                        chains = [chain_of(reqs, CHAINS[command])]
                    floor = max(median_ms([replay(c, token) for _ in range(7)]) for c in chains)
                    total = median_ms([replay(reqs, token) for _ in range(7)])
                    w = median_ms(walls[name])
                    lo, hi = min(walls[name]) * 1e3, max(walls[name]) * 1e3
                    print(
                        f"| {command} | {name} | {w:.0f} ms ({lo:.0f}–{hi:.0f}) | {floor:.0f} ms | "
                        f"{w / floor:.2f}× | {total:.0f} ms | {w / total:.2f}× | {len(reqs)} |"
                    )
        finally:
            sim.terminate()
            sim.wait()


if __name__ == "__main__":
    main()
