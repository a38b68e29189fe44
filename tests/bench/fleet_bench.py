#!/usr/bin/env python3
"""One controller and a simulated fleet over real gRPC with mutual TLS:
what a fleet of N agents costs the controller, measured from outside.

  tests/bench/fleet_bench.py [--agents 1000,5000,10000] [--runs 3]

For each fleet size and run it starts a throwaway PostgreSQL, a throwaway CA,
one swell-controller and swell-fleet-sim processes of at most --per-process
agents each (one process is limited to 20,000 open files), then measures:
  connect    seconds from the simulators' start until every agent is connected
  rss_kb     controller memory per connected agent (VmRSS less its RSS idle)
  ingest     health reports per second ingested, and the controller's CPU
             (cores) meanwhile; the simulators' CPU is shown apart
  rollout    a whole-fleet rollout, 4 waves, bake 2 s: submit to succeeded
  rollback   `swellctl rollback` mid-rollout to every admitted agent
             receiving it (p99 and worst, from the command's return)
  breach     a change that makes every host unhealthy, rolled back by its
             gate: from the first unhealthy health report sent until each
             admitted agent received the rollback (p99 and worst)
  restart    kill -9 and restart mid-bake: seconds until every agent is
             back, and hosts counted failed (must be 0)
  commits    database commits per second over the steady health window
  api        one `swellctl list` (its process start included), in ms: the
             median of 5 while steady, and the worst of those made while
             the fleet comes back after the restart, with how many of
             those failed (each distinct error is printed)
  watchers   the decision loop's busy share (tick time per second of wall
             time, from swell_reconciler_tick_duration_seconds) over 10 s
             of a baking rollout, alone and with --watchers concurrent
             `swellctl watch` processes following it; and its ticks per
             second alone
Prints one table row per size, medians over the runs. Uses build/ (or
$SWELL_BUILD_DIR); everything it starts is stopped at exit, and every wait
is bounded.
"""
import argparse, json, os, shutil, signal, socket, statistics, subprocess
import sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SWELL_BUILD_DIR", os.path.join(ROOT, "build"))
CONTROLLER = os.path.join(BUILD, "controller/swell-controller")
SWELLCTL = os.path.join(BUILD, "cli/swellctl")
SIM = os.path.join(BUILD, "tests/sim/swell-fleet-sim")

PLAN = """name: {name}
change:
  variable: app-config
  kind: file
  path: /etc/app/app.conf
  content: "{content}\\n"
target:
  selector: {{}}
strategy:
  waves: {waves}
  bake: {bake}
  progress_deadline: 2m
gates:
  - name: app-healthy
    check: "min(app_healthy) >= 1"
    missing_data: hold
on_failure: rollback
on_inconclusive: pause
"""


