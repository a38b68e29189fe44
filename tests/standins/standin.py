"""Shared state of the stand-in host tools (apt-get, dpkg-query, docker, ...).

Tests have no Docker engine and must not touch the machine's packages, so
they put these stand-ins first on PATH. Each keeps the state a real host
would have in $SWELL_STANDIN_STATE/host.json:

  engine        the Docker engine's package name (default docker-ce)
  packages      {name: installed version}
  available     {name: [versions apt can install]}: the package lists
  repository    {name: [versions]} published but not yet in the package
                lists: `apt-get update` adds them to available
  held          [names held by apt-mark]
  daemon        {"running": bool, "version": upstream version it runs}
  containers    [{"id", "name", "ports", "running"}]
  units         {unit: "active" | "failed"}
  proc_dir      where orphans show up as <pid>/cmdline (default $SWELL_ROOT/proc)
  faults        how to misbehave:
    slow            {"apt-get install": seconds, "systemctl restart": seconds, ...}
    refuse_versions [versions apt-get reports as not found]
    update_fails    the error line `apt-get update` fails with (exit 100)
    orphans_on_restart_to [upstream versions whose daemon start orphans every
                           running container that publishes ports]
    fail_units      [units whose restart fails]

and appends every call to $SWELL_STANDIN_STATE/calls.log, one line each:
the program's name and its arguments joined by spaces (unless
$SWELL_STANDIN_QUIET is set: a test looking at the host is not the agent).
"""

import contextlib
import fcntl
import json
import os
import sys
import time

STATE_ENV = "SWELL_STANDIN_STATE"


def state_dir():
    d = os.environ.get(STATE_ENV)
    if not d:
        sys.stderr.write("stand-in: %s is not set\n" % STATE_ENV)
        sys.exit(2)
    os.makedirs(d, exist_ok=True)
    return d


@contextlib.contextmanager
def locked(name):
    with open(os.path.join(state_dir(), name), "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def log_call(argv):
    if os.environ.get("SWELL_STANDIN_QUIET"):
        return
    line = " ".join([os.path.basename(argv[0])] + argv[1:]) + "\n"
    with locked("calls.lock"):
        with open(os.path.join(state_dir(), "calls.log"), "a") as f:
            f.write(line)


def _path():
    return os.path.join(state_dir(), "host.json")


def load():
    try:
        with open(_path()) as f:
            s = json.load(f)
    except FileNotFoundError:
        s = {}
    s.setdefault("engine", "docker-ce")
    s.setdefault("packages", {})
    s.setdefault("available", {})
    s.setdefault("repository", {})
    s.setdefault("held", [])
    s.setdefault("daemon", {"running": False, "version": ""})
    s.setdefault("containers", [])
    s.setdefault("units", {})
    s.setdefault("faults", {})
    return s


def save(s):
    tmp = _path() + ".tmp"
    with open(tmp, "w") as f:
        json.dump(s, f, indent=1, sort_keys=True)
    os.replace(tmp, _path())


@contextlib.contextmanager
def update():
    """Read-modify-write of the host state, under its lock."""
    with locked("state.lock"):
        s = load()
        yield s
        save(s)


def read():
    with locked("state.lock"):
        return load()


def slow(key):
    """Sleeps as long as faults.slow[key] says (outside any state lock)."""
    seconds = read()["faults"].get("slow", {}).get(key, 0)
    if seconds:
        time.sleep(seconds)


def upstream(version):
    """The upstream part of a Debian version: no epoch, no revision."""
    if ":" in version and version.split(":", 1)[0].isdigit():
        version = version.split(":", 1)[1]
    if "-" in version:
        version = version.rsplit("-", 1)[0]
    return version


def proc_dir(s):
    return s.get("proc_dir") or os.path.join(os.environ.get("SWELL_ROOT", "/nonexistent"), "proc")


def add_process(s, argv):
    """Leaves a process behind: <proc_dir>/<pid>/cmdline, as /proc shows it."""
    d = proc_dir(s)
    os.makedirs(d, exist_ok=True)
    pid = 40000 + len(os.listdir(d))
    os.makedirs(os.path.join(d, str(pid)), exist_ok=True)
    with open(os.path.join(d, str(pid), "cmdline"), "wb") as f:
        f.write(b"".join(a.encode() + b"\0" for a in argv))
    return pid


def fail(message, code=1):
    sys.stderr.write(message + "\n")
    sys.exit(code)
