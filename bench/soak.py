"""A soak run: the main pages and the API at the measured capacity for ten minutes.

    python bench/soak.py [--reuse] [--minutes 10] [--rate N]

1. The server is the HTTP bench's (``bench/http_load.py``, whose set-up this reuses): the same
   database (``essor_bench_http``, generated data at the demo scale), gunicorn with 2 workers
   on a free port of 127.0.0.1, signed-in users' sessions written without the login form.
2. The load is a mix: every page of the HTTP bench but the static floor, and the persons API,
   asked in turn by their users (a wrk Lua script; each thread starts at another page).
3. Capacity, unless ``--rate`` gives it: wrk at 1, 2, 4, 8 then 16 connections, 15 s each, as
   fast as the server answers. The capacity is the highest throughput of a step whose p99
   stays under the target (500 ms) with no error; on a machine so busy that one connection
   alone misses it, the highest whose p99 stays within twice one connection's (the knee).
4. The soak: wrk paced at that rate (wrk has no constant-rate mode and wrk2 is not packaged:
   the script's ``delay()`` spaces each thread's requests on the monotonic clock; a thread
   that falls behind sends at once, without a burst to catch more than one second up), in
   consecutive runs of 10 s. Each interval gives its requests, errors (any answer but 200,
   socket errors and time-outs: every page of the mix answers 200 to its user, so a redirect
   means a lost session), p50 and p99, then the RSS of gunicorn's master and workers (VmRSS
   from /proc) and the machine's load average.
5. Pass criteria, printed at the end; the exit code is 1 if one fails:
   - no error, and no worker replaced (a worker gunicorn killed would hide a leak);
   - memory flat, after a warm-up (the first minute, or the first sixth of a shorter run):
     the mean RSS of the last third within 10% of the first third's, and the slope of a
     least-squares line through the samples under 2 MB a minute; judged on runs of 5 minutes
     or more only (``--minutes 1`` is a quick check of the rest, memory shown, not judged);
   - latency stable: the median p99 of the last third's intervals at most 1.5 times the
     first third's (plus 20 ms, so that a few milliseconds of noise on a fast mix is none).
   The share of the rate that was answered is reported, not judged: on cores shared with
   other work the capacity moves with that work, and a server that slows down over time
   already fails "latency stable".

Loopback only: wrk asks 127.0.0.1 and nothing else; every run is bounded in time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _django import report
from http_load import Page, Served, add_server_arguments, proc_tree, serve

TARGET_MS = 500.0
STEPS = (1, 2, 4, 8, 16)
DRIFT_PCT = 10.0
SLOPE_MB_MIN = 2.0
LATENCY_RATIO = 1.5
LATENCY_SLACK_MS = 20.0
MEMORY_MIN_S = 300
VERDICTS = {True: "PASS", False: "FAIL", None: "SKIP"}
KNEE = 2.0

# The wrk script: the mix of pages in turn, paced to a rate, and one JSON line at the end.
LUA = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } essor_timespec;
int clock_gettime(int clock, essor_timespec *now);
]]
local clock = ffi.new("essor_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local targets = TARGETS
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local rate, nthreads = tonumber(args[1]), tonumber(args[2])
  gap = 0  -- ms between two requests of this thread; 0: as fast as answered
  if rate > 0 then gap = 1000 * nthreads / rate end
  prepared = {}
  for i, target in ipairs(targets) do
    local headers = {}
    if target.cookie ~= "" then headers["Cookie"] = target.cookie end
    prepared[i] = wrk.format("GET", target.path, headers)
  end
  index = (id * 7) % #prepared
  ok, redirects, client_errors, server_errors = 0, 0, 0, 0
  due = nil
end

function delay()
  if gap == 0 then return 0 end
  local now = now_ms()
  if due == nil or due < now - 1000 then due = now end
  local wait = due - now
  due = due + gap
  if wait > 0 then return math.floor(wait) end
  return 0
end

function request()
  index = index % #prepared + 1
  return prepared[index]
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1
  elseif status < 400 then redirects = redirects + 1
  elseif status < 500 then client_errors = client_errors + 1
  else server_errors = server_errors + 1 end
end

function done(summary, latency, requests)
  local counts = {ok = 0, redirects = 0, client_errors = 0, server_errors = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(counts) do counts[name] = counts[name] + thread:get(name) end
  end
  local e = summary.errors
  io.write(string.format(
    'SOAK {"requests": %d, "duration_us": %d, "p50_ms": %.2f, "p90_ms": %.2f, '
    .. '"p99_ms": %.2f, "max_ms": %.2f, "connect": %d, "read": %d, "write": %d, '
    .. '"timeout": %d, "ok": %d, "redirects": %d, "client_errors": %d, '
    .. '"server_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.timeout, counts.ok, counts.redirects,
    counts.client_errors, counts.server_errors))
end
"""


