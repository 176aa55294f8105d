"""Real services on loopback that a fault test starts, breaks and brings back: a Redis of its own,
gunicorn serving Baqylau, Celery workers, and a TCP proxy that cuts PostgreSQL off.

Every process listens on 127.0.0.1 only, on a port nobody else holds, and is killed when the test
ends whatever happens; its output goes to a log file that a failing assertion shows.
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis as redis_client
import requests

from tests.services import unavailable

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tail(log: Path, chars: int = 3000) -> str:
    return log.read_text(errors="replace")[-chars:] if log.exists() else "(no log)"


def wait_for(condition, *, seconds: float, every: float = 0.1):
    """The first truthy value of condition() within `seconds`, or None."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    return None


class Process:
    """A subprocess writing to a log, killed at the end whatever happens."""

    def __init__(self, log: Path):
        self.log, self.process = log, None

    def spawn(self, command: list[str], env: dict | None = None) -> subprocess.Popen:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self.process

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def fail_if_exited(self, what: str) -> None:
        if self.process is not None and self.process.poll() is not None:
            pytest.fail(f"{what} exited with {self.process.returncode}:\n{tail(self.log)}")

    def stop(self) -> None:
        if self.running():
            # Its whole process group: a prefork worker's children and gunicorn's workers too.
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)


class RedisServer(Process):
    """`redis-server` of the test's own, without persistence: stopping it loses what it held."""

    def __init__(self, log: Path):
        super().__init__(log)
        if shutil.which("redis-server") is None:
            unavailable("no redis-server on PATH (apt-get install redis-server to run the fault tests)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        self.spawn([*command, "--save", "", "--appendonly", "no", "--daemonize", "no"])
        client = redis_client.Redis.from_url(self.url, socket_connect_timeout=0.5)
        if not wait_for(lambda: self._answers(client), seconds=10):
            self.fail_if_exited("redis-server")
            pytest.fail(f"redis-server did not answer on port {self.port}:\n{tail(self.log)}")
        client.close()
        return self

    @staticmethod
    def _answers(client) -> bool:
        try:
            return client.ping()
        except redis_client.RedisError:
            return False


class WebServer(Process):
    """gunicorn serving config.wsgi with threaded workers, as the README's production set-up does."""

    def __init__(self, log: Path, env: dict):
        super().__init__(log)
        self.env, self.url = env, ""

    def start(self) -> "WebServer":
        command = [str(BIN / "gunicorn"), "config.wsgi", "--bind", "127.0.0.1:0", "--workers", "1"]
        command += ["--worker-class", "gthread", "--threads", "4", "--timeout", "30"]
        self.spawn(command, env=self.env)
        listening = re.compile(r"Listening at: (http://127\.0\.0\.1:\d+)")
        found = wait_for(lambda: listening.search(tail(self.log, 100_000)), seconds=STARTUP_SECONDS)
        if not found:
            self.fail_if_exited("gunicorn")
            pytest.fail(f"gunicorn did not start listening:\n{tail(self.log)}")
        self.url = found.group(1)
        if not wait_for(self._alive, seconds=STARTUP_SECONDS, every=0.2):
            pytest.fail(f"gunicorn never answered /livez:\n{tail(self.log)}")
        return self

    def _alive(self) -> bool:
        self.fail_if_exited("gunicorn")
        try:
            return requests.get(f"{self.url}/livez", timeout=5).status_code == 200
        except requests.RequestException:
            return False


class CeleryWorker(Process):
    """`celery worker` consuming the default queue; `pool` is "solo" or "prefork" (one child)."""

    def __init__(self, log: Path, env: dict, *, name: str, pool: str = "solo"):
        super().__init__(log)
        self.env, self.name, self.pool = env, name, pool

    def start(self) -> "CeleryWorker":
        command = [str(BIN / "celery"), "-A", "config", "worker", f"--pool={self.pool}", "--concurrency=1"]
        command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "-Q", "celery"]
        command += ["--loglevel=INFO", f"--hostname={self.name}@%h"]
        self.spawn(command, env=self.env)
        if not wait_for(lambda: self._ready(), seconds=STARTUP_SECONDS, every=0.2):
            pytest.fail(f"worker {self.name} did not get ready:\n{tail(self.log)}")
        return self

    def _ready(self) -> bool:
        self.fail_if_exited(f"worker {self.name}")
        return "ready." in tail(self.log, 100_000)

    def children(self) -> list[int]:
        """The pool's processes (prefork): the ones that run the tasks."""
        # Any of the worker's threads may have started one (the pool replaces a process that died).
        tasks = Path(f"/proc/{self.process.pid}/task").glob("*/children")
        return sorted(int(pid) for path in tasks for pid in path.read_text().split())


class TcpProxy:
    """Forwards each connection on a loopback port to `target`. `cut()` drops every connection and
    closes each new one at once, as a database server that restarts does; `restore()` ends that."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self._open, self._closed = threading.Event(), threading.Event()
        self._open.set()
        self._lock, self._sockets = threading.Lock(), set()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self._open.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets |= {client, upstream}
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            with contextlib.suppress(OSError):  # a cut closes the sockets under this thread
                while data := source.recv(65536):
                    sink.sendall(data)
        finally:
            self._drop(source, sink)

    def _drop(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with self._lock:
                self._sockets.discard(sock)
            with contextlib.suppress(OSError):  # already closed by its other end
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def connections(self) -> int:
        with self._lock:
            return len(self._sockets) // 2

    def cut(self) -> None:
        self._open.clear()
        with self._lock:
            sockets = list(self._sockets)
        self._drop(*sockets)

    def restore(self) -> None:
        self._open.set()

    def close(self) -> None:
        self._closed.set()
        self.cut()
        self.listener.close()
