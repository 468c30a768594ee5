"""注册: 信息校验 → 短信校验 → 注册, driven through real URLs."""

import threading
from http import HTTPStatus
from unittest import mock

import pytest
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from accounts import services, texts
from accounts.models import User
from accounts.tests.conftest import CAPTCHA, NEW_PASSWORD, identity, last_code, send_code, verify_code
from accounts.tests.factories import MemberUserFactory
from inquiry.models import AccountStatus
from inquiry.tests.factories import FundAccountFactory, MemberFactory
from zzgjj_portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def _errors(response) -> list[str]:
    form = response.context["form"]
    return [str(e) for errors in form.errors.values() for e in errors]


def _pass_identity(client, member):
    response = identity(client, "accounts:register", member)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("accounts:register_sms")


def _pass_sms(client, outbox):
    send_code(client, "accounts:register_sms")
    response = verify_code(client, "accounts:register_sms", last_code(outbox))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("accounts:register_password")


def _set_password(client, password=NEW_PASSWORD, confirm=None):
    return client.post(reverse("accounts:register_password"), {"password1": password, "password2": confirm or password})


def test_register_page_shows_the_manual_labels(client):
    response = client.get(reverse("accounts:register"))
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    for word in ("信息校验", "短信校验", "注册", "姓名", "身份证号", "验证码", ">验证<"):
        assert word in html


def test_login_page_links_to_register_and_forgot_password(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:register") in html and reverse("accounts:password_forgot") in html


def test_register_three_steps_create_the_login(client, member, sms_outbox):
    _pass_identity(client, member)
    page = client.get(reverse("accounts:register_sms")).content.decode()
    assert member.phone[:3] + "****" + member.phone[-4:] in page
    assert member.phone not in page
    response = send_code(client, "accounts:register_sms")
    assert texts.SMS_SENT.format(phone=member.phone[:3] + "****" + member.phone[-4:], minutes=5) in (
        response.content.decode()
    )
    response = verify_code(client, "accounts:register_sms", last_code(sms_outbox))
    assert response.url == reverse("accounts:register_password")
    assert "验证通过!" in client.get(response.url).content.decode()
    response = _set_password(client)
    assert response.url == reverse("accounts:register_done")
    user = User.objects.get(member=member)
    assert user.username == f"member-{member.pk}" and user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.REGISTERED, member=member).exists()
    done = client.get(reverse("accounts:register_done")).content.decode()
    assert "注册完成" in done and reverse("accounts:login") in done
    # The progress is gone: the steps cannot be replayed.
    assert client.get(reverse("accounts:register_password")).url == reverse("accounts:register")


@pytest.mark.parametrize(
    ("make_member", "message"),
    [
        (lambda: FundAccountFactory(status=AccountStatus.CLOSED_WITHDRAWN).member, texts.CLOSED_NO_REGISTER),
        (lambda: FundAccountFactory(member__phone="").member, texts.NO_PHONE),
        (lambda: MemberUserFactory().member, texts.ALREADY_REGISTERED),
    ],
)
def test_register_identity_refusals_say_why(client, make_member, message):
    member = make_member()
    response = identity(client, "accounts:register", member)
    assert response.status_code == HTTPStatus.OK
    assert _errors(response) == [message]
    assert client.get(reverse("accounts:register_sms")).status_code == HTTPStatus.FOUND


def test_register_wrong_pair_and_unknown_pair_get_the_same_answer(client, member):
    other = MemberFactory()
    wrong_name = identity(client, "accounts:register", member, name=other.name)
    wrong_id = identity(client, "accounts:register", member, id_number=other.id_number)
    unknown = identity(client, "accounts:register", member, name="查无此人", id_number="11010519491231002X")
    assert _errors(wrong_name) == _errors(wrong_id) == _errors(unknown) == [texts.IDENTITY_MISMATCH]


def test_register_wrong_captcha_stops_before_any_lookup(client, member):
    with mock.patch("accounts.services.identity_verify") as match:
        response = identity(client, "accounts:register", member, captcha_1="WRONG")
    assert "验证码错误,请重新输入" in _errors(response)
    match.assert_not_called()


def test_register_identity_refusals_are_limited_per_ip(client, member, settings):
    settings.ACCOUNTS_IDENTITY_IP_FAILURES = 3
    for _ in range(3):
        identity(client, "accounts:register", member, name="错")
    response = identity(client, "accounts:register", member)
    assert _errors(response) == [texts.IDENTITY_TOO_MANY.format(minutes=15)]


