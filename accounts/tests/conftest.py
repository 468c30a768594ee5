"""Fixtures of the accounts tests: a movable clock, the SMS outbox and a
member registered with the center but not yet online."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services, sms

CAPTCHA = {"captcha_0": "test", "captcha_1": "PASSED"}
NEW_PASSWORD = "Zz8kq2mwx"


class Clock:
    """`timezone.now()` under the test's control."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # With DEBUG off the manifest storage needs `collectstatic`; tests render without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def deliver_sms() -> None:
    """Run the SMS jobs that are pending, as the queue would right after the
    commit (a test's transaction never commits, so the on-commit enqueue does
    not run; this is the same outbox delivery the job performs)."""
    from zzgjj_portal.models import OutboxItem
    from zzgjj_portal.outbox import outbox_deliver

    for pk in OutboxItem.objects.filter(kind=services.SMS_KIND, done_at__isnull=True).values_list("pk", flat=True):
        outbox_deliver(pk)


class PhoneInbox:
    """What the phones received: the locmem backend's list, read after the
    pending SMS jobs ran (deliver_sms)."""

    def _delivered(self) -> list:
        deliver_sms()
        return sms.outbox

    def __len__(self):
        return len(self._delivered())

    def __getitem__(self, index):
        return self._delivered()[index]

    def __iter__(self):
        return iter(self._delivered())

    def __bool__(self):
        return bool(self._delivered())

    def __eq__(self, other):
        return self._delivered() == other

    def clear(self):
        self._delivered().clear()


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "accounts.sms.LocmemBackend"
    sms.outbox.clear()
    yield PhoneInbox()
    sms.outbox.clear()


@pytest.fixture
def member(db):
    """A member the center knows (fund account, reserved phone), not registered online."""
    from inquiry.tests.factories import FundAccountFactory

    return FundAccountFactory().member


def last_code(outbox) -> str:
    return re.search(r"验证码为(\d{6})", outbox[-1].text).group(1)


def identity(client, url_name: str, member, **overrides):
    data = {"name": member.name, "id_number": member.id_number, **CAPTCHA, **overrides}
    return client.post(reverse(url_name), data)


def send_code(client, url_name: str):
    return client.post(reverse(url_name), {"action": "send"}, follow=True)


def verify_code(client, url_name: str, code: str):
    return client.post(reverse(url_name), {"action": "verify", "code": code})
