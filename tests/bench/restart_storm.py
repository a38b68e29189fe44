#!/usr/bin/env python3
"""A controller restart seen from inside: N simulated agents connect over
mutual TLS, the controller is killed (-9) and started again at once, and
every 2 s the driver prints the controller's and the simulators' CPU and
the agent listener's figures from /metrics (agents connected, connections
waiting in the accept queue, handshakes in flight, accepted, dropped,
expired slots), until every agent is back or --limit seconds have passed.

  tests/bench/restart_storm.py --agents 5000
  tests/bench/restart_storm.py --agents 5000 \\
      --controller-arg=--max_agent_handshakes=0   # gRPC accepts all at once

Uses fleet_bench.py's fleet (a throwaway PostgreSQL and PKI, the binaries
in build/); everything it starts is stopped on exit.
"""

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time

import fleet_bench as fb

FIGURES = ["swell_agents_connected", "swell_agent_connections_waiting",
           "swell_agent_handshakes_in_flight",
           "swell_agent_connections_accepted_total",
           "swell_agent_connections_dropped_total",
           "swell_agent_handshake_slots_expired_total"]


def short(name):
    return name.replace("swell_agent_", "").replace("swell_", "")


def trace_restart(fleet, n, limit=150):
    fleet.controller.kill()
    fleet.controller.wait()
    t = time.time()
    fleet.start_controller()
    print(f"# API answering {time.time() - t:.1f} s after the start",
          flush=True)
    sims = [s.pid for s in fleet.sims]
    print("| s | controller cores | simulator cores | " +
          " | ".join(short(f) for f in FIGURES) + " |")
    print("|---" * (3 + len(FIGURES)) + "|", flush=True)

    def cpu():
        return (time.time(), fb.cpu_seconds(fleet.controller.pid),
                sum(fb.cpu_seconds(p) for p in sims))
    last = cpu()
    while time.time() - t < limit:
        time.sleep(2)
        now = cpu()
        dt = now[0] - last[0]
        m = {f: fleet.metric(f) for f in FIGURES}
        print(f"| {now[0] - t:.1f} | {(now[1] - last[1]) / dt:.2f} |"
              f" {(now[2] - last[2]) / dt:.2f} | " +
              " | ".join(f"{m[f]:.0f}" for f in FIGURES) + " |", flush=True)
        last = now
        if m["swell_agents_connected"] >= n:
            return time.time() - t
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--agents", type=int, default=5000)
    ap.add_argument("--per-process", type=int, default=5000)
    ap.add_argument("--health-interval", default="5s")
    ap.add_argument("--limit", type=float, default=150,
                    help="seconds to wait for every agent, at connect and "
                    "after the restart")
    ap.add_argument("--controller-arg", action="append", default=[],
                    help="one more flag for swell-controller; repeatable")
    args = ap.parse_args()
    # A SIGTERM (timeout, kill) stops what it started, too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    work = tempfile.mkdtemp(prefix="swell-restart-storm.")
    os.chmod(work, 0o755)
    fleet = fb.Fleet(args.agents, args.per_process, work, args.health_interval)
    fleet.controller_args = args.controller_arg
    try:
        fleet.start_controller()
        t0 = time.time()
        fleet.start_sims()
        fb.until("every agent connected", lambda: fb.all_connected(fleet),
                 args.limit)
        print(f"# {args.agents} agents connected in {time.time() - t0:.1f} s",
              flush=True)
        time.sleep(3)
        back = trace_restart(fleet, args.agents, args.limit)
        print(f"# every agent back {back:.1f} s after the start" if back
              else f"# not every agent back after {args.limit:.0f} s")
    finally:
        fleet.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