@pytest.mark.parametrize("url_name", ["accounts:register_sms", "accounts:register_password"])
def test_register_later_steps_cannot_be_reached_by_url(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == HTTPStatus.FOUND and response.url == reverse("accounts:register")


def test_register_password_step_needs_the_sms_step(client, member):
    _pass_identity(client, member)
    assert client.get(reverse("accounts:register_password")).url == reverse("accounts:register")
    assert not User.objects.filter(member=member).exists()
    _set_password(client)
    assert not User.objects.filter(member=member).exists()


def test_register_send_is_refused_without_identity_step(client, sms_outbox):
    client.post(reverse("accounts:register_sms"), {"action": "send"})
    assert sms_outbox == []


def test_register_progress_expires_after_fifteen_minutes(client, member, sms_outbox, clock):
    _pass_identity(client, member)
    clock.advance(minutes=15, seconds=1)
    response = client.get(reverse("accounts:register_sms"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:register")
    assert texts.FLOW_EXPIRED in response.content.decode()


def test_register_changing_name_or_id_starts_over(client, member, sms_outbox):
    _pass_identity(client, member)
    _pass_sms(client, sms_outbox)
    other = FundAccountFactory().member
    _pass_identity(client, other)
    # Back at step 2, for the new member: the verified SMS step does not carry over.
    assert client.get(reverse("accounts:register_password")).url == reverse("accounts:register")
    assert other.phone[-4:] in client.get(reverse("accounts:register_sms")).content.decode()


def test_register_wrong_sms_code_is_refused_with_tries_left(client, member, sms_outbox):
    _pass_identity(client, member)
    send_code(client, "accounts:register_sms")
    wrong = "000000" if last_code(sms_outbox) != "000000" else "111111"
    response = verify_code(client, "accounts:register_sms", wrong)
    assert _errors(response) == [texts.SMS_WRONG.format(left=4)]
    response = verify_code(client, "accounts:register_sms", "12ab")
    assert _errors(response) == [texts.SMS_FORMAT]


def test_register_second_send_within_a_minute_is_refused(client, member, sms_outbox):
    _pass_identity(client, member)
    send_code(client, "accounts:register_sms")
    response = send_code(client, "accounts:register_sms")
    assert "秒后再重新获取" in response.content.decode()
    assert len(sms_outbox) == 1
    assert 'data-countdown="6' in response.content.decode() or 'data-countdown="5' in response.content.decode()


def test_register_password_rules_are_checked(client, member, sms_outbox):
    _pass_identity(client, member)
    _pass_sms(client, sms_outbox)
    response = _set_password(client, password=member.id_number)
    assert texts.PASSWORD_ID_NUMBER in _errors(response)
    response = _set_password(client, password=NEW_PASSWORD, confirm=NEW_PASSWORD + "x")
    assert _errors(response) == [texts.PASSWORD_MISMATCH]
    assert not User.objects.filter(member=member).exists()


def test_register_in_two_browsers_sets_exactly_one_password(client, member, sms_outbox, django_user_model):
    from django.test import Client

    other_browser = Client()
    for browser in (client, other_browser):
        _pass_identity(browser, member)
    send_code(client, "accounts:register_sms")
    verify_code(client, "accounts:register_sms", last_code(sms_outbox))
    # The second browser's code replaced the first (a new code kills the old one), so
    # each browser verifies in turn, the second after the 60 s cooldown is bypassed.
    services.SmsCode.objects.update(created_at=services.timezone.now() - services.timedelta(minutes=2))
    send_code(other_browser, "accounts:register_sms")
    verify_code(other_browser, "accounts:register_sms", last_code(sms_outbox))
    assert _set_password(client).url == reverse("accounts:register_done")
    response = _set_password(other_browser, password="Other9pass7")
    assert response.url == reverse("accounts:login")
    assert texts.REGISTERED_ELSEWHERE in other_browser.get(response.url).content.decode()
    user = django_user_model.objects.get(member=member)
    assert user.check_password(NEW_PASSWORD) and not user.check_password("Other9pass7")
    assert User.objects.filter(member=member).count() == 1


def test_register_captcha_field_is_required(client, member):
    response = client.post(reverse("accounts:register"), {"name": member.name, "id_number": member.id_number})
    assert "请输入验证码" in _errors(response)
    assert response.status_code == HTTPStatus.OK  # stays on 信息校验
    # The same answers with the captcha go on to 短信校验: the captcha was what was missing.
    response = client.post(
        reverse("accounts:register"), {"name": member.name, "id_number": member.id_number, **CAPTCHA}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("accounts:register_sms")


@pytest.mark.django_db(transaction=True)
def test_registration_complete_concurrent_threads_create_one_user():
    if connection.vendor == "sqlite":
        pytest.skip("needs a server database: SQLite serialises writers")
    member = FundAccountFactory().member
    barrier = threading.Barrier(2)
    outcomes = []

    def register(password):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            services.registration_complete(member=member, password=password, request=RequestFactory().post("/"))
            outcomes.append("won")
        except services.RegistrationConflict:
            outcomes.append("lost")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=register, args=(p,)) for p in ("First1pass", "Second2pass")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["lost", "won"]
    assert User.objects.filter(member=member).count() == 1
