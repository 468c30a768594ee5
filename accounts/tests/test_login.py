"""Member login, logout and the member-only gate."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.forms import MESSAGES
from accounts.tests.factories import StaffUserFactory
from conftest import MEMBER_PASSWORD
from inquiry.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")
HOME = reverse("tasks:home")


def login_data(identifier, password=MEMBER_PASSWORD, captcha="PASSED"):
    return {"identifier": identifier, "password": password, "captcha_0": "test", "captcha_1": captcha}


def test_login_page_has_the_manual_labels_and_buttons(client):
    response = client.get(LOGIN)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    for text in (
        "【个人登录】",
        ">身份证号/手机号</label>",
        ">用户密码</label>",
        ">验证码</label>",
        ">登录<",
        ">注册<",
        ">忘记密码<",
    ):
        assert text in html


def test_login_by_id_number_goes_home(client, member_user):
    response = client.post(LOGIN, login_data(member_user.member.id_number))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == HOME
    assert int(client.session["_auth_user_id"]) == member_user.pk


def test_login_by_id_number_accepts_lowercase_x(client, member_user):
    member = member_user.member
    member.id_number = "11010519491231002X"
    member.save()
    response = client.post(LOGIN, login_data("11010519491231002x"))
    assert response.status_code == HTTPStatus.FOUND


def test_login_by_reserved_phone(client, member_user):
    response = client.post(LOGIN, login_data(member_user.member.phone))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == HOME


def test_login_rotates_session_key(client, member_user):
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    client.post(LOGIN, login_data(member_user.member.id_number))
    assert client.session.session_key != before


@pytest.mark.parametrize("identifier_kind", ["wrong_password", "unknown_id"])
def test_login_wrong_credentials_one_generic_message(client, member_user, identifier_kind):
    identifier = member_user.member.id_number if identifier_kind == "wrong_password" else "110105194912310021"
    response = client.post(LOGIN, login_data(identifier, password="Wrong#pass1"))
    assert response.status_code == HTTPStatus.OK
    assert MESSAGES["invalid_login"] in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_wrong_captcha_checked_before_password(client, member_user):
    # With a wrong captcha the password is never tried: the right password
    # does not log in, and the message is about the captcha only.
    response = client.post(LOGIN, login_data(member_user.member.id_number, captcha="WRONG"))
    html = response.content.decode()
    assert MESSAGES["invalid_captcha"] in html
    assert MESSAGES["invalid_login"] not in html
    assert "_auth_user_id" not in client.session


def test_login_wrong_captcha_does_not_call_authenticate(client, member_user, monkeypatch):
    calls = []
    monkeypatch.setattr("accounts.services.authenticate", lambda *a, **k: calls.append(k))
    client.post(LOGIN, login_data(member_user.member.id_number, captcha="WRONG"))
    assert calls == []


def test_login_member_not_registered_online_told_to_register(client):
    member = MemberFactory()
    response = client.post(LOGIN, login_data(member.id_number))
    assert MESSAGES["not_registered"] in response.content.decode()


def test_login_staff_account_cannot_use_member_login(client):
    staff = StaffUserFactory(username="370402199001011238")
    response = client.post(LOGIN, login_data(staff.username, password="Staff#2026pass"))
    assert response.status_code == HTTPStatus.OK
    assert "_auth_user_id" not in client.session


def test_member_cannot_log_in_to_admin(client, member_user):
    response = client.post(
        reverse("admin:login"), {"username": member_user.username, "password": MEMBER_PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == HTTPStatus.OK  # the form again, not a redirect into admin
    assert client.get("/admin/").status_code == HTTPStatus.FOUND


def test_member_logged_in_cannot_see_admin(member_client):
    response = member_client.get("/admin/")
    assert response.status_code == HTTPStatus.FOUND
    assert "/admin/login/" in response.url


@pytest.mark.parametrize("url", [HOME, reverse("accounts:logout_confirm")])
def test_member_pages_require_login(client, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(LOGIN)


def test_staff_session_is_not_a_member_session(client):
    client.force_login(StaffUserFactory())
    response = client.get(HOME)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(LOGIN)


def test_logged_in_member_visiting_login_goes_home(member_client):
    response = member_client.get(LOGIN)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == HOME


def test_logout_confirm_page_asks_yes_no(member_client):
    html = member_client.get(reverse("accounts:logout_confirm")).content.decode()
    assert ">是<" in html and ">否<" in html


def test_logout_get_changes_nothing(member_client):
    response = member_client.get(reverse("accounts:logout"))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert "_auth_user_id" in member_client.session


def test_logout_post_ends_session_and_returns_to_login(member_client):
    response = member_client.post(reverse("accounts:logout"))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == LOGIN
    assert member_client.get(HOME).status_code == HTTPStatus.FOUND


def test_captcha_image_is_public(client):
    from captcha.models import CaptchaStore

    key = CaptchaStore.generate_key()
    response = client.get(reverse("captcha-image", kwargs={"key": key}))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "image/png"
