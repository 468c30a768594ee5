"""Bad input to every machine endpoint: 400 with the field named (or the body
refused as a whole), in the one error shape, never 500 — a table of the
known cases, then a property-based fuzz of bodies and query strings."""

from http import HTTPStatus

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inquiry.models import Member
from inquiry.tests.factories import MemberFactory
from tasks.models import Decision, Message
from tasks.tests.api import ACK_URL, OUTBOX_URL, PUSH_URL, core_token, get, post, push_token
from tasks.tests.factories import DecisionFactory

pytestmark = pytest.mark.django_db

ERROR_JSON = "请求内容不是有效的 JSON 对象。"
ERROR_CONTENT_TYPE = "请求内容类型应为 application/json。"
ERROR_TOO_BIG = "请求内容过大。"
TEN_MB = 10 * 1024 * 1024
DEEP = "[" * 5000 + "]" * 5000


@pytest.fixture(autouse=True)
def fast_rates(settings):
    settings.TASKS_PUSH_RATE_PER_SECOND = 10_000
    settings.TASKS_CORE_RATE_PER_SECOND = 10_000


@pytest.fixture
def tokens():
    return {"push": push_token(), "core": core_token()}


def refused(response, *, fields: dict | None = None, error: str | None = None):
    """A 400 in the API's shape; `fields` maps each field named to a text its message must hold."""
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"]
    if error is not None:
        assert body["error"] == error
    if fields is not None:
        assert set(body["fields"]) == set(fields), body
        for name, words in fields.items():
            assert any(words in message for message in body["fields"][name]), body
    return body


# (raw query string, field named, words its message holds)
OUTBOX_CASES = [
    ("after=-1", "after", "不能小于0"),
    ("after=abc", "after", "应为整数"),
    ("after=1.5", "after", "应为整数"),
    ("after=", "after", "应为整数"),
    ("after=" + "1" * 40, "after", "不能大于9223372036854775807"),
    ("after=9223372036854775808", "after", "不能大于"),
    ("after=" + "1" * 5000, "after", "数值过大"),
    ("limit=-" + "9" * 5000, "limit", "数值过大"),
    ("after=1e3", "after", "应为整数"),
    ("limit=0", "limit", "不能小于1"),
    ("limit=1001", "limit", "不能大于1000"),
    ("limit=ten", "limit", "应为整数"),
    ("cursor=5", "cursor", "不是此接口的字段"),
    ("after=0&cursor=5&x=1", "cursor", "不是此接口的字段"),
    ("after=5&after=0", "after", "只能给出一次"),
    ("limit=5&limit=5", "limit", "只能给出一次"),
    ("after=%00", "after", "无效的字符"),
    ("after=%ED%B3%BF", "after", "应为整数"),  # a surrogate's UTF-8 bytes: not text
    ("after=%FF", "after", "应为整数"),
]


@pytest.mark.parametrize(("query", "field", "words"), OUTBOX_CASES, ids=lambda v: repr(v)[:30])
def test_outbox_bad_query_answers_400_naming_the_field(client, tokens, query, field, words):
    response = client.get(f"{OUTBOX_URL}?{query}", HTTP_AUTHORIZATION=f"Bearer {tokens['core']}")
    body = refused(response)
    assert field in body["fields"] and any(words in m for m in body["fields"][field]), body


def test_outbox_largest_cursor_is_fine(client, tokens):
    DecisionFactory()
    response = get(client, OUTBOX_URL, tokens["core"], {"after": str(2**63 - 1)})
    assert response.json() == {"items": [], "next": None}


# (body, field named or None for the body as a whole, words)
ACK_CASES = [
    ({}, "serial_nos", "此字段必填"),
    ({"serial_nos": []}, "serial_nos", "至少应有1项"),
    ({"serial_nos": "WT1"}, "serial_nos", "应为数组"),
    ({"serial_nos": {"a": 1}}, "serial_nos", "应为数组"),
    ({"serial_nos": [1]}, "serial_nos", "第1项:应为字符串"),
    ({"serial_nos": ["ok", None]}, "serial_nos", "第2项:应为字符串"),
    ({"serial_nos": ["ok", "W" * 33]}, "serial_nos", "第2项:不能超过32个字符"),
    ({"serial_nos": ["  "]}, "serial_nos", "第1项:此字段必填"),
    ({"serial_nos": ["W\x00"]}, "serial_nos", "第1项:含有无效的字符"),
    ({"serial_nos": ["W\udcff"]}, "serial_nos", "第1项:含有无效的字符"),
    ({"serial_nos": [f"W{n}" for n in range(1001)]}, "serial_nos", "最多1000项"),
    ({"serial_nos": ["W1"], "serial_no": "W1"}, "serial_no", "不是此接口的字段"),
    ({"serial_nos": [10**30]}, "serial_nos", "应为字符串"),
    ({"serial_nos": [1e300]}, "serial_nos", "应为字符串"),
]


