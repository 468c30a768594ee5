"""POST /api/messages/: the other channels push messages with a bearer token."""

import io
import json
import threading
from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import LoginThrottle
from inquiry.demo import make_id_number
from inquiry.tests.factories import MemberFactory
from tasks import services
from tasks.models import ChannelToken, Message, PushRateBucket
from tasks.ratelimit import bucket_take
from tasks.schemas.push import PushIn
from tasks.services.tokens import token_hash
from zzgjj_portal.models import AuditEvent

URL = reverse("api:message_push")
VALID_UNKNOWN_ID = "11010519491231002X"  # a valid ID number nobody in the tests has


def valid_id_number(day: int) -> str:
    # A valid number of its own, apart from the ones MemberFactory makes.
    return make_id_number("370402", date(1990, 3, day), 123)


@pytest.fixture
def member(db):
    return MemberFactory(id_number=valid_id_number(4))


@pytest.fixture
def token(db):
    _, plain = services.channel_token_create(channel=Message.Channel.COUNTER, name="柜面系统")
    return plain


def body(member, **overrides):
    data = {
        "id_number": member.id_number,
        "business": "提取到账",
        "content": "您的提取款已到账。",
        "idempotency_key": "k-1",
    }
    data.update(overrides)
    return data


def push(client, token, data, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    raw = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(URL, raw, content_type=extra.pop("content_type", "application/json"), **headers, **extra)


def test_push_creates_message_and_answers_201_with_its_id(client, token, member):
    response = push(client, token, body(member, sent_at="2026-11-28T09:30:00+08:00"))
    assert response.status_code == HTTPStatus.CREATED
    message = Message.objects.get(pk=response.json()["id"])
    assert (message.member, message.business, message.channel) == (member, "提取到账", Message.Channel.COUNTER)
    assert message.sent_at == datetime(2026, 11, 28, 1, 30, tzinfo=UTC)
    assert message.read_at is None


def test_push_without_sent_at_or_offset(client, token, member):
    before = timezone.now()
    first = Message.objects.get(pk=push(client, token, body(member)).json()["id"])
    assert first.sent_at >= before
    local = push(client, token, body(member, idempotency_key="k-2", sent_at="2026-11-28 09:30:00"))
    # No offset: the center's own time, Asia/Shanghai.
    assert Message.objects.get(pk=local.json()["id"]).sent_at == datetime(2026, 11, 28, 1, 30, tzinfo=UTC)


def test_sent_at_outside_2000_to_a_day_ahead_is_refused_with_its_reason(client, token, member, monkeypatch):
    now = datetime(2026, 11, 28, 1, 30, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    later = (now + timedelta(days=1, seconds=1)).isoformat()
    response = push(client, token, body(member, sent_at=later))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["fields"] == {"sent_at": ["发送时间应不早于2000-01-01,且不晚于当前时间后1天。"]}
    assert not Message.objects.exists()


@pytest.mark.parametrize("sent_at", ["2000-01-01T00:00:00+08:00", "2000-01-01 00:00:00", "2026-11-29T01:30:00+00:00"])
def test_sent_at_at_the_edges_of_the_window_is_accepted(client, token, member, monkeypatch, sent_at):
    now = datetime(2026, 11, 28, 1, 30, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    assert push(client, token, body(member, sent_at=sent_at)).status_code == HTTPStatus.CREATED


def test_json_with_charset_is_json(client, token, member):
    response = push(client, token, body(member), content_type="application/json; charset=utf-8")
    assert response.status_code == HTTPStatus.CREATED


def test_repeated_key_with_the_same_body_returns_first_message_with_200(client, token, member):
    first = push(client, token, body(member, sent_at="2026-11-28T09:30:00+08:00"))
    again = push(client, token, body(member, sent_at="2026-11-28T01:30:00Z"))  # the same instant
    assert again.status_code == HTTPStatus.OK
    assert again.json() == first.json()
    # A retry that leaves sent_at out is the same message (the first time is kept).
    assert push(client, token, body(member)).json() == first.json()
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"content": "重发的内容"},
        {"business": "另一项业务"},
        {"id_number": valid_id_number(6)},
        {"sent_at": "2026-11-28T09:31:00+08:00"},
    ],
)
def test_repeated_key_with_another_body_answers_409(client, token, member, overrides):
    MemberFactory(id_number=valid_id_number(6))
    first = push(client, token, body(member, sent_at="2026-11-28T09:30:00+08:00"))
    again = push(client, token, body(member, **{"sent_at": "2026-11-28T09:30:00+08:00", **overrides}))
    assert again.status_code == HTTPStatus.CONFLICT
    assert again.json()["error"] == "该幂等键已用于另一条消息,新消息请使用新的幂等键。"
    assert list(again.json()["fields"]) == ["idempotency_key"]
    assert list(Message.objects.values_list("pk", flat=True)) == [first.json()["id"]]


