"""factory-boy factories for the task area."""

import uuid
from decimal import Decimal

import factory
from django.utils import timezone

from inquiry.tests.factories import MemberFactory
from tasks.models import Application, Decision, Message


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    member = factory.SubFactory(MemberFactory)
    business = factory.Sequence(lambda n: f"业务{n}")
    content = factory.Sequence(lambda n: f"第{n}条消息的内容。")
    channel = Message.Channel.COUNTER
    sent_at = factory.LazyFunction(timezone.now)


class CompletedApplicationFactory(factory.django.DjangoModelFactory):
    """A 租房提取 application already 办结 (its steps are not made: for the outbox's tests)."""

    class Meta:
        model = Application

    member = factory.SubFactory(MemberFactory)
    kind = Application.Kind.WITHDRAWAL
    withdrawal_kind = Application.WithdrawalKind.RENT
    status = Application.Status.COMPLETED
    current_step = ""
    submitted_at = factory.LazyFunction(timezone.now)
    closed_at = factory.LazyFunction(timezone.now)
    form_token = factory.LazyFunction(uuid.uuid4)
    amount = Decimal("1000.00")


class DecisionFactory(factory.django.DjangoModelFactory):
    """A withdrawal decision 待入账, not yet acknowledged."""

    class Meta:
        model = Decision

    application = factory.SubFactory(CompletedApplicationFactory)
    serial_no = factory.Sequence(lambda n: f"WT20260101{n:010d}")
    kind = Decision.Kind.WITHDRAWAL
    account_no = factory.Sequence(lambda n: f"1099{n:08d}")
    amount = Decimal("1000.00")
    bank_account_no = "6217000101000000001"
    withdrawal_reason = "07"
    created_at = factory.LazyFunction(timezone.now)
