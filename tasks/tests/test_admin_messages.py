"""Hall staff in admin: a message to one member, broadcasts, every message
(deleted ones too) and the channels' push tokens."""

from datetime import date
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import StaffUserFactory
from inquiry.demo import make_id_number
from inquiry.models import AccountStatus
from inquiry.tests.factories import EmployerFactory, FundAccountFactory, MemberFactory, bulk_members
from tasks import services
from tasks.models import Broadcast, ChannelToken, Message
from tasks.services.tokens import token_hash
from tasks.tests.factories import MessageFactory

pytestmark = pytest.mark.django_db
MESSAGE_ADD = reverse("admin:tasks_message_add")
AUTOCOMPLETE = reverse("admin:tasks_message_member_autocomplete")
BROADCAST_ADD = reverse("admin:tasks_broadcast_add")
TOKEN_ADD = reverse("admin:tasks_channeltoken_add")


def autocomplete(client, term: str) -> list[str]:
    params = {"term": term, "app_label": "tasks", "model_name": "message", "field_name": "member"}
    response = client.get(AUTOCOMPLETE, params)
    assert response.status_code == HTTPStatus.OK
    return [row["text"] for row in response.json()["results"]]


def test_staff_write_a_message_to_one_member(staff_client):
    member = MemberFactory()
    response = staff_client.post(
        MESSAGE_ADD,
        {"member": member.pk, "business": "柜台通知", "content": "请携带身份证到服务大厅。", "channel": "counter"},
    )
    assert response.status_code == HTTPStatus.FOUND
    message = Message.objects.get()
    assert (message.member, message.business, message.read_at) == (member, "柜台通知", None)


@pytest.mark.parametrize("member_id", ["abc", "999999999", "1.5", "", "99999999999999999999999"])
def test_bad_member_id_is_a_form_error_not_a_500(staff_client, member_id):
    response = staff_client.post(
        MESSAGE_ADD, {"member": member_id, "business": "通知", "content": "内容", "channel": "counter"}
    )
    assert response.status_code == HTTPStatus.OK
    assert response.context["adminform"].form.errors["member"]
    assert not Message.objects.exists()


def test_member_picker_shows_name_and_masked_id_number(staff_client):
    first = MemberFactory(name="张伟", id_number=make_id_number("370402", date(1990, 5, 6), 111))
    second = MemberFactory(name="张伟", id_number=make_id_number("370402", date(1991, 7, 8), 222))
    texts = autocomplete(staff_client, "张伟")
    assert sorted(texts) == sorted(
        [
            f"张伟({first.id_number[:6]}********{first.id_number[-4:]})",
            f"张伟({second.id_number[:6]}********{second.id_number[-4:]})",
        ]
    )
    assert first.id_number not in "".join(texts)


def test_member_picker_searches_id_number_and_phone_exactly(staff_client):
    member = MemberFactory(name="李娜", phone="13912345678")
    assert autocomplete(staff_client, member.id_number) == [
        f"李娜({member.id_number[:6]}********{member.id_number[-4:]})"
    ]
    assert len(autocomplete(staff_client, "13912345678")) == 1
    assert autocomplete(staff_client, "1391234") == []  # partial numbers find nobody
    assert autocomplete(staff_client, member.id_number[:10]) == []


def test_member_picker_is_for_staff_only(member_client):
    response = member_client.get(
        AUTOCOMPLETE, {"term": "张", "app_label": "tasks", "model_name": "message", "field_name": "member"}
    )
    assert response.status_code == HTTPStatus.FOUND


def test_add_form_uses_the_labelled_picker(staff_client):
    html = staff_client.get(MESSAGE_ADD).content.decode()
    assert f'data-ajax--url="{AUTOCOMPLETE}"' in html


def test_deleted_messages_stay_visible_to_staff(staff_client):
    message = MessageFactory(business="已删除的通知", deleted_at=timezone.now())
    changelist = staff_client.get(reverse("admin:tasks_message_changelist"))
    assert "已删除的通知" in changelist.content.decode()
    only_deleted = staff_client.get(reverse("admin:tasks_message_changelist") + "?deleted_at__isempty=0")
    assert list(only_deleted.context["cl"].result_list) == [message]
    detail = staff_client.get(reverse("admin:tasks_message_change", args=[message.pk])).content.decode()
    assert "删除时间" in detail and 'name="_save"' not in detail  # shown, never edited