def lua_script(mix: list[Page], cookies: dict[str, str]) -> Path:
    """The wrk script for ``mix``, written to a temporary file."""
    entries = ",\n".join(
        f"  {{path = {json.dumps(p.path)}, cookie = {json.dumps(cookies.get(p.user, ''))}}}"
        for p in mix
    )
    path = Path(tempfile.gettempdir()) / "essor_bench_soak.lua"
    path.write_text(LUA.replace("TARGETS", "{\n" + entries + "\n}"), encoding="utf-8")
    return path


def wrk(
    served: Served, script: Path, *, connections: int, threads: int, seconds: int, rate: float
) -> dict[str, Any]:
    """One wrk run of the mix; ``rate`` 0 asks as fast as the server answers."""
    threads = min(threads, connections)  # wrk wants a connection a thread at least
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        served.base + "/",
        "--",
        str(rate),
        str(threads),
    ]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    line = next((s for s in output.splitlines() if s.startswith("SOAK ")), None)
    if line is None:
        raise ValueError(f"unreadable wrk output:\n{output}")
    figures: dict[str, Any] = json.loads(line[5:])
    figures["seconds"] = figures.pop("duration_us") / 1e6
    figures["rps"] = round(figures["requests"] / figures["seconds"], 1)
    figures["socket_errors"] = sum(figures[k] for k in ("connect", "read", "write", "timeout"))
    # A request cut by the end of the run has no status: only answered ones are counted.
    figures["errors"] = (
        figures["redirects"]
        + figures["client_errors"]
        + figures["server_errors"]
        + figures["socket_errors"]
    )
    return figures


