"""The load half of bench/ingest.py: a private Redis, gunicorn started as the README says, and wrk
(Debian's package) sending observers' writes with a Lua script that gives every request a new id.

Every process started here listens on a free loopback port and is stopped by its own process id.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
WRK_THREADS = 2
WARM_UP_SECONDS = 3

# Sent by wrk: request() builds each request, response() counts the 2xx answers, done() prints the
# figures as one JSON line. Each thread walks the observers from its own offset, so in a run every
# observer sends about as much (their tokens stay inside their request budgets).
LUA = """
local observers = {%(observers)s}
local path, template, nonce = "%(path)s", '%(template)s', "%(nonce)s"
local threads, counter = {}, 0
-- Globals: setup() sets each thread's id, done() reads each thread's count.
thread_id, ok = 0, 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

function request()
  counter = counter + 1
  local who = observers[((counter - 1) * %(threads)d + thread_id - 1) %% #observers + 1]
  local id = string.format("%%s-%%04x-4000-8000-%%012x", nonce, thread_id, counter)
  local headers = {["Authorization"] = "Bearer " .. who[1], ["Content-Type"] = "application/json"}
  return wrk.format("POST", path, headers, string.format(template, id, who[2]))
end

function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 end
end

function done(summary, latency, requests)
  local answered = 0
  for _, thread in ipairs(threads) do answered = answered + thread:get("ok") end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%f, "ok": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "p50": %%d, "p95": %%d, "p99": %%d}\\n',
    summary.requests, summary.duration / 1e6, answered, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args[0]} stopped at start (exit {process.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answered on 127.0.0.1:{port} within {seconds:.0f} s")


def stop(process: subprocess.Popen) -> None:
    """Stop a process this benchmark started, by its own id."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


def start_redis(directory: Path) -> tuple[subprocess.Popen, str]:
    """A Redis of this run's own (no persistence), as the cache the request budgets are counted in."""
    if not shutil.which("redis-server"):
        raise SystemExit("redis-server is needed (apt-get install redis-server), or pass --redis-url")
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
    )
    wait_for_port(port, process)
    return process, f"redis://127.0.0.1:{port}/0"


# gunicorn's workers and threads per worker, as README's production section starts it.
README_WORKERS, README_THREADS = 8, 2


def start_gunicorn(
    app: str, env: dict, workers: int, threads: int, log: Path
) -> tuple[subprocess.Popen, int]:
    """gunicorn as README's production section runs it: threaded workers on a loopback port."""
    port = free_port()
    command = [str(GUNICORN), app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    command += ["--worker-class", "gthread", "--threads", str(threads), "--pythonpath", str(ROOT / "bench")]
    with log.open("ab") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    wait_for_port(port, process)
    return process, port


def wrk(
    port: int, path: str, template: str, observers: list[tuple[str, int]], *, seconds: int, connections: int
) -> dict:
    """wrk's figures for `seconds` of POSTs to `path`, each with a new id; latencies in ms."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    script = LUA % {
        "observers": ",".join(f'{{"{key}",{station}}}' for key, station in observers),
        "path": path,
        "template": template,
        "nonce": os.urandom(4).hex(),
        "threads": WRK_THREADS,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        command = ["wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
        finished = subprocess.run(
            [*command, "-s", file.name, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True
        )
    finally:
        os.unlink(file.name)
    line = next((line for line in finished.stdout.splitlines() if line.startswith("RESULT ")), None)
    if finished.returncode or line is None:
        raise SystemExit(f"wrk failed (exit {finished.returncode}): {finished.stdout} {finished.stderr}")
    figures = json.loads(line.removeprefix("RESULT "))
    for key in ("p50", "p95", "p99"):
        figures[key] /= 1000
    figures["rate"] = figures["requests"] / figures["seconds"]
    figures["errors"] = sum(figures[key] for key in ("connect", "read", "write", "status", "timeout"))
    return figures


def warm_up(port: int, path: str, template: str, observers, connections: int) -> None:
    """Every worker and thread opens its database connection and imports what it needs."""
    wrk(port, path, template, observers, seconds=WARM_UP_SECONDS, connections=connections)


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User and system CPU time each process has used so far (one that ended is left out)."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return used


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between the two readings by the processes alive at the second; one started
    in between counts whole, one that ended in between (a connection past its age) is lost."""
    return sum(seconds - before.get(pid, 0) for pid, seconds in after.items())


def children(pid: int) -> list[int]:
    """The processes `pid` started: gunicorn's workers."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found
