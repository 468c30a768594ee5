"""The core system's outbox API: GET /api/core/outbox/ (the decisions not yet
acknowledged, by an id cursor) and POST /api/core/outbox/ack/."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.test import Client
from django.utils import timezone

from tasks.models import Decision, Message
from tasks.tests.api import ACK_URL, OUTBOX_URL, core_token, get, post, push_token
from tasks.tests.factories import DecisionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def token():
    return core_token()


def serials(response) -> list[str]:
    return [item["serial_no"] for item in response.json()["items"]]


def test_outbox_lists_a_withdrawal_with_every_field(client, token):
    decision = DecisionFactory(
        amount=Decimal("1234.5"),
        withdrawal_reason="07",
        created_at=datetime(2026, 11, 28, 1, 30, tzinfo=UTC),
    )
    response = get(client, OUTBOX_URL, token)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert response.json() == {
        "items": [
            {
                "serial_no": decision.serial_no,
                "kind": "withdrawal",
                "account_no": decision.account_no,
                "amount": "1234.50",  # a string with two decimals: no float on the way
                "bank_account_no": "6217000101000000001",
                "withdrawal_reason": "07",
                "close_account": False,
                "term_months": None,
                "annual_rate": None,
                "repayment_method": "",
                "created_at": "2026-11-28T01:30:00Z",
            }
        ],
        "next": None,
    }


def test_outbox_lists_a_loan_with_its_terms(client, token):
    DecisionFactory(
        kind=Decision.Kind.LOAN,
        amount=Decimal("500000.00"),
        term_months=240,
        annual_rate=Decimal("0.031"),
        repayment_method="equal_installment",
    )
    (item,) = get(client, OUTBOX_URL, token).json()["items"]
    assert (item["kind"], item["amount"], item["term_months"], item["annual_rate"], item["repayment_method"]) == (
        "loan",
        "500000.00",
        240,
        "0.03100",
        "equal_installment",
    )


def test_outbox_pages_by_cursor_until_next_is_null(client, token):
    decisions = DecisionFactory.create_batch(5)
    first = get(client, OUTBOX_URL, token, {"limit": 2})
    assert serials(first) == [d.serial_no for d in decisions[:2]]
    assert first.json()["next"] == decisions[1].pk
    second = get(client, OUTBOX_URL, token, {"after": first.json()["next"], "limit": 2})
    assert serials(second) == [d.serial_no for d in decisions[2:4]]
    third = get(client, OUTBOX_URL, token, {"after": second.json()["next"], "limit": 2})
    assert serials(third) == [decisions[4].serial_no]
    assert third.json()["next"] is None  # a page not full: nothing more now
    assert get(client, OUTBOX_URL, token, {"after": decisions[4].pk}).json() == {"items": [], "next": None}


def test_outbox_limit_defaults_to_100(client, token):
    DecisionFactory.create_batch(101)
    page = get(client, OUTBOX_URL, token).json()
    assert len(page["items"]) == 100 and page["next"] == Decision.objects.order_by("id")[99].pk


def test_outbox_takes_one_query_for_a_full_page(client, token, django_assert_max_num_queries, settings):
    DecisionFactory.create_batch(30)
    get(client, OUTBOX_URL, token)  # the token's rate bucket exists from here on
    # Token lookup, lock check, rate bucket (lock, update) and one SELECT of the page, whatever its size.
    with django_assert_max_num_queries(8) as queries:
        response = get(client, OUTBOX_URL, token, {"limit": 1000})
    assert len(response.json()["items"]) == 30
    assert sum("tasks_decision" in q["sql"] for q in queries.captured_queries) == 1


def test_ack_takes_decisions_off_the_offer_and_twice_is_harmless(client, token):
    first, second, third = DecisionFactory.create_batch(3)
    response = post(client, ACK_URL, token, {"serial_nos": [first.serial_no, third.serial_no]})
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"acknowledged": 2, "unknown": []}
    assert serials(get(client, OUTBOX_URL, token)) == [second.serial_no]
    again = post(client, ACK_URL, token, {"serial_nos": [first.serial_no, third.serial_no]})
    assert again.status_code == HTTPStatus.OK
    assert again.json() == {"acknowledged": 0, "unknown": []}
    first.refresh_from_db()
    assert first.acked_at is not None and first.state == Decision.State.PENDING  # received, not booked


def test_ack_reports_unknown_serials_and_acknowledges_the_rest(client, token):
    decision = DecisionFactory()
    response = post(client, ACK_URL, token, {"serial_nos": ["WTNOSUCH", decision.serial_no, "WTNOSUCH"]})
    assert response.json() == {"acknowledged": 1, "unknown": ["WTNOSUCH"]}


def test_ack_strips_whitespace_around_serials(client, token):
    decision = DecisionFactory()
    assert post(client, ACK_URL, token, {"serial_nos": [f" {decision.serial_no} "]}).json()["acknowledged"] == 1


def test_ack_takes_a_thousand_serials(client, token):
    decisions = DecisionFactory.create_batch(3)
    serial_nos = [d.serial_no for d in decisions] + [f"WTX{n:07d}" for n in range(997)]
    response = post(client, ACK_URL, token, {"serial_nos": serial_nos})
    assert response.status_code == HTTPStatus.OK
    assert response.json()["acknowledged"] == 3 and len(response.json()["unknown"]) == 997


def test_a_decision_not_acknowledged_is_offered_again_from_the_start(client, token):
    first, second = DecisionFactory.create_batch(2)
    page = get(client, OUTBOX_URL, token)
    assert serials(page) == [first.serial_no, second.serial_no]
    post(client, ACK_URL, token, {"serial_nos": [second.serial_no]})  # the core lost the first
    assert serials(get(client, OUTBOX_URL, token, {"after": 0})) == [first.serial_no]


@pytest.mark.parametrize("url", [OUTBOX_URL, ACK_URL])
def test_a_push_token_does_not_open_the_core_api(client, url):
    DecisionFactory()
    token = push_token()
    response = get(client, url, token) if url == OUTBOX_URL else post(client, url, token, {"serial_nos": ["x"]})
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json() == {"error": "缺少有效的渠道令牌(Authorization: Bearer <token>)。"}
    assert response["WWW-Authenticate"] == 'Bearer realm="core"'
    assert Decision.objects.get().acked_at is None


def test_a_core_token_does_not_open_the_push_api(client, token, member_user):
    response = post(
        client,
        "/api/messages/",
        token,
        {"id_number": member_user.member.id_number, "business": "b", "content": "c", "idempotency_key": "k"},
    )
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert not Message.objects.exists()


def test_invalid_revoked_and_other_kind_tokens_get_the_same_answer(client, token):
    from tasks import services
    from tasks.models import ChannelToken

    revoked = core_token("旧令牌")
    services.channel_token_revoke(token=ChannelToken.objects.get(name="旧令牌"))
    answers = {
        (r.status_code, r.content, r["WWW-Authenticate"])
        for r in (get(client, OUTBOX_URL, t) for t in (None, "zzgjj_wrong", revoked, push_token()))
    }
    assert len(answers) == 1 and next(iter(answers))[0] == HTTPStatus.UNAUTHORIZED


def test_bad_tokens_lock_the_ip_out_of_every_endpoint(client, token, settings, clock):
    settings.TASKS_PUSH_TOKEN_IP_FAILURES = 3
    for n in range(3):
        assert get(client, OUTBOX_URL, f"zzgjj_guess{n}", REMOTE_ADDR="10.2.2.2").status_code == 401
    locked = get(client, OUTBOX_URL, token, REMOTE_ADDR="10.2.2.2")  # the right token too: no oracle
    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert locked["Retry-After"] == str(15 * 60)
    # One counter per address for all the machine endpoints: the push API is locked too.
    assert post(client, "/api/messages/", push_token(), {}, REMOTE_ADDR="10.2.2.2").status_code == 429
    assert get(client, OUTBOX_URL, token, REMOTE_ADDR="10.2.2.3").status_code == HTTPStatus.OK
    clock.advance(minutes=15, seconds=1)
    assert get(client, OUTBOX_URL, token, REMOTE_ADDR="10.2.2.2").status_code == HTTPStatus.OK


def test_each_core_token_has_its_own_rate(client, token, settings, monkeypatch):
    settings.TASKS_CORE_RATE_PER_SECOND = 2
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    statuses = [get(client, OUTBOX_URL, token).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = get(client, OUTBOX_URL, token)
    assert limited["Retry-After"] == "1" and limited.json() == {"error": "请求过于频繁,请稍后重试。"}
    # Bad requests cost quota too (taken before validation) ...
    assert get(client, OUTBOX_URL, token, {"after": "x"}).status_code == 429
    # ... another core token has its own bucket, and the bucket refills.
    assert get(client, OUTBOX_URL, core_token("备用")).status_code == HTTPStatus.OK
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(seconds=1))
    assert get(client, OUTBOX_URL, token).status_code == HTTPStatus.OK


def test_core_api_needs_no_session_and_no_csrf_token(token):
    decision = DecisionFactory()
    client = Client(enforce_csrf_checks=True)
    response = post(client, ACK_URL, token, {"serial_nos": [decision.serial_no]})
    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize("who", ["staff_client", "member_client"])
def test_a_browser_session_opens_no_machine_endpoint(request, who):
    client = request.getfixturevalue(who)
    DecisionFactory()
    assert get(client, OUTBOX_URL, None).status_code == HTTPStatus.UNAUTHORIZED
    assert post(client, ACK_URL, None, {"serial_nos": ["x"]}).status_code == HTTPStatus.UNAUTHORIZED
    assert post(client, "/api/messages/", None, {}).status_code == HTTPStatus.UNAUTHORIZED
    assert Decision.objects.get().acked_at is None


@pytest.mark.parametrize(("method", "url"), [("post", OUTBOX_URL), ("get", ACK_URL), ("put", ACK_URL)])
def test_wrong_method_answers_405(client, token, method, url):
    response = getattr(client, method)(url, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_unknown_path_under_api_is_404(client, token):
    assert get(client, "/api/core/nothing/", token).status_code == HTTPStatus.NOT_FOUND
