"""factory-boy factories for the task area."""

import factory
from django.utils import timezone

from inquiry.tests.factories import MemberFactory
from tasks.models import Message


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    member = factory.SubFactory(MemberFactory)
    business = factory.Sequence(lambda n: f"业务{n}")
    content = factory.Sequence(lambda n: f"第{n}条消息的内容。")
    channel = Message.Channel.COUNTER
    sent_at = factory.LazyFunction(timezone.now)
