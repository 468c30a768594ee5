"""The queue for real: a Celery worker process against RabbitMQ and the test
database, killed and restarted, and a broker that cannot be reached.

These need PostgreSQL (a worker process cannot see SQLite's in-memory test
database) and RabbitMQ on 127.0.0.1:5672, as CI has; elsewhere they skip.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from zzgjj_portal.celery import app as celery_app

BROKER = os.environ.get("TEST_CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
DEAD_BROKER = "amqp://guest:guest@127.0.0.1:1//"
ROOT = Path(__file__).resolve().parents[2]
# One queue of this test run's own for the whole module: Celery keeps the
# routing of its first real publish for the life of the process.
QUEUE = f"zzgjj-test-{uuid.uuid4().hex[:8]}"


def _rabbitmq_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
    except OSError:
        return False
    return True


pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
        reason="a worker process needs a server database (SQLite's test database is in memory)",
    ),
    pytest.mark.skipif(not _rabbitmq_up(), reason="needs RabbitMQ on 127.0.0.1:5672"),
]


class Worker:
    """`celery worker` in its own process group, on a queue of this test's own."""

    def __init__(self, queue: str, env: dict):
        self.queue, self.env, self.proc = queue, env, None

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "celery", "-A", "zzgjj_portal", "worker", "-Q", self.queue, "-c", "1", "-l", "info"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL to the whole worker (main process and its child): no goodbye to the broker."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def worker(settings):
    """A real worker, and this process enqueueing to RabbitMQ instead of running jobs eagerly."""
    queue = QUEUE
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": BROKER,
        "CELERY_QUEUE": queue,
        "SECRET_KEY": django_settings.SECRET_KEY,  # the worker unseals what this process sealed
        "SMS_BACKEND": "accounts.sms.FileBackend",
        "SMS_FILE_PATH": str(ROOT / "test-artifacts" / f"sms-{uuid.uuid4().hex[:8]}"),
        "TASKS_BROADCAST_BATCH_SIZE": "100",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER = BROKER, False
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    use_broker(BROKER, task_always_eager=False, task_default_queue=queue)
    handle = Worker(queue, env)
    handle.sms_dir = Path(env["SMS_FILE_PATH"])
    try:
        yield handle
    finally:
        handle.stop()
        use_broker(saved.pop("broker_url"), **saved)
        with celery_app.connection_for_write(BROKER) as conn:
            conn.default_channel.queue_purge(queue)  # nothing left for the next test's worker


