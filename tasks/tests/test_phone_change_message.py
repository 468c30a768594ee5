"""Staff change a member's reserved phone: the records send a signal and the
task area puts a message in the member's 消息."""

import pytest

from accounts.tests.factories import StaffUserFactory
from inquiry.services import member_phone_change
from inquiry.tests.factories import MemberFactory
from tasks.models import Message
from tasks.receivers import PHONE_CHANGED_BUSINESS

pytestmark = pytest.mark.django_db


def test_phone_change_sends_the_member_a_masked_message(django_capture_on_commit_callbacks):
    member = MemberFactory(phone="13800001111")
    with django_capture_on_commit_callbacks(execute=True):
        member_phone_change(member=member, phone="13900002222", changed_by=StaffUserFactory())
    message = Message.objects.get(member=member)
    assert message.business == PHONE_CHANGED_BUSINESS and message.read_at is None
    assert "139****2222" in message.content and "13900002222" not in message.content


def test_phone_unchanged_sends_nothing(django_capture_on_commit_callbacks):
    member = MemberFactory(phone="13800001111")
    with django_capture_on_commit_callbacks(execute=True):
        member_phone_change(member=member, phone="13800001111", changed_by=StaffUserFactory())
    assert not Message.objects.filter(member=member).exists()
