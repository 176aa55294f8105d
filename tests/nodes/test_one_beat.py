"""Exactly one beat: two real `celery beat` processes on one Redis, as if started on two machines.

The first takes the beat lock and sends the schedule; the second stays a standby and sends nothing.
The first is killed (SIGKILL: its machine is lost, it releases nothing): once its lock expires the
standby takes over and sends the schedule. The settings (tests/nodes/beat_settings.py) give the
beat a lock of seconds and a task due every second.
"""

import re

import pytest
import redis

from config.beat import LOCK_KEY
from tests.faults.conftest import server_env
from tests.faults.processes import BIN, Process, tail, wait_for

SENT = "Scheduler: Sending due task nodes-test-every-second"
HOLDING = re.compile(r"beat: holding the beat lock \S+ as (\S+?);")


class Beat(Process):
    def __init__(self, tmp_path, name: str, env: dict):
        super().__init__(tmp_path / f"beat-{name}.log")
        self.name, self.env, self.folder = name, env, tmp_path

    def start(self) -> "Beat":
        command = [str(BIN / "celery"), "-A", "config", "beat", "--loglevel=INFO"]
        command += [f"--schedule={self.folder / f'schedule-{self.name}'}"]
        command += [f"--pidfile={self.folder / f'beat-{self.name}.pid'}"]
        self.spawn(command, env=self.env)
        return self

    def text(self) -> str:
        self.fail_if_exited(f"beat {self.name}")
        return tail(self.log, 1_000_000)

    def sent(self) -> int:
        return self.text().count(SENT)


def logs(*beats: Beat) -> str:
    return "\n".join(f"--- beat {beat.name}:\n{tail(beat.log)}" for beat in beats)


@pytest.fixture
def beats(own_redis, tmp_path):
    env = server_env(REDIS_URL=own_redis.url, DJANGO_SETTINGS_MODULE="tests.nodes.beat_settings")
    pair = [Beat(tmp_path, name, env) for name in ("first", "second")]
    try:
        yield pair
    finally:
        for beat in pair:
            beat.stop()


def test_a_second_beat_stands_by_and_takes_over_when_the_first_dies(beats, own_redis):
    first, second = beats
    client = redis.Redis.from_url(own_redis.url)
    first.start()
    assert wait_for(lambda: first.sent() >= 2, seconds=60), logs(first)
    holder = HOLDING.search(first.text()).group(1)
    assert holder.split(":")[1] == str(first.process.pid)
    assert client.get(LOCK_KEY).decode() == holder

    second.start()
    assert wait_for(lambda: "beat: standby, the beat lock" in second.text(), seconds=60), logs(second)
    assert f"is held by {holder}" in second.text()
    sent_before = first.sent()
    assert wait_for(lambda: first.sent() >= sent_before + 3, seconds=30), logs(first, second)
    assert second.sent() == 0, logs(second)
    assert client.get(LOCK_KEY).decode() == holder

    first.stop()  # SIGKILL of its process group: the lock is left to expire
    taken = wait_for(lambda: HOLDING.search(second.text()), seconds=30)
    assert taken, logs(second)
    assert taken.group(1).split(":")[1] == str(second.process.pid)
    assert client.get(LOCK_KEY).decode() == taken.group(1)
    assert wait_for(lambda: second.sent() >= 2, seconds=30), logs(second)