@pytest.mark.parametrize("field", ["business", "content"])
def test_lone_surrogate_answers_400_naming_the_field(client, token, member, field):
    # json.dumps writes the lone surrogate as the escape \udcff, as a channel would send it.
    raw = json.dumps(body(member, **{field: "到账\udcff"}))
    assert "\\udcff" in raw
    response = push(client, token, raw)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["fields"] == {field: ["含有无效的字符。"]}
    assert not Message.objects.exists()


@pytest.mark.parametrize("raw", ["[" * 5000 + "]" * 5000, '{"content": ' + "[" * 5000 + "]" * 5000 + "}"])
def test_deeply_nested_body_answers_400(client, token, raw):
    response = push(client, token, raw)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"] == "请求内容不是有效的 JSON 对象。"


def test_same_key_from_another_channel_is_another_message(client, token, member):
    _, sms_token = services.channel_token_create(channel=Message.Channel.SMS, name="短信平台")
    first = push(client, token, body(member))
    other = push(client, sms_token, body(member))
    assert other.status_code == HTTPStatus.CREATED and other.json() != first.json()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": None}, "id_number"),
        ({"id_number": ""}, "id_number"),
        ({"id_number": "370402199001011239"}, "id_number"),  # wrong check digit
        ({"id_number": "3704021990"}, "id_number"),
        ({"id_number": VALID_UNKNOWN_ID}, "id_number"),
        ({"id_number": 370402199001011238}, "id_number"),  # a number, not a string
        ({"business": None}, "business"),
        ({"business": "   "}, "business"),
        ({"business": "业" * 51}, "business"),
        ({"content": ""}, "content"),
        ({"content": "内" * 2001}, "content"),
        ({"content": ["列表"]}, "content"),
        ({"content": "含\x00空字符"}, "content"),
        ({"sent_at": "yesterday"}, "sent_at"),
        ({"sent_at": "2026-13-01T00:00:00"}, "sent_at"),
        ({"sent_at": "9999-12-31T23:59:59-12:00"}, "sent_at"),  # year 10000 in UTC
        ({"sent_at": "0001-01-01T00:00:00"}, "sent_at"),  # BC in UTC
        ({"sent_at": "1999-12-31T23:59:59+08:00"}, "sent_at"),
        ({"sent_at": "2100-01-01T00:00:00+08:00"}, "sent_at"),
        ({"idempotency_key": None}, "idempotency_key"),
        ({"idempotency_key": "带空格 的键"}, "idempotency_key"),
        ({"idempotency_key": "k" * 65}, "idempotency_key"),
    ],
)
def test_bad_field_answers_400_naming_the_field(client, token, member, overrides, field):
    data = {k: v for k, v in body(member, **overrides).items() if v is not None}
    response = push(client, token, data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    errors = response.json()["fields"]
    assert list(errors) == [field] and errors[field][0]
    assert not Message.objects.exists()


def test_unknown_member_has_a_clear_message(client, token, member):
    response = push(client, token, body(member, id_number=VALID_UNKNOWN_ID))
    assert response.json()["fields"]["id_number"] == ["未找到该身份证号的缴存职工。"]


def test_lowercase_x_is_the_same_member(client, token):
    member = MemberFactory(id_number=VALID_UNKNOWN_ID)
    response = push(client, token, body(member, id_number=VALID_UNKNOWN_ID.lower()))
    assert response.status_code == HTTPStatus.CREATED


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        ("{not json", "application/json"),
        ('["a", "list"]', "application/json"),
        ("null", "application/json"),
        (b"\xff\xfe", "application/json"),
        ("id_number=1&business=2", "application/x-www-form-urlencoded"),
        ('{"business": "x"}', "text/plain"),
    ],
)
def test_bad_body_or_content_type_answers_400(client, token, raw, content_type):
    response = push(client, token, raw, content_type=content_type)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]