def use_broker(url: str, **conf) -> None:
    """Point this process's producer at `url` from its next publish on."""
    celery_app.conf.update(broker_url=url, **conf)
    # Celery makes new pools on the next publish when these are empty (the
    # old ones are not closed: kombu keeps them in a registry by URL, and a
    # closed one would be handed out again when the URL comes back).
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def wait_for(condition, seconds: float = 60, what: str = "") -> float:
    """Poll `condition` (the worker is another process: no clock fixture can move it)."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if condition():
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds} s waiting for {what() if callable(what) else what}")


def test_broadcast_survives_a_worker_killed_mid_fanout(worker, capsys):
    from django.db.models import Count

    from accounts.tests.factories import StaffUserFactory
    from inquiry.models import Employer
    from inquiry.tests.factories import bulk_members
    from tasks.models import Broadcast, Message
    from tasks.services import broadcast_send

    members = bulk_members(10_000, employer=Employer.objects.create(name="群发测试单位", account_no="ZZQF0001"))
    worker.start()
    broadcast = broadcast_send(
        sent_by=StaffUserFactory(), business="系统通知", content="网厅将于周六维护。", audience="all"
    )

    def progress() -> int:
        return Broadcast.objects.values_list("delivered_count", flat=True).get(pk=broadcast.pk)

    wait_for(lambda: progress() >= 1000, what="the fan-out to start")
    worker.kill()
    at_kill = progress()
    assert 0 < at_kill < 10_000, "the worker must die in the middle of the fan-out"
    worker.start()  # RabbitMQ hands the unacknowledged job to the new worker
    took = wait_for(
        lambda: Broadcast.objects.filter(pk=broadcast.pk, finished_at__isnull=False).exists(),
        what="the fan-out to finish after the restart",
    )
    per_member = Message.objects.filter(broadcast=broadcast).values("member").annotate(n=Count("id"))
    assert per_member.count() == 10_000 == len(members)
    assert {row["n"] for row in per_member} == {1}  # exactly one each
    assert Broadcast.objects.get(pk=broadcast.pk).delivered_count == 10_000
    with capsys.disabled():
        print(f"\nworker SIGKILLed at {at_kill} of 10000; after restart the fan-out finished in {took:.1f} s")


def test_broker_unreachable_pages_answer_and_the_relay_delivers_once_after(worker, client, capsys):
    """RabbitMQ 'down' is a broker this process cannot reach (the shared
    service is not stopped under other tests): registrations and staff
    approving answer at once, their outbox items wait, and once the broker is
    back the relay delivers every code and message exactly once."""
    from accounts.models import SmsLog
    from inquiry.tests.factories import FundAccountFactory
    from tasks.models import Application, Message
    from tasks.services import applications as flow
    from tasks.tests.conftest import deposit_months, staff_in
    from zzgjj_portal import outbox
    from zzgjj_portal.models import OutboxItem

    worker.start()
    use_broker(DEAD_BROKER)
    slowest = 0.0
    for n in range(5):
        member = FundAccountFactory(member__phone=f"1391234{n:04d}").member
        client.cookies.clear()
        identity = {"name": member.name, "id_number": member.id_number, "captcha_0": "t", "captcha_1": "PASSED"}
        assert client.post("/register/", identity).status_code == 302
        start = time.monotonic()
        response = client.post("/register/sms/", {"action": "send"})
        slowest = max(slowest, time.monotonic() - start)
        assert response.status_code in (200, 302)
    account = FundAccountFactory(bank_account_no="6217000101000000009")
    deposit_months(account, 12)
    application = flow.withdrawal_submit(
        member=account.member,
        withdrawal_kind=Application.WithdrawalKind.RENT,
        amount=Decimal("1000.00"),
        form_token=uuid.uuid4(),
    ).application
    for step, group, name in (
        ("accept", "受理员", "张受理"),
        ("review", "审核员", "李审核"),
        ("approve", "审批员", "王审批"),
    ):
        start = time.monotonic()
        flow.application_step_approve(
            application_id=application.pk, step=step, actor=staff_in(group, username=step, name=name), opinion="同意"
        )
        slowest = max(slowest, time.monotonic() - start)
    pending = OutboxItem.objects.filter(done_at__isnull=True).count()
    assert pending == 5 + 4  # five codes; the submission's and three steps' messages
    assert SmsLog.objects.count() == 0 and not Message.objects.filter(member=account.member).exists()

    use_broker(BROKER)  # the broker is back: the relay (celery beat) offers them
    OutboxItem.objects.update(created_at=OutboxItem.objects.earliest("created_at").created_at.replace(year=2020))
    assert outbox.outbox_relay() == pending
    wait_for(
        lambda: not OutboxItem.objects.filter(done_at__isnull=True).exists(),
        what=lambda: f"the relay's deliveries: {list(OutboxItem.objects.values_list('kind', 'attempts', 'done_at'))}",
    )
    assert outbox.outbox_relay() == 0
    assert SmsLog.objects.filter(ok=True).count() == 5 == len(list(worker.sms_dir.iterdir()))
    assert Message.objects.filter(member=account.member).count() == 4
    with capsys.disabled():
        print(f"\nbroker unreachable: slowest answer {slowest * 1000:.0f} ms; {pending} items relayed, once each")
