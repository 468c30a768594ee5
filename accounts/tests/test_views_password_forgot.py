"""忘记密码: 信息验证 → 发送验证码 / 下一步 → 新密码 → 提交 → 修改成功."""

from http import HTTPStatus

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import services, texts
from accounts.models import LoginThrottle, SmsPurpose
from accounts.tests.conftest import NEW_PASSWORD, identity, last_code, send_code, verify_code
from accounts.tests.factories import MemberUserFactory
from conftest import MEMBER_PASSWORD
from inquiry.models import AccountStatus
from inquiry.tests.factories import FundAccountFactory
from zzgjj_portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def _errors(response) -> list[str]:
    return [str(e) for errors in response.context["form"].errors.values() for e in errors]


def test_password_forgot_page_shows_the_manual_labels(client):
    html = client.get(reverse("accounts:password_forgot")).content.decode()
    for word in ("忘记密码", "姓名", "证件号码", "验证码", ">信息验证<"):
        assert word in html


def test_password_forgot_resets_and_ends_every_session(client, member_user, sms_outbox):
    member = member_user.member
    other_session = Client()
    other_session.force_login(member_user)
    LoginThrottle.objects.create(key=f"member:{member.pk}", failures=3, last_failure_at=member.created_at)

    response = identity(client, "accounts:password_forgot", member)
    assert response.url == reverse("accounts:password_forgot_sms")
    page = client.get(response.url).content.decode()
    assert member.phone[:3] + "****" + member.phone[-4:] in page and "发送验证码" in page and "下一步" in page
    send_code(client, "accounts:password_forgot_sms")
    response = verify_code(client, "accounts:password_forgot_sms", last_code(sms_outbox))
    assert response.url == reverse("accounts:password_forgot_new")
    response = client.post(response.url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.url == reverse("accounts:password_forgot_done")
    done = client.get(response.url).content.decode()
    assert "修改成功" in done and ">登陆<" in done and reverse("accounts:login") in done

    member_user.refresh_from_db()
    assert member_user.check_password(NEW_PASSWORD) and not member_user.check_password(MEMBER_PASSWORD)
    assert not LoginThrottle.objects.filter(key=f"member:{member.pk}").exists()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSWORD_RESET, member=member).exists()
    # The session that was logged in elsewhere is over.
    assert other_session.get(reverse("tasks:home")).status_code == HTTPStatus.FOUND


@pytest.mark.parametrize(
    ("make_member", "message"),
    [
        (lambda: FundAccountFactory().member, texts.NOT_REGISTERED),
        (
            lambda: MemberUserFactory(member=FundAccountFactory(status=AccountStatus.CLOSED_MERGED).member).member,
            texts.CLOSED_NO_RESET,
        ),
        (lambda: MemberUserFactory(member=FundAccountFactory(member__phone="").member).member, texts.NO_PHONE),
    ],
)
def test_password_forgot_identity_refusals_say_why(client, make_member, message):
    response = identity(client, "accounts:password_forgot", make_member())
    assert _errors(response) == [message]


def test_password_forgot_unregistered_member_is_sent_to_registration(client):
    member = FundAccountFactory().member
    html = identity(client, "accounts:password_forgot", member).content.decode()
    assert reverse("accounts:register") in html


def test_password_forgot_wrong_pair_gets_the_mismatch_message(client, member_user):
    response = identity(client, "accounts:password_forgot", member_user.member, name="别人")
    assert _errors(response) == [texts.IDENTITY_MISMATCH]


@pytest.mark.parametrize("url_name", ["accounts:password_forgot_sms", "accounts:password_forgot_new"])
def test_password_forgot_later_steps_cannot_be_reached_by_url(client, url_name):
    assert client.get(reverse(url_name)).url == reverse("accounts:password_forgot")


def test_password_forgot_registration_progress_does_not_open_reset_steps(client, sms_outbox):
    member = FundAccountFactory().member
    identity(client, "accounts:register", member)
    assert client.get(reverse("accounts:password_forgot_sms")).url == reverse("accounts:password_forgot")


def test_password_forgot_register_code_does_not_work_for_reset(client, member_user, sms_outbox, monkeypatch, clock):
    member = member_user.member
    # Two different codes, whatever the generator draws: the reset one, then a registration one.
    drawn = iter([111111, 222222])
    monkeypatch.setattr(services.secrets, "randbelow", lambda _: next(drawn))
    identity(client, "accounts:password_forgot", member)
    send_code(client, "accounts:password_forgot_sms")
    reset_code = last_code(sms_outbox)
    clock.advance(seconds=settings.ACCOUNTS_SMS_COOLDOWN + 1)
    services.sms_code_send(member=member, purpose=SmsPurpose.REGISTER, request=RequestFactory().post("/"))
    register_code = last_code(sms_outbox)
    assert (reset_code, register_code) == ("111111", "222222")
    response = verify_code(client, "accounts:password_forgot_sms", register_code)
    assert response.status_code == HTTPStatus.OK  # refused: still on 短信校验
    assert texts.SMS_WRONG.format(left=settings.ACCOUNTS_SMS_MAX_TRIES - 1) in _errors(response)
    assert client.get(reverse("accounts:password_forgot_new")).status_code == HTTPStatus.FOUND
    response = verify_code(client, "accounts:password_forgot_sms", reset_code)
    assert response.url == reverse("accounts:password_forgot_new")
    response = client.post(response.url, {"password1": "abc", "password2": "abc"})
    assert texts.PASSWORD_TOO_SHORT in _errors(response)
    member_user.refresh_from_db()
    assert member_user.check_password(MEMBER_PASSWORD)