@pytest.mark.parametrize(("body", "field", "words"), ACK_CASES, ids=lambda v: repr(v)[:30])
def test_ack_bad_body_answers_400_naming_the_field(client, tokens, body, field, words):
    decision = DecisionFactory()
    refused(post(client, ACK_URL, tokens["core"], body), fields={field: words})
    decision.refresh_from_db()
    assert decision.acked_at is None


PUSH_CASES = [
    ({"business": "业" * 51}, "business", "不能超过50个字符"),
    ({"content": "内" * 2001}, "content", "不能超过2000个字符"),
    ({"content": "  "}, "content", "此字段必填"),
    ({"content": "含\x00空字符"}, "content", "含有无效的字符"),
    ({"content": "\udcff"}, "content", "含有无效的字符"),
    ({"content": 10**30}, "content", "应为字符串"),
    ({"content": {"a": "b"}}, "content", "应为字符串"),
    ({"id_number": 1e300}, "id_number", "应为字符串"),
    ({"id_number": "3" * 19}, "id_number", "不能超过18个字符"),
    ({"idempotency_key": "k" * 65}, "idempotency_key", "不能超过64个字符"),
    ({"idempotency_key": "键"}, "idempotency_key", "幂等键只能包含"),
    ({"sent_at": 1700000000}, "sent_at", "应为字符串"),
    ({"sent_at": "2026-11-28\x00T09:30:00"}, "sent_at", "ISO 8601"),
]


@pytest.mark.parametrize(("overrides", "field", "words"), PUSH_CASES, ids=lambda v: repr(v)[:30])
def test_push_bad_field_answers_400_with_its_message(client, tokens, member_user, overrides, field, words):
    body = {
        "id_number": member_user.member.id_number,
        "business": "业务",
        "content": "内容",
        "idempotency_key": "k1",
        **overrides,
    }
    refused(post(client, PUSH_URL, tokens["push"], body), fields={field: words})
    assert not Message.objects.exists()


def test_ack_query_parameters_are_refused(client, tokens):
    url = ACK_URL + "?serial_nos=W1"
    refused(post(client, url, tokens["core"], {"serial_nos": ["W1"]}), fields={"serial_nos": "不是此接口的字段"})


WHOLE_BODY_CASES = [
    ("{not json", "application/json", ERROR_JSON),
    ("", "application/json", ERROR_JSON),
    ("null", "application/json", ERROR_JSON),
    ('["a", "list"]', "application/json", ERROR_JSON),
    ('"text"', "application/json", ERROR_JSON),
    (b"\xff\xfe", "application/json", ERROR_JSON),
    ('{"a": NaN', "application/json", ERROR_JSON),
    ('{"a": ' + "1" * 5000 + "}", "application/json", ERROR_JSON),  # over Python's int digits limit
    (DEEP, "application/json", ERROR_JSON),
    ('{"serial_nos": ' + DEEP + "}", "application/json", ERROR_JSON),
    ('{"serial_nos": ["W1"]}', "text/plain", ERROR_CONTENT_TYPE),
    ("serial_nos=W1", "application/x-www-form-urlencoded", ERROR_CONTENT_TYPE),
    ('{"serial_nos": ["W1"]}', "application/json-patch+json", ERROR_CONTENT_TYPE),
    ("x" * TEN_MB, "application/json", ERROR_TOO_BIG),
    ("a=" + "x" * TEN_MB, "application/x-www-form-urlencoded", ERROR_TOO_BIG),
]


