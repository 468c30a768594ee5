"""The ownership gate of messages, as a table: every action on a message that
is not the member's own (or no longer visible) answers 404 and changes nothing."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from tasks.models import Message
from tasks.selectors import message_get_for_member
from tasks.tests.factories import MessageFactory

pytestmark = pytest.mark.django_db

ACTIONS = [
    ("get", "tasks:message_detail"),
    ("get", "tasks:message_delete"),
    ("post", "tasks:message_delete"),
    ("post", "tasks:message_mark_read"),
]


def target(kind: str, member) -> int:
    """The id a member asks for: someone else's, their own deleted one, or one that does not exist."""
    if kind == "other_members":
        return MessageFactory().pk
    if kind == "other_members_read":
        return MessageFactory(read_at=timezone.now()).pk
    if kind == "own_deleted":
        return MessageFactory(member=member, deleted_at=timezone.now()).pk
    if kind == "unknown":
        return 987654321
    if kind == "beyond_bigint":
        return 2**63  # PostgreSQL would raise "out of range" (a 500) if it reached the database
    if kind == "zero":
        return 0
    raise AssertionError(kind)


KINDS = ["other_members", "other_members_read", "own_deleted", "unknown", "beyond_bigint", "zero"]


@pytest.mark.parametrize(("method", "name"), ACTIONS)
@pytest.mark.parametrize("kind", KINDS)
def test_message_actions_answer_404_for_what_is_not_the_members(member_client, member_user, method, name, kind):
    pk = target(kind, member_user.member)
    before = list(Message.objects.order_by("pk").values_list("pk", "read_at", "deleted_at"))
    response = getattr(member_client, method)(reverse(name, args=[pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert list(Message.objects.order_by("pk").values_list("pk", "read_at", "deleted_at")) == before


@pytest.mark.parametrize(("method", "name"), ACTIONS)
def test_message_actions_work_on_the_members_own(member_client, member_user, method, name):
    pk = MessageFactory(member=member_user.member).pk
    response = getattr(member_client, method)(reverse(name, args=[pk]))
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND)


def test_gate_returns_own_message_and_refuses_others(member_user):
    own = MessageFactory(member=member_user.member)
    assert message_get_for_member(member=member_user.member, pk=own.pk) == own
    from django.http import Http404

    with pytest.raises(Http404):
        message_get_for_member(member=member_user.member, pk=MessageFactory().pk)