def now_ms():
    return int(time.time() * 1000)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def until(what, check, timeout):
    """Polls check() until it returns a true value; fails after timeout."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise RuntimeError(f"timed out after {timeout} s waiting for {what}")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Fleet:
    def __init__(self, n, per_process, work, health_interval="1s"):
        self.n, self.work, self.sims = n, work, []
        self.health_interval = health_interval
        self.per_process = per_process
        self.pg = os.path.join(work, "pg")
        self.conninfo = subprocess.check_output(
            [os.path.join(ROOT, "deploy/pg-throwaway.sh"), "start", self.pg],
            text=True, stderr=subprocess.DEVNULL).strip()
        pki = os.path.join(work, "pki")
        subprocess.check_call([os.path.join(ROOT, "deploy/make-pki.sh"), pki],
                              stdout=subprocess.DEVNULL)
        self.pki = pki
        self.agent_port, self.api_port = free_port(), free_port()
        self.metrics_port = free_port()
        self.controller = None
        self.controller_args = []

    def start_controller(self):
        p = self.pki
        log = open(os.path.join(self.work, "controller.log"), "a")
        self.controller = subprocess.Popen(
            [CONTROLLER, "--tls_cert", f"{p}/controller.pem",
             "--tls_key", f"{p}/controller.key", "--tls_client_ca", f"{p}/ca.pem",
             "--bootstrap_admin_token_file", f"{self.work}/admin.token",
             "--listen", f"127.0.0.1:{self.agent_port}",
             "--api_listen", f"127.0.0.1:{self.api_port}",
             "--metrics_listen", f"127.0.0.1:{self.metrics_port}",
             "--database", self.conninfo, "--config", "",
             *self.controller_args],
            stdout=log, stderr=log)
        until("the controller's API", lambda: self.ctl("list").returncode == 0, 60)

    def ctl_args(self, *args):
        return [SWELLCTL, "--controller", f"127.0.0.1:{self.api_port}",
                "--ca", f"{self.pki}/ca.pem", "--token-file",
                f"{self.work}/admin.token", *args]

    def ctl(self, *args):
        return subprocess.run(self.ctl_args(*args), capture_output=True,
                              text=True, timeout=60)

    def tick_busy(self, seconds):
        """The decision loop's busy share, and its ticks per second, over
        `seconds` of wall time."""
        name = "swell_reconciler_tick_duration_seconds"
        b0, n0 = self.metric(name + "_sum"), self.metric(name + "_count")
        w0 = time.time()
        time.sleep(seconds)
        elapsed = time.time() - w0
        return ((self.metric(name + "_sum") - b0) / elapsed,
                (self.metric(name + "_count") - n0) / elapsed)

    def start_sims(self):
        for i, first in enumerate(range(0, self.n, self.per_process)):
            hosts = min(self.per_process, self.n - first)
            log = open(os.path.join(self.work, f"sim-{i}.log"), "w")
            self.sims.append(subprocess.Popen(
                [SIM, "--controller", f"127.0.0.1:{self.agent_port}",
                 "--hosts", str(hosts), "--first", str(first),
                 "--ca", f"{self.pki}/ca.pem", "--ca_key", f"{self.pki}/ca.key",
                 "--label", "role=web", "--health_interval", self.health_interval,
                 # Only the breach step's change ("workers = 0") hurts.
                 "--unhealthy_after_change", "1",
                 "--unhealthy_value", "workers = 0",
                 "--status_file", f"{self.work}/sim-{i}.json",
                 "--record", f"{self.work}/sim-{i}.csv",
                 "--report_interval", "500ms"], stdout=log, stderr=log))

    def sim_status(self):
        total = {"connected": 0, "started": 0}
        for i in range(len(self.sims)):
            try:
                with open(f"{self.work}/sim-{i}.json") as f:
                    s = json.load(f)
            except (OSError, ValueError):
                continue
            for k in total:
                total[k] += s.get(k, 0)
        return total

    def arrivals(self):
        """host -> [(generation, arrival_ms)], from every simulator's record."""
        for s in self.sims:
            s.send_signal(signal.SIGUSR1)
        time.sleep(1)  # the record is rewritten at the next report
        out = {}
        for i in range(len(self.sims)):
            with open(f"{self.work}/sim-{i}.csv") as f:
                next(f)
                for line in f:
                    host, gen, ms, _ = line.strip().split(",", 3)
                    out.setdefault(host, []).append((int(gen), int(ms)))
        return out

    def first_unhealthy_ms(self):
        """When a simulated agent first sent an unhealthy report (Unix ms);
        0 when none has."""
        firsts = []
        for i in range(len(self.sims)):
            try:
                with open(f"{self.work}/sim-{i}.json") as f:
                    firsts.append(json.load(f).get("first_unhealthy_ms", 0))
            except (OSError, ValueError):
                continue
        return min((t for t in firsts if t > 0), default=0)

    def metric(self, name):
        with urllib.request.urlopen(
                f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10) as r:
            for line in r.read().decode().splitlines():
                if line.startswith(name + " ") or line.startswith(name + "{"):
                    return float(line.rsplit(" ", 1)[1])
        return 0.0

    def submit(self, name, content, waves, bake):
        path = os.path.join(self.work, name + ".yaml")
        with open(path, "w") as f:
            f.write(PLAN.format(name=name, content=content, waves=waves, bake=bake))
        out = self.ctl("submit", path, "--reason", "fleet_bench", "-o", "json")
        if out.returncode != 0:
            raise RuntimeError(f"submit {name}: {out.stderr}")
        return json.loads(out.stdout)["rollout_id"]

    def status(self, rollout):
        """The rollout's summary: state, wave_phase, hosts_admitted, ..."""
        out = self.ctl("status", rollout, "-o", "json")
        if out.returncode != 0:
            return {}
        return json.loads(out.stdout).get("summary", {})

    def stop(self):
        for p in self.sims + [self.controller]:
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
        subprocess.run([os.path.join(ROOT, "deploy/pg-throwaway.sh"), "stop",
                        self.pg], capture_output=True)


