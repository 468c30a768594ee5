"""Messages stored with an unreadable 发送时间 before the push API checked it
(year 10000, BC): the data migration clamps them, after which every page that
shows them opens again."""

import importlib
from datetime import UTC, datetime
from http import HTTPStatus

import pytest
from django.apps import apps as django_apps
from django.db import DataError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import StaffUserFactory
from conftest import log_in_staff
from tasks.models import Message
from tasks.models.messages import SENT_AT_EARLIEST

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 28, 1, 30, tzinfo=UTC)
# What PostgreSQL keeps for "9999-12-31T23:59:59-12:00" and "0001-01-01T00:00:00"
# (+08:00) in UTC; on SQLite the text Django would read back, just as unreadable.
BAD_TIMES = {
    "postgresql": {"late": "10000-01-01 11:59:59+00", "early": "0001-12-31 16:00:00+00 BC"},
    "sqlite": {"late": "10000-01-01 11:59:59", "early": "0000-12-31 16:00:00"},
}


def clamp_sent_at():
    migration = importlib.import_module("tasks.migrations.0006_message_sent_at_clamp")
    migration.clamp_sent_at(django_apps, None)


def insert_raw(member, key: str, sent_at: str) -> int:
    """A message row written as the unchecked push API stored it, past the ORM."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tasks_message (member_id, business, content, channel, sent_at, idempotency_key)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [member.pk, f"推送{key}", "内容", Message.Channel.COUNTER, sent_at, key],
        )
    # values_list reads the id only: the row itself cannot be read yet.
    return Message.objects.filter(idempotency_key=key).values_list("pk", flat=True).get()


@pytest.fixture
def bad_messages(member_user):
    times = BAD_TIMES[connection.vendor]
    return {which: insert_raw(member_user.member, which, sent_at) for which, sent_at in times.items()}


def test_unreadable_sent_at_breaks_the_members_home_page_before_the_repair(member_client, bad_messages):
    with pytest.raises((DataError, ValueError, OverflowError)):
        member_client.get(reverse("tasks:home"))


def test_clamp_sent_at_moves_late_times_to_now_and_early_ones_to_2000(member_user, bad_messages, monkeypatch):
    kept = Message.objects.create(member=member_user.member, business="正常", content="内容", sent_at=NOW)
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    clamp_sent_at()
    times = dict(Message.objects.values_list("idempotency_key", "sent_at"))
    if connection.vendor == "postgresql":
        assert times["late"] == NOW
    else:
        # SQLite compares the text: "10000-…" sorts below "2000-…".
        assert times["late"] == SENT_AT_EARLIEST
    assert times["early"] == SENT_AT_EARLIEST
    kept.refresh_from_db()
    assert kept.sent_at == NOW
    assert Message.objects.count() == 3  # clamped, not deleted


def test_after_the_repair_every_page_showing_the_messages_opens(member_client, member_user, bad_messages, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    clamp_sent_at()
    for url in (reverse("tasks:home"), reverse("tasks:messages_unread"), reverse("tasks:messages_read")):
        assert member_client.get(url).status_code == HTTPStatus.OK, url
    for pk in bad_messages.values():
        response = member_client.get(reverse("tasks:message_detail", args=[pk]))
        assert response.status_code == HTTPStatus.OK
        assert "2000-01-01" in response.content.decode() or "2026-11-28" in response.content.decode()
    staff = log_in_staff(Client(), StaffUserFactory())
    for pk in bad_messages.values():
        assert staff.get(reverse("admin:tasks_message_change", args=[pk])).status_code == HTTPStatus.OK
    search = staff.get(reverse("admin:tasks_message_changelist"), {"q": member_user.member.id_number})
    assert search.status_code == HTTPStatus.OK
    assert {row.pk for row in search.context["cl"].result_list} == set(bad_messages.values())
    for pk in bad_messages.values():
        response = member_client.post(reverse("tasks:message_delete", args=[pk]))
        assert response.status_code == HTTPStatus.FOUND
    assert Message.objects.filter(deleted_at__isnull=False).count() == 2
