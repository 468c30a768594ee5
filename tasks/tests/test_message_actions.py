"""消息 and 已阅 for a member: 查看, 标为已阅, 删除, 更多 — as plain links and
forms (redirect back with the notice) and as messages.js calls them (JSON)."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from tasks.models import Message
from tasks.tests.factories import MessageFactory
from tasks.views.messages import NOTICE_DELETED, NOTICE_READ

pytestmark = pytest.mark.django_db
HOME = reverse("tasks:home")
UNREAD = reverse("tasks:messages_unread")
READ = reverse("tasks:messages_read")
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def message(member_user):
    return MessageFactory(member=member_user.member, business="提取到账", content="您的提取款已到账。" * 10)


def test_home_row_has_view_and_delete_and_more(member_client, message):
    html = member_client.get(HOME).content.decode()
    assert reverse("tasks:message_detail", args=[message.pk]) in html
    assert reverse("tasks:message_delete", args=[message.pk]) in html
    assert f'href="{UNREAD}"' in html and f'href="{READ}"' in html
    assert message.content in html  # whole text for the 查看 dialog (data attribute)


def test_detail_page_shows_whole_message_and_changes_nothing(member_client, message):
    response = member_client.get(reverse("tasks:message_detail", args=[message.pk]) + "?next=/messages/")
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    for text in ("提取到账", message.content, "服务大厅", "标为已阅", "关闭"):
        assert text in html
    assert 'href="/messages/"' in html
    message.refresh_from_db()
    assert message.read_at is None  # 查看 alone marks nothing


def test_detail_of_read_message_offers_only_close(member_client, message):
    message.read_at = timezone.now()
    message.save()
    html = member_client.get(reverse("tasks:message_detail", args=[message.pk])).content.decode()
    assert "标为已阅" not in html and "关闭" in html


def test_mark_read_without_javascript_redirects_back_with_notice(member_client, message):
    response = member_client.post(reverse("tasks:message_mark_read", args=[message.pk]), {"next": UNREAD}, follow=True)
    assert response.redirect_chain == [(UNREAD, HTTPStatus.FOUND)]
    assert NOTICE_READ in response.content.decode()
    message.refresh_from_db()
    assert message.read_at is not None
    assert list(response.context["messages_list"]) == []


def test_mark_read_with_javascript_answers_json(member_client, message, member_user):
    MessageFactory(member=member_user.member)
    response = member_client.post(reverse("tasks:message_mark_read", args=[message.pk]), **JSON)
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"notice": NOTICE_READ, "unread_count": 1}
    assert "no-store" in response["Cache-Control"]


def test_mark_read_twice_keeps_first_reading_time(member_client, message):
    url = reverse("tasks:message_mark_read", args=[message.pk])
    member_client.post(url)
    message.refresh_from_db()
    first = message.read_at
    member_client.post(url)
    message.refresh_from_db()
    assert message.read_at == first


def test_mark_read_and_delete_refuse_get(member_client, message):
    assert member_client.get(reverse("tasks:message_mark_read", args=[message.pk])).status_code == (
        HTTPStatus.METHOD_NOT_ALLOWED
    )
    # GET of 删除 is the 是/否 page: it deletes nothing.
    response = member_client.get(reverse("tasks:message_delete", args=[message.pk]))
    assert response.status_code == HTTPStatus.OK
    assert "确定要删除这条消息吗" in response.content.decode()
    message.refresh_from_db()
    assert message.read_at is None and message.deleted_at is None


def test_delete_without_javascript_is_soft_and_says_so(member_client, message):
    response = member_client.post(reverse("tasks:message_delete", args=[message.pk]), {"next": HOME}, follow=True)
    assert response.redirect_chain == [(HOME, HTTPStatus.FOUND)]
    assert NOTICE_DELETED in response.content.decode()
    message.refresh_from_db()
    assert message.deleted_at is not None  # the center keeps the row
    assert message not in response.context["unread_messages"]


def test_delete_with_javascript_answers_json(member_client, message):
    response = member_client.post(reverse("tasks:message_delete", args=[message.pk]), **JSON)
    assert response.json() == {"notice": NOTICE_DELETED, "unread_count": 0}
    assert Message.objects.filter(pk=message.pk, deleted_at__isnull=False).exists()


def test_deleted_message_is_gone_from_every_list_and_action(member_client, message):
    member_client.post(reverse("tasks:message_delete", args=[message.pk]))
    assert message.content not in member_client.get(HOME).content.decode()
    assert member_client.get(reverse("tasks:message_detail", args=[message.pk])).status_code == HTTPStatus.NOT_FOUND
    assert member_client.post(reverse("tasks:message_delete", args=[message.pk])).status_code == HTTPStatus.NOT_FOUND


def test_read_message_can_be_deleted(member_client, message):
    message.read_at = timezone.now()
    message.save()
    response = member_client.post(reverse("tasks:message_delete", args=[message.pk]), {"next": READ}, follow=True)
    assert NOTICE_DELETED in response.content.decode()
    assert list(response.context["messages_list"]) == []


def test_next_pointing_elsewhere_goes_home(member_client, message):
    response = member_client.post(
        reverse("tasks:message_mark_read", args=[message.pk]), {"next": "https://evil.example/phish"}
    )
    assert response["Location"] == HOME


def test_more_pages_twenty_a_page_newest_first(member_client, member_user):
    now = timezone.now()
    for n in range(25):
        MessageFactory(member=member_user.member, business=f"未读{n:02d}", sent_at=now - timedelta(minutes=n))
    first = member_client.get(UNREAD)
    assert first.status_code == HTTPStatus.OK
    assert [m.business for m in first.context["messages_list"]] == [f"未读{n:02d}" for n in range(20)]
    second = member_client.get(UNREAD + "?page=2")
    assert [m.business for m in second.context["messages_list"]] == [f"未读{n:02d}" for n in range(20, 25)]
    assert "共 25 条" in first.content.decode()  # the pagination line
    assert first.context["page_obj"].paginator.count == 25
    assert "no-store" in first["Cache-Control"]


def test_read_page_is_ordered_by_when_read(member_client, member_user):
    now = timezone.now()
    MessageFactory(member=member_user.member, business="先发后读", sent_at=now - timedelta(days=9), read_at=now)
    MessageFactory(
        member=member_user.member, business="后发先读", sent_at=now - timedelta(days=1), read_at=now - timedelta(days=1)
    )
    MessageFactory(member=member_user.member, business="未读")
    response = member_client.get(READ)
    assert [m.business for m in response.context["messages_list"]] == ["先发后读", "后发先读"]


def test_page_past_the_end_after_deleting_goes_to_last_page(member_client, member_user):
    MessageFactory.create_batch(3, member=member_user.member)
    response = member_client.get(UNREAD + "?page=2")
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == UNREAD
    assert member_client.get(UNREAD + "?page=abc").status_code == HTTPStatus.NOT_FOUND
    # A superscript two is a digit to str.isdigit() but not a number: a 404, not a 500.
    for page in ("²", "٢", "1²"):
        assert member_client.get(UNREAD, {"page": page}).status_code == HTTPStatus.NOT_FOUND


def test_anonymous_visitor_is_sent_to_login(client, message):
    for url in (UNREAD, READ, reverse("tasks:message_detail", args=[message.pk])):
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND and "next=" in response["Location"]
    response = client.post(reverse("tasks:message_delete", args=[message.pk]))
    assert response.status_code == HTTPStatus.FOUND
    message.refresh_from_db()
    assert message.deleted_at is None


def test_action_without_csrf_token_is_refused(member_user, message):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member_user)
    response = client.post(reverse("tasks:message_delete", args=[message.pk]))
    assert response.status_code == HTTPStatus.FORBIDDEN
    message.refresh_from_db()
    assert message.deleted_at is None


def test_staff_user_cannot_use_member_actions(staff_client, message):
    response = staff_client.post(reverse("tasks:message_delete", args=[message.pk]))
    assert response.status_code == HTTPStatus.FOUND
    message.refresh_from_db()
    assert message.deleted_at is None


def test_looking_changes_nothing(member_client, member_user, message):
    MessageFactory(member=member_user.member, read_at=timezone.now())
    before = list(Message.objects.order_by("pk").values_list("read_at", "deleted_at"))
    for url in (HOME, UNREAD, READ, reverse("tasks:message_detail", args=[message.pk])):
        assert member_client.get(url).status_code == HTTPStatus.OK
    assert member_client.get(reverse("tasks:message_delete", args=[message.pk])).status_code == HTTPStatus.OK
    assert list(Message.objects.order_by("pk").values_list("read_at", "deleted_at")) == before


def test_action_redirects_are_never_cached(member_client, message):
    response = member_client.post(reverse("tasks:message_mark_read", args=[message.pk]))
    assert response.status_code == HTTPStatus.FOUND
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