def measure_capacity(
    served: Served, script: Path, *, threads: int, seconds: int
) -> tuple[float, int, str, list[dict[str, Any]]]:
    """The highest throughput of a step-up whose p99 stays under the target with no error,
    with its connection count, the rule that chose it, and every step.

    On a machine so busy that one connection alone misses the target (other processes on the
    same cores lengthen every request), the capacity is taken at the knee instead: the
    highest throughput whose p99 stays within twice the single connection's, beyond which
    requests only queue. The rule is reported with the figure."""
    steps: list[dict[str, Any]] = []
    limit, rule = TARGET_MS, f"p99 < {TARGET_MS:.0f} ms"
    for connections in STEPS:
        figures = wrk(
            served, script, connections=connections, threads=threads, seconds=seconds, rate=0
        )
        figures["connections"] = connections
        steps.append(figures)
        print(
            f"step {connections:3d} connections: {figures['rps']:7.1f} req/s, "
            f"p50 {figures['p50_ms']:7.1f} ms, p99 {figures['p99_ms']:7.1f} ms, "
            f"errors {figures['errors']}, load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        if len(steps) == 1 and figures["p99_ms"] >= TARGET_MS:
            limit = KNEE * figures["p99_ms"] + 1  # the single connection's step is within it
            rule = (
                f"knee: no step met p99 < {TARGET_MS:.0f} ms, the highest throughput with p99 "
                f"< {limit:.0f} ms ({KNEE:.0f}× one connection's)"
            )
        if figures["p99_ms"] >= limit:
            break  # more connections only queue longer
    good = [s for s in steps if s["p99_ms"] < limit and s["errors"] == 0]
    if not good:
        report(bench="soak", error="no capacity", steps=steps, met=False)
        sys.exit("Every step had errors: no capacity to soak at.")
    best = max(good, key=lambda s: s["rps"])
    return best["rps"], best["connections"], rule, steps


def slope_per_minute(points: list[tuple[float, float]]) -> float:
    """The slope of the least-squares line through (seconds, MB), in MB a minute."""
    if len(points) < 2:
        return 0.0
    mean_t = statistics.fmean(t for t, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return 0.0
    return 60 * sum((t - mean_t) * (y - mean_y) for t, y in points) / var


def thirds(items: list[Any]) -> tuple[list[Any], list[Any]]:
    size = max(1, len(items) // 3)
    return items[:size], items[-size:]


def judge(intervals: list[dict[str, Any]], *, rate: float, warmup_s: float) -> dict[str, Any]:
    """The pass criteria over the soak's intervals; ``None`` for one not judged."""
    errors = sum(i["errors"] for i in intervals)
    workers = [set(i["pids"]) for i in intervals]
    replaced = len(set().union(*workers) - workers[0]) if workers else 0
    settled = [i for i in intervals if i["at_s"] > warmup_s] or intervals
    first, last = thirds(settled)
    rss_first = statistics.fmean(i["rss_mb"] for i in first)
    rss_last = statistics.fmean(i["rss_mb"] for i in last)
    drift_pct = 100 * (rss_last - rss_first) / rss_first
    slope = slope_per_minute([(i["at_s"], i["rss_mb"]) for i in settled])
    p99_first = statistics.median(i["p99_ms"] for i in first)
    p99_last = statistics.median(i["p99_ms"] for i in last)
    requests = sum(i["requests"] for i in intervals)
    asked = rate * sum(i["seconds"] for i in intervals)
    held = requests / asked if asked else 0.0
    # The workers' memory grows while they warm up (in the 10-minute run of 2026-11-24, for
    # the first two minutes): a shorter run cannot tell that from a leak.
    long_enough = sum(i["seconds"] for i in intervals) >= MEMORY_MIN_S
    criteria: dict[str, bool | None] = {
        "no error": errors == 0 and replaced == 0,
        "memory flat": (abs(drift_pct) <= DRIFT_PCT and slope < SLOPE_MB_MIN)
        if long_enough
        else None,
        "latency stable": p99_last <= LATENCY_RATIO * p99_first + LATENCY_SLACK_MS,
    }
    return {
        "errors": errors,
        "workers_replaced": replaced,
        "rss_first_mb": round(rss_first, 1),
        "rss_last_mb": round(rss_last, 1),
        "rss_drift_pct": round(drift_pct, 1),
        "rss_slope_mb_min": round(slope, 2),
        "rss_peak_mb": round(max(i["rss_mb"] for i in intervals), 1),
        # Where the memory is: the master's, then each worker's, at the first and last samples.
        "master_mb": [intervals[0]["master_mb"], intervals[-1]["master_mb"]],
        "workers_mb": [intervals[0]["workers_mb"], intervals[-1]["workers_mb"]],
        "p99_first_ms": round(p99_first, 1),
        "p99_last_ms": round(p99_last, 1),
        "requests": requests,
        "rate_held_pct": round(100 * held, 1),
        "criteria": criteria,
        "met": all(passed is not False for passed in criteria.values()),
    }


def per_minute(intervals: list[dict[str, Any]], interval_s: int) -> list[dict[str, Any]]:
    """The intervals by minute of load: p50 the median of the intervals', p99 the worst
    interval's (percentiles of separate runs cannot be merged exactly)."""
    minutes: dict[int, list[dict[str, Any]]] = {}
    for index, i in enumerate(intervals):
        minutes.setdefault(index * interval_s // 60 + 1, []).append(i)
    rows = []
    for minute, group in sorted(minutes.items()):
        seconds = sum(i["seconds"] for i in group)
        rows.append(
            {
                "minute": minute,
                "requests": sum(i["requests"] for i in group),
                "rps": round(sum(i["requests"] for i in group) / seconds, 1),
                "errors": sum(i["errors"] for i in group),
                "p50_ms": round(statistics.median(i["p50_ms"] for i in group), 1),
                "p99_ms": round(max(i["p99_ms"] for i in group), 1),
                "rss_mb": group[-1]["rss_mb"],
                "load": group[-1]["load"],
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    add_server_arguments(parser)
    parser.add_argument("--minutes", type=float, default=10, help="length of the soak")
    parser.add_argument("--interval", type=int, default=10, help="seconds between samples")
    parser.add_argument("--rate", type=float, default=0, help="requests/s; 0: measure it")
    parser.add_argument("--connections", type=int, default=0, help="0: the capacity step's")
    parser.add_argument("--step-seconds", type=int, default=15, help="seconds a capacity step")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    count = max(3, round(args.minutes * 60 / args.interval))
    warmup_s = min(60.0, count * args.interval / 6)

    with serve(args, log_name="essor_bench_soak_gunicorn.log") as served:
        mix = served.targets[1:]  # every page but the static floor, and the API
        script = lua_script(mix, served.cookies)
        steps: list[dict[str, Any]] = []
        if args.rate:
            rate, connections, rule = args.rate, args.connections or 8, "given (--rate)"
        else:
            rate, connections, rule, steps = measure_capacity(
                served, script, threads=args.threads, seconds=args.step_seconds
            )
            # Twice the step's connections: the rate is its throughput, which the same
            # connections could not catch up after a slow answer.
            connections = args.connections or 2 * connections
        print(
            f"soak: {rate} req/s, {connections} connections, {count} × {args.interval} s, "
            f"{len(mix)} pages in the mix",
            flush=True,
        )
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        intervals: list[dict[str, Any]] = []
        for _ in range(count):
            figures = wrk(
                served,
                script,
                connections=connections,
                threads=args.threads,
                seconds=args.interval,
                rate=rate,
            )
            rss = proc_tree(served.server.pid)
            figures.update(
                at_s=round(time.monotonic() - started, 1),
                rss_mb=round(sum(rss.values()) / 1024, 1),
                pids=sorted(pid for pid in rss if pid != served.server.pid),
                master_mb=round(rss.get(served.server.pid, 0) / 1024, 1),
                workers_mb=[
                    round(kb / 1024, 1)
                    for pid, kb in sorted(rss.items())
                    if pid != served.server.pid
                ],
                load=round(os.getloadavg()[0], 2),
            )
            intervals.append(figures)
            print(
                f"{figures['at_s']:6.0f} s {figures['requests']:6d} requests "
                f"{figures['rps']:6.1f} req/s  errors {figures['errors']}  "
                f"p50 {figures['p50_ms']:7.1f}  p99 {figures['p99_ms']:7.1f} ms  "
                f"RSS {figures['rss_mb']:6.1f} MB ({len(rss)} processes)  "
                f"load {figures['load']}",
                flush=True,
            )
        load_after = os.getloadavg()[0]

    verdict = judge(intervals, rate=rate, warmup_s=warmup_s)
    minutes = per_minute(intervals, args.interval)
    print("\nminute  requests  req/s  errors  p50 ms  p99 ms (worst 10 s)  RSS MB  load")
    for m in minutes:
        print(
            f"{m['minute']:6d} {m['requests']:9d} {m['rps']:6.1f} {m['errors']:7d} "
            f"{m['p50_ms']:7.1f} {m['p99_ms']:20.1f} {m['rss_mb']:7.1f} {m['load']:5.2f}"
        )
    v = verdict
    print(
        f"\nno error:        {v['errors']} errors, {v['workers_replaced']} workers replaced\n"
        f"memory flat:     RSS {v['rss_first_mb']} → {v['rss_last_mb']} MB "
        f"(first and last thirds after a {warmup_s:.0f} s warm-up: {v['rss_drift_pct']:+}%, "
        f"limit ±{DRIFT_PCT:.0f}%), slope {v['rss_slope_mb_min']} MB/min "
        f"(limit {SLOPE_MB_MIN}); master {v['master_mb'][0]} → {v['master_mb'][1]} MB, "
        f"workers {v['workers_mb'][0]} → {v['workers_mb'][1]} MB\n"
        f"latency stable:  median p99 {v['p99_first_ms']} → {v['p99_last_ms']} ms "
        f"(limit {LATENCY_RATIO}× + {LATENCY_SLACK_MS:.0f} ms)\n"
        f"rate answered:   {v['rate_held_pct']}% of {rate} req/s (reported, not judged)"
    )
    for name, passed in v["criteria"].items():
        print(f"{VERDICTS[passed]}  {name}")
    if v["criteria"]["memory flat"] is None:
        print(f"      (memory is judged on runs of {MEMORY_MIN_S // 60} minutes or more)")
    report(
        bench="soak",
        scale=args.scale,
        loader=served.loaded["loader"],
        reused=served.loaded["reused"],
        persons=served.persons,
        workers=args.workers,
        threads=args.threads,
        connections=connections,
        rate=rate,
        capacity_rule=rule,
        steps=[
            {k: s[k] for k in ("connections", "rps", "p50_ms", "p99_ms", "errors")} for s in steps
        ],
        pages=len(mix),
        minutes=args.minutes,
        interval_s=args.interval,
        warmup_s=warmup_s,
        per_minute=minutes,
        load_before=round(load_before, 1),
        load_after=round(load_after, 1),
        **{k: v for k, v in verdict.items() if k != "criteria"},
        failed=[name for name, passed in verdict["criteria"].items() if passed is False],
        skipped=[name for name, passed in verdict["criteria"].items() if passed is None],
    )
    sys.exit(0 if verdict["met"] else 1)


if __name__ == "__main__":
    main()
