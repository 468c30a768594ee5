"""Tokens of the machine endpoints: kinds (push, core), created by staff in
admin or by the command, shown once, never logged."""

import io
import logging
from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.urls import reverse

from tasks.models import ChannelToken, PushRateBucket
from tasks.services import channel_token_create, rate_bucket_key
from tasks.services.tokens import token_hash
from tasks.tests.api import ACK_URL, OUTBOX_URL, PUSH_URL, core_token, get, post, push_token
from tasks.tests.factories import DecisionFactory
from zzgjj_portal.models import AuditEvent

pytestmark = pytest.mark.django_db

TOKEN_ADD = reverse("admin:tasks_channeltoken_add")


def test_staff_create_a_core_token_shown_once_that_opens_the_outbox(staff_client, client):
    response = staff_client.post(TOKEN_ADD, {"kind": "core", "channel": "", "name": "核心业务系统"})
    assert response.status_code == HTTPStatus.OK
    plain = response.context["plain"]
    html = response.content.decode()
    assert plain in html and "/api/core/outbox/" in html and "/api/openapi.json" in html
    token = ChannelToken.objects.get()
    assert (token.kind, token.channel, token.name) == ("core", "", "核心业务系统")
    assert token.token_hash == token_hash(plain) and str(token) == "业务系统 · 核心业务系统"
    change = reverse("admin:tasks_channeltoken_change", args=[token.pk])
    assert plain not in staff_client.get(change).content.decode()
    # Renaming it later keeps it a core token (kind and channel are read-only there).
    assert staff_client.post(change, {"name": "核心系统"}).status_code == HTTPStatus.FOUND
    token.refresh_from_db()
    assert (token.kind, token.channel, token.name) == ("core", "", "核心系统")
    client.logout()
    assert get(client, OUTBOX_URL, plain).status_code == HTTPStatus.OK


def test_staff_create_a_push_token_as_before(staff_client):
    response = staff_client.post(TOKEN_ADD, {"kind": "push", "channel": "sms", "name": "短信平台"})
    assert "POST /api/messages/" in response.content.decode()
    assert ChannelToken.objects.get().kind == ChannelToken.Kind.PUSH


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "push", "channel": "", "name": "无渠道"}, "消息推送令牌须选择推送渠道。"),
        ({"kind": "core", "channel": "sms", "name": "带渠道"}, "业务系统令牌不属于任何推送渠道,推送渠道请留空。"),
    ],
)
def test_admin_refuses_a_channel_that_does_not_fit_the_kind(staff_client, data, message):
    response = staff_client.post(TOKEN_ADD, data)
    assert response.status_code == HTTPStatus.OK
    assert response.context["adminform"].form.errors["channel"] == [message]
    assert not ChannelToken.objects.exists()


def test_admin_lists_and_filters_tokens_by_kind(staff_client):
    push_token()
    core_token("核心业务系统")
    listing = staff_client.get(reverse("admin:tasks_channeltoken_changelist"), {"kind": "core"}).content.decode()
    assert "核心业务系统" in listing and "柜面系统" not in listing


def test_admin_filters_tokens_by_revocation_in_words(staff_client):
    from tasks.services import channel_token_revoke

    core_token("旧业务系统令牌")
    channel_token_revoke(token=ChannelToken.objects.get(name="旧业务系统令牌"))
    core_token("核心业务系统")
    changelist = reverse("admin:tasks_channeltoken_changelist")
    listing = staff_client.get(changelist).content.decode()
    assert "未吊销" in listing and "已吊销" in listing and "非空" not in listing
    live = staff_client.get(changelist, {"revoked": "no"}).content.decode()
    assert "核心业务系统" in live and "旧业务系统令牌" not in live
    revoked = staff_client.get(changelist, {"revoked": "yes"}).content.decode()
    assert "旧业务系统令牌" in revoked and "核心业务系统" not in revoked


def test_command_creates_a_core_token(client):
    out = io.StringIO()
    call_command("channel_token_create", "core", "--name", "核心系统", stdout=out)
    plain = out.getvalue().strip()
    token = ChannelToken.objects.get()
    assert (token.kind, token.channel, token.name) == ("core", "", "核心系统")
    assert get(client, OUTBOX_URL, plain).status_code == HTTPStatus.OK
    assert post(client, PUSH_URL, plain, {}).status_code == HTTPStatus.UNAUTHORIZED


def test_service_refuses_a_push_token_without_channel_and_a_core_token_with_one():
    with pytest.raises(ValueError):
        channel_token_create(name="x")
    with pytest.raises(ValueError):
        channel_token_create(kind=ChannelToken.Kind.CORE, channel="sms", name="x")


def test_rate_buckets_are_per_channel_for_push_and_per_token_for_core(client, member_user):
    first, second = push_token(), push_token()
    core = core_token()
    post(client, PUSH_URL, first, {})
    post(client, PUSH_URL, second, {})
    get(client, OUTBOX_URL, core)
    core_row = ChannelToken.objects.get(kind="core")
    assert set(PushRateBucket.objects.values_list("channel", flat=True)) == {"counter", f"core:{core_row.pk}"}
    assert rate_bucket_key(core_row) == f"core:{core_row.pk}"


def test_logs_and_audit_never_hold_a_token(client, caplog, settings):
    settings.TASKS_PUSH_TOKEN_IP_FAILURES = 2
    decision = DecisionFactory()
    good_push, good_core = push_token(), core_token()
    guesses = ["zzgjj_guess_one_abcdef", "zzgjj_guess_two_abcdef"]
    with caplog.at_level(logging.DEBUG):
        post(client, PUSH_URL, good_push, {"bad": 1})
        get(client, OUTBOX_URL, good_core, {"after": "x"})
        post(client, ACK_URL, good_core, {"serial_nos": [decision.serial_no, "WTNOSUCH"]})
        get(client, OUTBOX_URL, good_push)  # the wrong kind
        for guess in guesses:
            post(client, ACK_URL, guess, {"serial_nos": ["x"]}, REMOTE_ADDR="10.3.3.3")
        client.get(OUTBOX_URL, HTTP_AUTHORIZATION=f"Basic {good_core}")
    assert caplog.records  # 4xx are logged (django.request), and the unknown serial
    logged = caplog.text + "".join(str(vars(record)) for record in caplog.records)
    audited = "".join(AuditEvent.objects.values_list("detail", flat=True))
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKOUT).exists()
    for token in [good_push, good_core, *guesses]:
        assert token not in logged and token not in audited
        assert token.removeprefix("zzgjj_") not in logged
