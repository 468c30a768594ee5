"""The home page's query count does not grow with messages, and the member
lists read through the partial indexes that start with the member."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tasks.selectors import messages_read, messages_unread
from tasks.tests.factories import MessageFactory

pytestmark = pytest.mark.django_db


def home_queries(client, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        client.get(reverse("tasks:home"))
    return len(captured.captured_queries)


def test_home_query_count_is_fixed_whatever_the_messages(member_client, member_user, django_assert_max_num_queries):
    MessageFactory(member=member_user.member)
    few = home_queries(member_client, django_assert_max_num_queries, 8)  # + 我发起的
    MessageFactory.create_batch(40, member=member_user.member)
    MessageFactory.create_batch(40, member=member_user.member, read_at=timezone.now())
    MessageFactory.create_batch(10, member=member_user.member, deleted_at=timezone.now())
    assert home_queries(member_client, django_assert_max_num_queries, 8) == few


def test_more_page_query_count_is_fixed(member_client, member_user, django_assert_max_num_queries):
    MessageFactory.create_batch(45, member=member_user.member)
    with django_assert_max_num_queries(6):
        member_client.get(reverse("tasks:messages_unread") + "?page=2")


def plan(queryset) -> str:
    with connection.cursor() as cursor:
        # Tiny test tables make a sequential scan cheapest; forbid it to see
        # which index the planner can use for the query. Sorting a handful of
        # rows may cost less than walking the ordered index, depending on the
        # table's statistics at that moment: penalise sorts too. A sort still
        # appears when no index can give the order, so the check stays a check.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    return queryset.explain()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="EXPLAIN plans are checked on PostgreSQL, as in production"
)
def test_member_lists_use_the_member_indexes(member_user):
    member = member_user.member
    MessageFactory.create_batch(5, member=member)
    MessageFactory.create_batch(5, member=member, read_at=timezone.now())
    unread = plan(messages_unread(member=member)[:20])
    read = plan(messages_read(member=member)[:20])
    assert "message_member_unread_idx" in unread
    assert "message_member_read_idx" in read
    # The order comes from the index: no sort step on top.
    assert "Sort" not in unread and "Sort" not in read


def test_home_tasks_counts_every_unread_message_beyond_the_five_listed(member_user):
    from tasks.selectors import home_tasks

    member = member_user.member
    unread = MessageFactory.create_batch(7, member=member)
    other = MessageFactory()  # another member's (newer) unread message counts for them, not here
    MessageFactory(member=member, read_at=timezone.now())
    MessageFactory(member=member, deleted_at=timezone.now())
    tasks = home_tasks(member=member)
    assert len(tasks.unread) == 5 and tasks.unread_count == 7
    assert tasks.newest_unread_id == max(m.pk for m in unread) < other.pk
    assert len(tasks.read) == 1


def test_home_tasks_without_unread_messages(member_user):
    from tasks.selectors import home_tasks

    tasks = home_tasks(member=member_user.member)
    assert (tasks.unread, tasks.unread_count, tasks.newest_unread_id) == ([], 0, 0)
