"""The decisions outbox as the core reads it: offered until acknowledged,
by an id cursor; acknowledging twice is harmless."""

import pytest

from tasks.models import Decision
from tasks.selectors.decisions import decisions_offered, decisions_unknown
from tasks.services.decisions import decisions_acknowledge
from tasks.tests.factories import DecisionFactory

pytestmark = pytest.mark.django_db


def test_decisions_offered_are_the_unacknowledged_after_the_cursor_in_id_order():
    first, second, third, fourth = DecisionFactory.create_batch(4)
    decisions_acknowledge(serial_nos=[second.serial_no])
    assert decisions_offered(after=0, limit=10) == [first, third, fourth]
    assert decisions_offered(after=first.pk, limit=10) == [third, fourth]
    assert decisions_offered(after=0, limit=2) == [first, third]
    assert decisions_offered(after=fourth.pk, limit=10) == []
    assert decisions_offered(after=0, limit=0) == []


def test_decisions_acknowledge_twice_is_harmless_and_keeps_the_first_time(clock):
    decision = DecisionFactory()
    assert decisions_acknowledge(serial_nos=[decision.serial_no, decision.serial_no]).count == 1
    decision.refresh_from_db()
    first_ack = decision.acked_at
    assert first_ack is not None
    clock.advance(minutes=5)
    assert decisions_acknowledge(serial_nos=[decision.serial_no]).count == 0
    decision.refresh_from_db()
    assert decision.acked_at == first_ack
    assert decisions_offered(after=0, limit=10) == []


def test_decisions_acknowledge_ignores_and_reports_unknown_serials(caplog):
    decision = DecisionFactory()
    assert decisions_acknowledge(serial_nos=["WTNOSUCH", " ", decision.serial_no]).count == 1
    assert "WTNOSUCH" in caplog.text
    assert decisions_unknown(serial_nos=["WTNOSUCH", decision.serial_no, "WTNOSUCH"]) == ["WTNOSUCH"]
    assert Decision.objects.get().state == Decision.State.PENDING  # received, not booked


def test_decisions_acknowledge_many_serials_in_chunks():
    decisions = DecisionFactory.create_batch(3)
    serials = [f"WTX{n:06d}" for n in range(1200)] + [d.serial_no for d in decisions]
    assert decisions_acknowledge(serial_nos=serials).count == 3
    assert not Decision.objects.unacknowledged().exists()