@pytest.mark.parametrize("endpoint", ["push", "ack"])
@pytest.mark.parametrize(("raw", "content_type", "error"), WHOLE_BODY_CASES, ids=lambda v: repr(v)[:30])
def test_a_body_that_is_no_json_object_answers_400(client, tokens, endpoint, raw, content_type, error):
    url, token = (PUSH_URL, tokens["push"]) if endpoint == "push" else (ACK_URL, tokens["core"])
    body = refused(post(client, url, token, raw, content_type=content_type), error=error)
    assert body["fields"] == {}


@pytest.mark.parametrize("endpoint", ["push", "ack"])
def test_a_multipart_body_answers_400(client, tokens, endpoint):
    url, token = (PUSH_URL, tokens["push"]) if endpoint == "push" else (ACK_URL, tokens["core"])
    response = client.post(url, {"serial_nos": "W1", "file": ("x.txt", b"x")}, HTTP_AUTHORIZATION=f"Bearer {token}")
    refused(response, error=ERROR_CONTENT_TYPE)


def test_push_ignores_fields_it_does_not_know(client, tokens, member_user):
    body = {
        "id_number": member_user.member.id_number,
        "business": "业务",
        "content": "内容",
        "idempotency_key": "k1",
        "channel": "sms",  # not the caller's to choose: the token's channel stays
        "priority": 5,
    }
    response = post(client, PUSH_URL, tokens["push"], body)
    assert response.status_code == HTTPStatus.CREATED
    assert Message.objects.get().channel == Message.Channel.COUNTER


def test_nul_in_a_query_string_answers_the_api_error_naming_it(client, tokens):
    response = client.post(
        PUSH_URL + "?trace=%00", "{}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {tokens['push']}"
    )
    refused(response, fields={"trace": "无效的字符"})


KNOWN_ID = "11010519491231002X"


def url_text(size: int):
    # A URL holds UTF-8: no lone surrogates (bytes that are no UTF-8 are in the table above).
    return st.text(st.characters(blacklist_categories=("Cs",)), max_size=size)


# A fuzz: any JSON value as a body, any text as query values. The answer is
# one of the contract's, in the error shape when refused; never a 500.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
push_bodies = (
    st.fixed_dictionaries(
        {},
        optional={
            "id_number": st.one_of(st.just(KNOWN_ID), st.text(max_size=20), json_values),
            "business": st.one_of(st.text(max_size=60), json_values),
            "content": st.one_of(st.text(max_size=60), json_values),
            "sent_at": st.one_of(st.just("2026-11-28T09:30:00+08:00"), st.text(max_size=30), json_values),
            "idempotency_key": st.one_of(
                st.from_regex(r"\A[A-Za-z0-9_.:-]{1,10}\Z"), st.text(max_size=70), json_values
            ),
        },
    )
    | json_values
)
ack_bodies = (
    st.fixed_dictionaries(
        {}, optional={"serial_nos": st.lists(st.text(max_size=40) | json_values, max_size=5) | json_values}
    )
    | json_values
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def answered(response, allowed: set[int]):
    assert response.status_code in allowed, (response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert set(response.json()) <= {"error", "fields"} and response.json()["error"]


@FUZZ
@given(body=push_bodies)
def test_fuzz_push_never_fails(client, tokens, body):
    if not Member.objects.filter(id_number=KNOWN_ID).exists():  # the database outlives each example
        MemberFactory(id_number=KNOWN_ID)
    answered(post(client, PUSH_URL, tokens["push"], body), {200, 201, 400, 409})


@FUZZ
@given(body=ack_bodies)
def test_fuzz_ack_never_fails(client, tokens, body):
    answered(post(client, ACK_URL, tokens["core"], body), {200, 400})


@FUZZ
@given(query=st.dictionaries(st.sampled_from(["after", "limit", "x"]) | url_text(5), url_text(25)))
def test_fuzz_outbox_never_fails(client, tokens, query):
    answered(get(client, OUTBOX_URL, tokens["core"], query), {200, 400})


@FUZZ
@given(raw=st.binary(max_size=200), content_type=st.sampled_from(["application/json", "text/plain", ""]))
def test_fuzz_raw_bytes_never_fail(client, tokens, raw, content_type):
    answered(post(client, ACK_URL, tokens["core"], raw, content_type=content_type), {200, 400})


def test_fuzz_leaves_the_outbox_consistent(client, tokens):
    # The fuzz above acknowledges only through valid bodies; nothing half-written.
    assert not Decision.objects.filter(acked_at__isnull=False).exclude(state=Decision.State.PENDING).exists()
