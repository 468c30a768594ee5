"""Chinese error pages in the portal's frame, rendered with DEBUG off (as the suite runs)."""

from http import HTTPStatus

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.views import defaults

from inquiry.tests.factories import LoanContractFactory

pytestmark = pytest.mark.django_db


def test_debug_is_off_for_these_tests():
    assert settings.DEBUG is False


def test_404_for_a_wrong_contract_number_is_chinese(member_client, member_user):
    LoanContractFactory(member=member_user.member)
    response = member_client.get("/loans/info/", {"contract": "NOSUCHCONTRACT"})
    html = response.content.decode()
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "页面不存在" in html and "Not Found" not in html
    assert "返回首页" in html and "缴存职工个人网上服务大厅" in html


def test_404_for_an_unknown_url_offers_the_login_to_visitors(client):
    response = client.get("/no-such-page/")
    # Anonymous visitors are sent to the login first (every page needs one).
    assert response.status_code in (HTTPStatus.NOT_FOUND, HTTPStatus.FOUND)
    html = client.get("/no-such-page/", follow=True).content.decode()
    assert "Not Found" not in html


def test_404_for_an_unknown_url_of_a_member_is_chinese(member_client):
    response = member_client.get("/no-such-page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "页面不存在" in response.content.decode()


def test_403_page_is_chinese():
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = defaults.permission_denied(request, Exception())
    html = response.content.decode()
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "无权访问" in html and "返回登录页" in html


def test_403_csrf_page_says_the_page_was_open_too_long_and_links_to_login(member_user):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/", {"identifier": member_user.member.id_number, "password": "x"})
    html = response.content.decode()
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "页面打开时间过长" in html and 'href="/"' in html and "返回登录页" in html
    assert "CSRF" not in html


def test_500_page_is_static_chinese_and_needs_no_context():
    response = defaults.server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "系统繁忙" in html and "12329" in html and "{%" not in html


def test_500_page_is_served_for_an_unexpected_error(member_client, monkeypatch):
    from inquiry import views

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.BasicInfoView, "get", boom)
    member_client.raise_request_exception = False
    response = member_client.get("/info/")
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "系统繁忙" in response.content.decode()