BAD_AUTHORIZATION = [None, "", "Bearer", "Bearer wrong-token", "Basic dXNlcjpwYXNz", "Token {token}"]


@pytest.mark.parametrize("authorization", BAD_AUTHORIZATION)
def test_without_valid_token_answers_401(client, token, member, authorization):
    extra = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization.format(token=token)}
    response = client.post(URL, json.dumps(body(member)), content_type="application/json", **extra)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Message.objects.exists()


def test_invalid_tokens_from_one_ip_are_locked_out_with_429(client, token, member, settings, monkeypatch):
    settings.TASKS_PUSH_TOKEN_IP_FAILURES = 3
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    statuses = [push(client, f"zzgjj_guess{n}", body(member), REMOTE_ADDR="10.1.1.1").status_code for n in range(4)]
    assert statuses == [HTTPStatus.UNAUTHORIZED] * 3 + [HTTPStatus.TOO_MANY_REQUESTS]
    locked = push(client, token, body(member), REMOTE_ADDR="10.1.1.1")  # the right token too: no oracle
    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert locked.json()["error"] == "无效令牌尝试过多,请15分钟后重试。"
    assert locked["Retry-After"] == str(15 * 60)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKOUT, detail__contains="10.1.1.1").count() == 1
    # Another address is not locked, and the lock lifts by itself.
    assert push(client, token, body(member), REMOTE_ADDR="10.1.1.2").status_code == HTTPStatus.CREATED
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(minutes=15, seconds=1))
    again = push(client, token, body(member, idempotency_key="k-2"), REMOTE_ADDR="10.1.1.1")
    assert again.status_code == HTTPStatus.CREATED


def test_invalid_token_failures_use_the_login_counter_table(client, member):
    push(client, "zzgjj_wrong", body(member), REMOTE_ADDR="10.1.1.3")
    assert LoginThrottle.objects.get(key="push-token:10.1.1.3").failures == 1


def test_revoked_token_answers_401(client, token, member):
    services.channel_token_revoke(token=ChannelToken.objects.get())
    assert push(client, token, body(member)).status_code == HTTPStatus.UNAUTHORIZED


def test_only_the_hash_of_a_token_is_stored(token):
    row = ChannelToken.objects.get()
    assert row.token_hash == token_hash(token) and token not in row.token_hash


def test_over_the_channel_rate_answers_429_until_the_bucket_refills(client, token, member, settings, monkeypatch):
    settings.TASKS_PUSH_RATE_PER_SECOND = 2
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    statuses = [push(client, token, body(member, idempotency_key=f"k{n}")).status_code for n in range(3)]
    assert statuses == [HTTPStatus.CREATED, HTTPStatus.CREATED, HTTPStatus.TOO_MANY_REQUESTS]
    # Another channel has its own bucket.
    _, sms_token = services.channel_token_create(channel=Message.Channel.SMS, name="短信平台")
    assert push(client, sms_token, body(member, idempotency_key="s1")).status_code == HTTPStatus.CREATED
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(seconds=1))
    assert push(client, token, body(member, idempotency_key="k9")).status_code == HTTPStatus.CREATED


def test_bucket_refills_at_the_rate_up_to_capacity():
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    assert bucket_take(tokens=0.0, refreshed_at=t0, now=t0, rate=100, capacity=100) == (False, 0.0)
    assert bucket_take(tokens=0.0, refreshed_at=t0, now=t0 + timedelta(milliseconds=10), rate=100, capacity=100) == (
        True,
        pytest.approx(0.0),
    )
    assert bucket_take(tokens=50, refreshed_at=t0, now=t0 + timedelta(hours=1), rate=100, capacity=100) == (True, 99.0)
    # A clock that went backwards refills nothing.
    assert bucket_take(tokens=0.5, refreshed_at=t0, now=t0 - timedelta(seconds=5), rate=100, capacity=100) == (
        False,
        0.5,
    )