def test_staff_cannot_delete_a_message(staff_client):
    message = MessageFactory()
    response = staff_client.post(reverse("admin:tasks_message_delete", args=[message.pk]), {"post": "yes"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Message.objects.filter(pk=message.pk).exists()


def test_broadcast_to_an_employer_reaches_only_its_members(staff_client, run_jobs):
    employer = EmployerFactory()
    mine = [FundAccountFactory(employer=employer).member for _ in range(3)]
    FundAccountFactory()  # another employer's member
    response = staff_client.post(
        BROADCAST_ADD,
        {"audience": "employer", "employer": employer.pk, "business": "单位通知", "content": "年度基数调整。"},
    )
    assert response.status_code == HTTPStatus.FOUND
    broadcast = Broadcast.objects.get()
    assert (broadcast.recipient_count, broadcast.sent_by, broadcast.employer) == (3, staff_client.staff, employer)
    # The request only recorded it: the fan-out is the job's.
    assert not Message.objects.exists() and broadcast.finished_at is None
    listing = staff_client.get(response["Location"]).content.decode()
    assert "已开始发送给3位缴存职工" in listing and "发送中 0 / 3" in listing
    assert run_jobs() == 1
    assert set(Message.objects.values_list("member", flat=True)) == {m.pk for m in mine}
    broadcast.refresh_from_db()
    assert broadcast.finished_at is not None and broadcast.delivered_count == 3
    assert "已完成,共3人" in staff_client.get(response["Location"]).content.decode()


def test_broadcast_to_an_account_status(staff_client, run_jobs):
    sealed = FundAccountFactory(status=AccountStatus.SEALED)
    FundAccountFactory(status=AccountStatus.NORMAL)
    staff_client.post(
        BROADCAST_ADD,
        {"audience": "status", "account_status": AccountStatus.SEALED, "business": "封存提醒", "content": "内容"},
    )
    run_jobs()
    assert list(Message.objects.values_list("member", flat=True)) == [sealed.member.pk]
    assert Broadcast.objects.get().recipient_count == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"audience": "employer"}, "employer"),
        ({"audience": "status"}, "account_status"),
        ({"audience": "all", "business": ""}, "business"),
    ],
)
def test_broadcast_without_its_audience_is_a_form_error(staff_client, data, field):
    response = staff_client.post(BROADCAST_ADD, {"business": "通知", "content": "内容", **data})
    assert response.status_code == HTTPStatus.OK
    assert field in response.context["adminform"].form.errors
    assert not Message.objects.exists() and not Broadcast.objects.exists()


@pytest.mark.parametrize(
    ("audience", "employer", "account_status", "code"),
    [
        ("employer", None, "", "employer_required"),
        ("status", None, "", "status_required"),
        ("status", None, "7", "status_required"),
        ("nobody", None, "", "audience_unknown"),
    ],
)
def test_broadcast_send_refuses_an_audience_without_its_choice(audience, employer, account_status, code):
    # Members with no fund account match "employer IS NULL": the service itself
    # must refuse, whoever calls it, not only the admin form.
    MemberFactory()
    FundAccountFactory()
    with pytest.raises(services.BroadcastRefused) as info:
        services.broadcast_send(
            sent_by=StaffUserFactory(),
            business="通知",
            content="内容",
            audience=audience,
            employer=employer,
            account_status=account_status,
        )
    assert info.value.code == code and info.value.message
    assert not Message.objects.exists() and not Broadcast.objects.exists()


def test_broadcast_to_all_ten_thousand_members(staff_client, run_jobs):
    employer = EmployerFactory()
    bulk_members(10_000, employer=employer)
    staff_client.post(BROADCAST_ADD, {"audience": "all", "business": "系统通知", "content": "网厅将于周六维护。"})
    assert Broadcast.objects.get().recipient_count == 10_000
    run_jobs()
    assert Message.objects.filter(business="系统通知").count() == 10_000
    assert Broadcast.objects.get().delivered_count == 10_000


def test_broadcasts_are_listed_read_only(staff_client):
    staff_client.post(BROADCAST_ADD, {"audience": "all", "business": "系统通知", "content": "内容"})
    broadcast = Broadcast.objects.get()
    listing = staff_client.get(reverse("admin:tasks_broadcast_changelist")).content.decode()
    assert "系统通知" in listing
    detail = staff_client.get(reverse("admin:tasks_broadcast_change", args=[broadcast.pk])).content.decode()
    assert "发送进度" in detail and 'name="_save"' not in detail


def test_staff_create_a_channel_token_shown_once(staff_client):
    response = staff_client.post(TOKEN_ADD, {"channel": "sms", "name": "短信平台"})
    assert response.status_code == HTTPStatus.OK
    plain = response.context["plain"]
    assert plain in response.content.decode()
    token = ChannelToken.objects.get()
    assert (token.channel, token.name, token.created_by) == ("sms", "短信平台", staff_client.staff)
    assert token.token_hash == token_hash(plain)
    # Never again: the change page knows only the hash.
    assert plain not in staff_client.get(reverse("admin:tasks_channeltoken_change", args=[token.pk])).content.decode()


def test_staff_revoke_channel_tokens(staff_client):
    staff_client.post(TOKEN_ADD, {"channel": "sms", "name": "短信平台"})
    token = ChannelToken.objects.get()
    staff_client.post(
        reverse("admin:tasks_channeltoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