def api_call_ms(fleet, failures=None):
    """One `swellctl list`, process start included, in ms. A failed call
    raises, or is appended to `failures` (its error) when given."""
    t = time.time()
    out = fleet.ctl("list")
    if out.returncode != 0:
        if failures is None:
            raise RuntimeError(f"swellctl list failed: {out.stderr.strip()}")
        failures.append(out.stderr.strip())
    return (time.time() - t) * 1000


def all_connected(fleet):
    return fleet.sim_status()["connected"] >= fleet.n


def watched_busy(fleet, rollout, watchers):
    """The decision loop's busy share over 10 s alone, then over 10 s with
    `watchers` `swellctl watch` processes following `rollout`."""
    alone, ticks = fleet.tick_busy(10)
    procs = [subprocess.Popen(fleet.ctl_args("watch", rollout),
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
             for _ in range(watchers)]
    try:
        time.sleep(3)  # every watcher connected and polling
        running = sum(p.poll() is None for p in procs)
        if running < watchers:
            raise RuntimeError(f"only {running} of {watchers} watchers run")
        watched, _ = fleet.tick_busy(10)
    finally:
        for p in procs:
            p.kill()
            p.wait()
    return alone, watched, ticks


def breach_to_rollback(fleet):
    """A change every host finds unhealthy, rolled back by its gate: p99 and
    worst seconds from the first unhealthy report sent until each admitted
    agent received the rollback."""
    before = {h: max(g for g, _ in a) for h, a in fleet.arrivals().items()}
    rid = fleet.submit("breach", "workers = 0", "[50%, 100%]", "60s")
    until("the breach rolled back", lambda: fleet.status(rid).get("state")
          == "rolled_back", 120)
    first = until("the first unhealthy report", fleet.first_unhealthy_ms, 30)
    admitted = fleet.status(rid)["hosts_admitted"]

    def received():
        # Each admitted host's newest generation is the rollback's.
        late = [max(a)[1] - first for h, a in fleet.arrivals().items()
                if max(a)[0] > before.get(h, 0) and max(a)[1] >= first]
        return late if len(late) >= admitted else None
    late = sorted(until("the rollback everywhere", received, 60))
    return late[int(0.99 * (len(late) - 1))] / 1000, late[-1] / 1000


def one_run(n, args):
    work = tempfile.mkdtemp(prefix="swell-fleet-bench.")
    os.chmod(work, 0o755)
    fleet = Fleet(n, args.per_process, work, args.health_interval)
    fleet.controller_args = args.controller_arg
    watchers, failed = args.watchers, False
    r = {}
    try:
        fleet.start_controller()
        time.sleep(2)
        idle_rss = rss_kb(fleet.controller.pid)
        t0 = time.time()
        fleet.start_sims()
        until("every agent connected", lambda: all_connected(fleet), 120)
        r["connect"] = time.time() - t0
        time.sleep(5)  # past the first hellos' pushes
        c0 = cpu_seconds(fleet.controller.pid)
        s0 = sum(cpu_seconds(s.pid) for s in fleet.sims)
        h0, w0 = fleet.metric("swell_health_reports_total"), time.time()
        k0 = fleet.metric("swell_reconciler_commits_total")
        time.sleep(10)
        elapsed = time.time() - w0
        r["ingest"] = (fleet.metric("swell_health_reports_total") - h0) / elapsed
        r["commits"] = (fleet.metric("swell_reconciler_commits_total") - k0) / elapsed
        r["api_idle_ms"] = statistics.median(api_call_ms(fleet) for _ in range(5))
        r["cpu"] = (cpu_seconds(fleet.controller.pid) - c0) / elapsed
        r["sim_cpu"] = (sum(cpu_seconds(s.pid) for s in fleet.sims) - s0) / elapsed
        r["rss_kb"] = (rss_kb(fleet.controller.pid) - idle_rss) / n

        t = time.time()
        rid = fleet.submit("whole-fleet", "workers = 8", "[1, 10%, 50%, 100%]", "2s")
        until("the rollout succeeded",
              lambda: fleet.status(rid).get("state") == "succeeded", 120)
        r["rollout"] = time.time() - t

        rid = fleet.submit("to-undo", "workers = 9", "[50%, 100%]", "60s")
        until("wave 1 converged", lambda: fleet.status(rid).get("wave_phase") == "baking", 120)
        if watchers:
            r["busy_alone"], r["busy_watched"], r["ticks"] = watched_busy(
                fleet, rid, watchers)
        before = {h: max(g for g, _ in a) for h, a in fleet.arrivals().items()}
        out = fleet.ctl("rollback", rid, "--reason", "fleet_bench")
        if out.returncode != 0:
            raise RuntimeError(f"swellctl rollback: {out.stderr}")
        returned = now_ms()

        admitted = fleet.status(rid)["hosts_admitted"]

        def rolled_back():
            late = [ms - returned for h, a in fleet.arrivals().items()
                    for g, ms in a if g > before.get(h, 0)]
            return late if len(late) >= admitted else None
        late = sorted(until("the rollback everywhere", rolled_back, 60))
        r["rollback_p99"] = late[int(0.99 * (len(late) - 1))] / 1000
        r["rollback_max"] = late[-1] / 1000
        until("the rollback finished", lambda: fleet.status(rid).get("state")
              == "rolled_back", 120)

        r["breach_p99"], r["breach_max"] = breach_to_rollback(fleet)

        rid = fleet.submit("across-restart", "workers = 10", "[50%, 100%]", "20s")
        until("wave 1 baking", lambda: fleet.status(rid).get("wave_phase") == "baking", 120)
        fleet.controller.kill()
        fleet.controller.wait()
        t = time.time()
        fleet.start_controller()
        # An operator's calls while the fleet comes back.
        storm, refused = [], []
        def back():
            storm.append(api_call_ms(fleet, refused))
            return all_connected(fleet)
        until("every agent back", back, 120)
        r["restart"] = time.time() - t
        r["api_storm_ms"] = max(storm)
        r["api_storm_failed"] = len(refused)
        for e in sorted(set(refused)):
            print(f"# swellctl list failed during the storm: {e}",
                  file=sys.stderr)
        final = until("the rollout ended", lambda: (
            lambda s: s if s.get("state") in ("succeeded", "rolled_back") else None)(
                fleet.status(rid)), 180)
        r["failed_hosts"] = final.get("hosts_failed", 0)
        r["ended"] = final.get("state")
    except Exception:
        failed = True
        print(f"# {n} agents, the run failed; measured so far: {r}",
              file=sys.stderr)
        if fleet.controller is not None and fleet.controller.poll() is None:
            print(f"# when it failed: {fleet.sim_status()}", file=sys.stderr)
        raise
    finally:
        fleet.stop()
        if failed and args.keep_failed:
            print(f"# logs kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--agents", default="1000,5000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--per-process", type=int, default=5000)
    ap.add_argument("--watchers", type=int, default=50)
    ap.add_argument("--health-interval", default="1s",
                    help="each simulated agent's health period")
    ap.add_argument("--controller-arg", action="append", default=[],
                    help="one more flag for swell-controller, e.g. "
                    "--controller-arg=--max_agent_handshakes=0; repeatable")
    ap.add_argument("--keep-failed", action="store_true",
                    help="keep a failed run's directory (logs, records)")
    args = ap.parse_args()
    print("| agents | connect s | RSS KB/agent | reports/s | controller cores |"
          " simulator cores | rollout s | rollback p99 s (worst) |"
          " breach to rollback p99 s (worst) |"
          " restart s | failed hosts | commits/s |"
          " API ms idle (storm worst, calls failed) |"
          " decision loop busy % alone (watched) | ticks/s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in [int(x) for x in args.agents.split(",")]:
        runs = []
        for i in range(args.runs):
            runs.append(one_run(n, args))
            print(f"# {n} agents, run {i + 1}: {runs[-1]}", file=sys.stderr)
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]
               if k != "ended"}
        print(f"| {n:,} | {med['connect']:.1f} | {med['rss_kb']:.1f} |"
              f" {med['ingest']:,.0f} | {med['cpu']:.2f} | {med['sim_cpu']:.2f} |"
              f" {med['rollout']:.1f} | {med['rollback_p99']:.2f}"
              f" ({med['rollback_max']:.2f}) |"
              f" {med['breach_p99']:.2f} ({med['breach_max']:.2f}) |"
              f" {med['restart']:.1f} |"
              f" {max(r['failed_hosts'] for r in runs)}"
              f" ({', '.join(r['ended'] for r in runs)}) |"
              f" {med['commits']:.1f} | {med['api_idle_ms']:.0f}"
              f" ({med['api_storm_ms']:.0f},"
              f" {max(r['api_storm_failed'] for r in runs)} failed) |"
              f" {100 * med.get('busy_alone', 0):.2f}"
              f" ({100 * med.get('busy_watched', 0):.2f}) |"
              f" {med.get('ticks', 0):.1f} |", flush=True)


if __name__ == "__main__":
    main()
