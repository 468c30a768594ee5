"""修改密码: 原密码, 新密码, 确认密码 → 提交."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from accounts import texts
from accounts.tests.conftest import NEW_PASSWORD
from conftest import MEMBER_PASSWORD
from zzgjj_portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def _change(client, old=MEMBER_PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "password1": new, "password2": confirm or new},
    )


def _errors(response) -> list[str]:
    return [str(e) for errors in response.context["form"].errors.values() for e in errors]


def test_password_change_page_has_the_manual_fields(member_client):
    html = member_client.get(reverse("accounts:password_change")).content.decode()
    for word in ("原密码", "新密码", "确认密码", ">提交<"):
        assert word in html


def test_password_change_page_shows_the_inquiry_menu(member_client, member_user):
    from inquiry.tests.factories import LoanContractFactory

    html = member_client.get(reverse("accounts:password_change")).content.decode()
    assert 'aria-label="信息查询"' in html and "缴存支取信息" in html
    assert "还款计划" not in html  # loan entries only for a member with a contract
    LoanContractFactory(member=member_user.member)
    html = member_client.get(reverse("accounts:password_change")).content.decode()
    assert "还款计划" in html


def test_password_change_link_is_on_member_pages(member_client):
    html = member_client.get(reverse("tasks:home")).content.decode()
    assert reverse("accounts:password_change") in html


def test_password_change_needs_a_member(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == HTTPStatus.FOUND and response.url.startswith(reverse("accounts:login"))


def test_password_change_keeps_this_session_and_ends_the_others(member_client, member_user):
    other = Client()
    other.force_login(member_user)
    response = _change(member_client)
    assert response.url == reverse("accounts:password_change_done")
    assert texts.PASSWORD_CHANGED in member_client.get(response.url).content.decode()
    member_user.refresh_from_db()
    assert member_user.check_password(NEW_PASSWORD)
    assert member_client.get(reverse("tasks:home")).status_code == HTTPStatus.OK
    assert other.get(reverse("tasks:home")).status_code == HTTPStatus.FOUND
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSWORD_CHANGED, actor=member_user).exists()


def test_password_change_wrong_old_password_is_refused(member_client, member_user):
    response = _change(member_client, old="Wrong#2026a")
    assert _errors(response) == [texts.OLD_PASSWORD_WRONG]
    member_user.refresh_from_db()
    assert member_user.check_password(MEMBER_PASSWORD)


def test_password_change_rules_and_confirmation(member_client, member_user):
    response = _change(member_client, new=member_user.member.phone + "a")
    assert texts.PASSWORD_PHONE in _errors(response)
    response = _change(member_client, confirm="Different1x")
    assert _errors(response) == [texts.PASSWORD_MISMATCH]


def test_password_change_wrong_old_password_counts_toward_lockout(member_client, member_user):
    for _ in range(4):
        _change(member_client, old="Wrong#2026a")
    response = _change(member_client, old="Wrong#2026a")
    assert response.status_code == HTTPStatus.FOUND and response.url == reverse("accounts:login")
    page = member_client.get(response.url).content.decode()
    assert texts.LOCKED.format(minutes=15) in page
    assert member_client.get(reverse("tasks:home")).status_code == HTTPStatus.FOUND
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKOUT, member=member_user.member).exists()


def test_password_change_when_already_locked_says_so_and_keeps_the_session(member_client, member_user):
    from django.utils import timezone

    from accounts.models import LoginThrottle

    LoginThrottle.objects.create(key=f"member:{member_user.member.pk}", failures=5, last_failure_at=timezone.now())
    response = _change(member_client)
    assert _errors(response) == [texts.LOCKED.format(minutes=15)]
    member_user.refresh_from_db()
    assert member_user.check_password(MEMBER_PASSWORD)
    assert member_client.get(reverse("tasks:home")).status_code == HTTPStatus.OK


def test_password_change_hint_and_rule_use_the_one_minimum_length(member_client, settings):
    # The hint, the message and the check all follow ACCOUNTS_PASSWORD_MIN_LENGTH.
    minimum = settings.ACCOUNTS_PASSWORD_MIN_LENGTH
    html = member_client.get(reverse("accounts:password_change")).content.decode()
    assert texts.PASSWORD_RULES in html and f"密码至少{minimum}位" in html
    just_short = "Ab1" + "x" * (minimum - 4)
    assert texts.PASSWORD_TOO_SHORT in _errors(_change(member_client, new=just_short))
    assert texts.PASSWORD_TOO_SHORT not in _errors(_change(member_client, new=just_short + "9", confirm="no-match"))