def test_push_needs_no_session_and_no_csrf_token(token, member):
    client = Client(enforce_csrf_checks=True)
    assert push(client, token, body(member)).status_code == HTTPStatus.CREATED


def test_push_refuses_get(client, token):
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_channel_token_opens_nothing_else(client, token, member):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for url in (reverse("tasks:home"), reverse("tasks:messages_unread"), "/admin/", "/admin/tasks/message/"):
        response = client.get(url, **auth)
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"].startswith(("/?next=", "/admin/login/"))  # the login pages


def test_pushed_message_appears_on_members_home(client, token, member_user):
    member_user.member.id_number = valid_id_number(5)
    member_user.member.save()
    push(client, token, body(member_user.member, business="推送测试", content="来自柜面系统的消息"))
    client.force_login(member_user)
    html = client.get(reverse("tasks:home")).content.decode()
    assert "推送测试" in html and "来自柜面系统的消息" in html


def test_channel_token_create_command_prints_a_working_token_once(client, member):
    out = io.StringIO()
    call_command("channel_token_create", "wechat", stdout=out)
    plain = out.getvalue().strip()
    row = ChannelToken.objects.get()
    assert row.channel == Message.Channel.WECHAT and row.name == "微信" and row.token_hash == token_hash(plain)
    assert push(client, plain, body(member)).status_code == HTTPStatus.CREATED
    assert Message.objects.get().channel == Message.Channel.WECHAT


def test_channel_token_create_command_refuses_unknown_channel(db):
    with pytest.raises(CommandError):
        call_command("channel_token_create", "fax", stdout=io.StringIO())


def test_openapi_document_matches_the_endpoint(client):
    response = client.get(reverse("api:openapi-json"))  # public: the channels read it before they have a session
    assert response.status_code == HTTPStatus.OK
    document = response.json()
    assert document["openapi"].startswith("3.")
    operation = document["paths"][URL]["post"]
    assert set(operation["responses"]) == {"200", "201", "400", "401", "409", "429"}
    schema = document["components"]["schemas"]["PushIn"]
    assert set(schema["properties"]) == set(PushIn.model_fields)
    assert set(schema["required"]) == {name for name, field in PushIn.model_fields.items() if field.is_required()}
    for name, field in PushIn.model_fields.items():
        max_length = next((m.max_length for m in field.metadata if getattr(m, "max_length", None)), None)
        assert schema["properties"][name].get("maxLength") == max_length


@pytest.mark.django_db(transaction=True)
def test_two_identical_pushes_at_once_give_one_message(token, member):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises all writes, so the two requests cannot race; the race needs PostgreSQL")
    barrier = threading.Barrier(2)
    results = []

    def send():
        try:
            barrier.wait()
            response = push(Client(), token, body(member, idempotency_key="same-key"))
            results.append((response.status_code, response.json()["id"]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in results) == [HTTPStatus.OK, HTTPStatus.CREATED]
    assert results[0][1] == results[1][1]
    assert Message.objects.filter(idempotency_key="same-key").count() == 1


@pytest.mark.django_db(transaction=True)
def test_rate_holds_for_concurrent_requests(token, member, settings, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises all writes; the row lock that workers share needs PostgreSQL")
    settings.TASKS_PUSH_RATE_PER_SECOND = 5
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)  # no refill while the requests run
    # A full bucket that already exists: the steady state, where only the row lock serialises.
    PushRateBucket.objects.create(channel=Message.Channel.COUNTER, tokens=5, refreshed_at=now)
    barrier = threading.Barrier(10)
    statuses = []

    def send(n):
        try:
            barrier.wait()
            statuses.append(push(Client(), token, body(member, idempotency_key=f"c{n}")).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # As gunicorn workers would: each request on its own connection, one bucket for all.
    assert sorted(statuses) == [HTTPStatus.CREATED] * 5 + [HTTPStatus.TOO_MANY_REQUESTS] * 5
