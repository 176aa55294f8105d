"""An installation of Baqylau as an operator runs it, for the operations tests: its environment, its
management commands, gunicorn and Celery workers, each a process of its own on loopback (the process
and Redis helpers of tests/faults), killed at the end whatever happens."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from tests.faults.processes import BIN, ROOT, STARTUP_SECONDS, Process, free_port, tail, wait_for

SECRET_KEY = "operations-tests-secret-key-not-for-production-use"
# What the tests' own environment may say about these must not reach an installation they start.
INHERITED_OUT = ("DJANGO_", "BAQYLAU_", "DATABASE_URL", "REDIS_URL", "SENTRY_", "PROMETHEUS_", "AWS_")

__all__ = ["Site", "WebServer", "Worker", "free_port", "tail", "wait_for"]


class Site:
    """One installation: a database, a photo folder and the settings of tests/ops/site_settings.py."""

    def __init__(self, home: Path, database_url: str, **environment: str):
        self.home, self.media = home, home / "media"
        home.mkdir(parents=True, exist_ok=True)
        self.env = {key: value for key, value in os.environ.items() if not key.startswith(INHERITED_OUT)}
        self.env |= {
            "DJANGO_SETTINGS_MODULE": "tests.ops.site_settings",
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DJANGO_DEBUG": "false",
            "DJANGO_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_MEDIA_ROOT": str(self.media),
            "DATABASE_URL": database_url,
            **environment,
        }

    def manage(self, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
        finished = subprocess.run(
            [str(BIN / "python"), "manage.py", *map(str, arguments)],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and finished.returncode != 0:
            command = " ".join(map(str, arguments))
            pytest.fail(f"manage.py {command} failed:\n{finished.stdout}\n{finished.stderr[-3000:]}")
        return finished

    def stored_files(self) -> dict[str, bytes]:
        photos = self.media / "photos"
        return {
            str(path.relative_to(photos)): path.read_bytes() for path in photos.rglob("*") if path.is_file()
        }


class WebServer(Process):
    """gunicorn serving config.wsgi as the README says, with `workers` worker processes."""

    def __init__(self, site: Site, *, workers: int = 1, name: str = "web"):
        super().__init__(site.home / f"{name}.log")
        self.env, self.workers, self.url = site.env, workers, ""

    def __enter__(self) -> "WebServer":
        command = [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            "127.0.0.1:0",
            "--workers",
            str(self.workers),
        ]
        command += ["--worker-class", "gthread", "--threads", "4", "--timeout", "60"]
        self.spawn(command, env=self.env)
        listening = re.compile(r"Listening at: (http://127\.0\.0\.1:\d+)")
        found = wait_for(lambda: listening.search(tail(self.log, 100_000)), seconds=STARTUP_SECONDS)
        if not found:
            self.fail_if_exited("gunicorn")
            self.stop()
            pytest.fail(f"gunicorn did not start listening:\n{tail(self.log)}")
        self.url = found.group(1)
        if not wait_for(self._answers, seconds=STARTUP_SECONDS, every=0.2):
            self.stop()
            pytest.fail(f"gunicorn never answered /healthz:\n{tail(self.log)}")
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _answers(self) -> bool:
        self.fail_if_exited("gunicorn")
        try:
            return requests.get(f"{self.url}/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            return False


class Worker(Process):
    """`celery worker` with a prefork pool of `concurrency` processes, consuming the default queue."""

    def __init__(self, site: Site, *, concurrency: int = 2):
        super().__init__(site.home / "worker.log")
        self.env, self.concurrency = site.env, concurrency

    def __enter__(self) -> "Worker":
        if shutil.which("celery", path=str(BIN)) is None:
            pytest.fail(f"no celery in {BIN}")
        command = [str(BIN / "celery"), "-A", "config", "worker", "--pool=prefork"]
        command += [f"--concurrency={self.concurrency}", "--without-heartbeat", "--without-gossip"]
        command += ["--without-mingle", "-Q", "celery", "--hostname=ops-tests@%h"]
        self.spawn(command, env=self.env)
        if not wait_for(self._ready, seconds=STARTUP_SECONDS, every=0.2):
            self.stop()
            pytest.fail(f"the worker did not get ready:\n{tail(self.log)}")
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _ready(self) -> bool:
        self.fail_if_exited("the worker")
        return "ready." in tail(self.log, 100_000)
