"""Messages and applications raise their member's data_version too (inquiry/versioning.py)."""

import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from inquiry.tests.factories import FundAccountFactory
from inquiry.tests.test_data_version import changes, version
from tasks.models import Application, ApplicationStep, Message
from tasks.tests.factories import MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    return FundAccountFactory().member, FundAccountFactory().member, FundAccountFactory().member


def test_messages_raise_it_one_by_one_and_in_bulk(pair):
    a, b, c = pair
    message = MessageFactory(member=a)
    changes(a, [b, c], lambda: MessageFactory(member=a))
    changes(a, [b, c], lambda: Message.objects.filter(pk=message.pk).update(read_at=message.sent_at))
    changes(a, [b, c], lambda: Message.objects.filter(pk=message.pk).delete())
    before_c = version(c)
    changes(a, [c], lambda: Message.objects.bulk_create([MessageFactory.build(member=m) for m in (a, b)]))
    assert version(c) == before_c


def test_applications_and_their_steps_raise_it(pair):
    a, b, _ = pair
    changes(a, [b], lambda: make_application(a))
    application = Application.objects.filter(member=a).get()
    step = Application.Step
    changes(a, [b], lambda: Application.objects.filter(pk=application.pk).update(current_step=step.REVIEW))
    changes(a, [b], lambda: ApplicationStep.objects.create(application=application, order=1, step=step.ACCEPT))
    changes(a, [b], lambda: ApplicationStep.objects.filter(application=application).update(opinion="同意"))


def make_application(member):
    return Application.objects.create(
        member=member,
        kind=Application.Kind.WITHDRAWAL,
        withdrawal_kind=Application.WithdrawalKind.RENT,
        submitted_at=timezone.now(),
        current_step=Application.Step.ACCEPT,
        form_token=uuid.uuid4(),
        amount=Decimal("10.00"),
    )


def test_a_broadcast_raises_its_recipients_versions_after_commit_without_holding_their_rows(
    pair, django_capture_on_commit_callbacks
):
    from django.db import connection

    from accounts.tests.factories import StaffUserFactory
    from tasks.models import Broadcast
    from tasks.services.messages import broadcast_send

    a, b, c = pair
    before = [version(m) for m in (a, b, c)]
    with django_capture_on_commit_callbacks() as callbacks:
        broadcast_send(
            sent_by=StaffUserFactory(),
            business="通知",
            content="系统维护",
            audience=Broadcast.Audience.EMPLOYER,
            employer=a.fund_account.employer,
        )
        if connection.vendor == "postgresql":
            # Inside the broadcast's transaction no member row was touched.
            assert [version(m) for m in (a, b, c)] == before
    for callback in callbacks:
        callback()
    assert version(a) > before[0]
    assert [version(b), version(c)] == before[1:]
