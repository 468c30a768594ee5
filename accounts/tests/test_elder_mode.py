"""长辈模式: the header switch (accounts:elder_mode), where the choice is kept
(User.elder_mode, the zzgjj_elder cookie), how it crosses the login, what the
pages show in it (html.elder, the short menu) and the page cache key."""

import re
from http import HTTPStatus

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import MemberUserFactory
from conftest import MEMBER_PASSWORD
from inquiry.tests.conftest import add_steps
from inquiry.tests.factories import LoanContractFactory
from zzgjj_portal import elder, pagecache

pytestmark = pytest.mark.django_db
SWITCH = reverse("accounts:elder_mode")
LOGIN = reverse("accounts:login")
HOME = reverse("tasks:home")
ELDER_HTML = '<html lang="zh-CN" class="elder">'
NORMAL_HTML = '<html lang="zh-CN">'


def login_data(user):
    identifier = user.member.id_number
    return {"identifier": identifier, "password": MEMBER_PASSWORD, "captcha_0": "test", "captcha_1": "PASSED"}


def saved(user) -> bool:
    return User.objects.values_list("elder_mode", flat=True).get(pk=user.pk)


def menu(html: str) -> tuple[list[str], list[str]]:
    """The elder menu's main entries and its 更多 entries, by their words."""
    nav = re.search(r'<nav class="main-nav main-nav--elder".*?</nav>', html, re.S).group(0)
    main, more = nav.split('<div class="main-nav__more">')
    words = re.compile(r'class="main-nav__link[^"]*"[^>]*>([^<]+)</a>')
    return words.findall(main), words.findall(more)


# --- the switch --------------------------------------------------------------


def test_switch_visitor_on_sets_a_year_long_lax_cookie_and_returns_to_the_page(client):
    response = client.post(SWITCH, {"elder": "on", "next": "/register/"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/register/"
    cookie = response.cookies[elder.COOKIE]
    assert cookie.value == "1"
    assert cookie["max-age"] == 365 * 24 * 3600
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"]
    page = client.get(LOGIN).content.decode()
    assert ELDER_HTML in page
    assert ">退出长辈模式</button>" in page and 'name="elder" value="off"' in page


def test_switch_visitor_off_restores_the_normal_page(client):
    client.post(SWITCH, {"elder": "on", "next": LOGIN})
    response = client.post(SWITCH, {"elder": "off", "next": LOGIN})
    assert response.cookies[elder.COOKIE].value == "0"
    page = client.get(LOGIN).content.decode()
    assert NORMAL_HTML in page and 'class="elder"' not in page
    assert ">长辈模式</button>" in page and 'name="elder" value="on"' in page


def test_switch_cookie_is_secure_where_the_session_cookie_is(client, settings):
    settings.SESSION_COOKIE_SECURE = True
    response = client.post(SWITCH, {"elder": "on", "next": LOGIN})
    assert response.cookies[elder.COOKIE]["secure"]


def test_switch_member_saves_the_choice_and_sets_the_cookie(member_client, member_user):
    response = member_client.post(SWITCH, {"elder": "on", "next": HOME})
    assert response["Location"] == HOME
    assert saved(member_user) is True
    assert response.cookies[elder.COOKIE].value == "1"
    assert ELDER_HTML in member_client.get(HOME).content.decode()
    member_client.post(SWITCH, {"elder": "off", "next": HOME})
    assert saved(member_user) is False
    assert NORMAL_HTML in member_client.get(HOME).content.decode()


def test_a_members_saved_choice_decides_over_the_browsers_cookie(member_client, member_user):
    User.objects.filter(pk=member_user.pk).update(elder_mode=True)
    member_client.cookies[elder.COOKIE] = "0"
    assert ELDER_HTML in member_client.get(HOME).content.decode()
    User.objects.filter(pk=member_user.pk).update(elder_mode=False)
    member_client.cookies[elder.COOKIE] = "1"
    assert NORMAL_HTML in member_client.get(HOME).content.decode()


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "http://testserver.evil.example/", "javascript:alert(1)", ""],
)
def test_switch_bad_next_goes_to_the_login_page(client, target):
    response = client.post(SWITCH, {"elder": "on", "next": target})
    assert response["Location"] == LOGIN
    assert response.cookies[elder.COOKIE].value == "1"


def test_switch_unknown_value_changes_nothing(member_client, member_user):
    response = member_client.post(SWITCH, {"elder": "toggle", "next": HOME})
    assert response["Location"] == HOME
    assert elder.COOKIE not in response.cookies
    assert saved(member_user) is False


def test_switch_refuses_get(client, member_client, member_user):
    assert client.get(SWITCH, {"elder": "on", "next": LOGIN}).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert member_client.get(SWITCH, {"elder": "on"}).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert saved(member_user) is False


def test_switch_needs_the_csrf_token(member_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member_user)
    response = browser.post(SWITCH, {"elder": "on", "next": HOME})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert saved(member_user) is False
    # With the token from the page's own form it works.
    page = browser.get(HOME).content.decode()
    form = re.search(r'<form class="elder-switch".*?</form>', page, re.S).group(0)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = browser.post(SWITCH, {"csrfmiddlewaretoken": token, "elder": "on", "next": HOME})
    assert response.status_code == HTTPStatus.FOUND
    assert saved(member_user) is True


# --- the login carries the choice over ---------------------------------------


def test_login_visitor_who_turned_it_on_keeps_it_and_it_is_saved(client):
    user = MemberUserFactory(password=MEMBER_PASSWORD)
    client.post(SWITCH, {"elder": "on", "next": LOGIN})
    response = client.post(LOGIN, login_data(user))
    assert response["Location"] == HOME
    assert saved(user) is True
    assert response.cookies[elder.COOKIE].value == "1"
    assert ELDER_HTML in client.get(HOME).content.decode()


def test_login_visitor_who_turned_it_off_keeps_it_off_and_it_is_saved(client):
    user = MemberUserFactory(password=MEMBER_PASSWORD, elder_mode=True)
    client.cookies[elder.COOKIE] = "0"
    client.post(LOGIN, login_data(user))
    assert saved(user) is False
    assert NORMAL_HTML in client.get(HOME).content.decode()


@pytest.mark.parametrize("on", [True, False])
def test_login_without_a_cookie_sets_it_from_the_saved_choice(client, on):
    user = MemberUserFactory(password=MEMBER_PASSWORD, elder_mode=on)
    response = client.post(LOGIN, login_data(user))
    assert response.cookies[elder.COOKIE].value == ("1" if on else "0")
    assert saved(user) is on
    # After logging out the login page stays in the member's mode.
    client.post(reverse("accounts:logout"))
    page = client.get(LOGIN).content.decode()
    assert (ELDER_HTML in page) is on


def test_failed_login_changes_neither_the_cookie_nor_the_saved_choice(client):
    user = MemberUserFactory(password=MEMBER_PASSWORD)
    client.cookies[elder.COOKIE] = "1"
    response = client.post(LOGIN, {**login_data(user), "password": "Wrong#pass1"})
    assert response.status_code == HTTPStatus.OK
    assert elder.COOKIE not in response.cookies
    assert saved(user) is False


# --- every page has the switch; admin does not ----------------------------------


@pytest.mark.parametrize(
    "path", [LOGIN, reverse("accounts:register"), reverse("accounts:password_forgot"), "/verify/", "/no-such-page/"]
)
def test_visitor_pages_have_the_switch_and_follow_the_cookie(client, path):
    page = client.get(path).content.decode()
    assert 'action="/elder-mode/"' in page and 'href="/static/css/elder.css"' in page
    assert f'name="next" value="{path}"' in page
    client.cookies[elder.COOKIE] = "1"
    page = client.get(path).content.decode()
    assert ELDER_HTML in page and ">退出长辈模式</button>" in page


def test_admin_is_not_affected(client):
    # Admin renders with Django's engine and its own styles: no switch, no class, whatever the cookie.
    client.cookies[elder.COOKIE] = "1"
    page = client.get(reverse("admin:login")).content.decode()
    assert page.startswith("<!DOCTYPE html>") and "<html" in page
    assert "elder" not in page


# --- the page cache --------------------------------------------------------------


def test_page_cache_key_differs_by_mode(rf, member_user):
    request = rf.get(HOME)
    request.user = member_user
    request.META["CSRF_COOKIE"] = "x" * 32
    request.session = {}
    request._messages = FallbackStorage(request)
    key = pagecache.page_key(request, member_user.member)
    member_user.elder_mode = True
    assert pagecache.page_key(request, member_user.member) != key
    member_user.elder_mode = False
    assert pagecache.page_key(request, member_user.member) == key


def test_a_cached_page_is_not_served_in_the_other_mode(member_client):
    ledger = reverse("inquiry:ledger")
    member_client.get(ledger)
    assert NORMAL_HTML in member_client.get(ledger).content.decode()  # now cached
    member_client.post(SWITCH, {"elder": "on", "next": ledger})
    assert ELDER_HTML in member_client.get(ledger).content.decode()
    member_client.post(SWITCH, {"elder": "off", "next": ledger})
    assert NORMAL_HTML in member_client.get(ledger).content.decode()


# --- the elder menu ------------------------------------------------------------


def test_elder_menu_without_a_loan_has_no_loan_entries(member_client, member_user):
    member_client.post(SWITCH, {"elder": "on", "next": HOME})
    main, more = menu(member_client.get(HOME).content.decode())
    assert main == ["我的公积金", "缴存支取信息", "消息"]
    assert more == ["个人基本信息", "我的证明"]


def test_elder_menu_with_a_loan_puts_the_most_used_first_and_keeps_the_rest(member_client, member_user):
    LoanContractFactory(member=member_user.member)
    member_client.post(SWITCH, {"elder": "on", "next": HOME})
    html = member_client.get(reverse("inquiry:plan")).content.decode()
    main, more = menu(html)
    assert main == ["我的公积金", "缴存支取信息", "我的贷款", "还款计划", "消息"]
    assert more == ["个人基本信息", "我的证明", "贷款进度查询", "还款明细", "提前还款试算"]
    assert re.search(r'is-current" href="/loans/plan/" aria-current="page">还款计划<', html)
    # The normal menu is unchanged: 首页 and the 信息查询 entries in their order.
    member_client.post(SWITCH, {"elder": "off", "next": HOME})
    html = member_client.get(HOME).content.decode()
    assert "main-nav--elder" not in html and ">首页</a>" in html
    assert '<nav class="main-nav" aria-label="信息查询">' in html


def test_elder_menu_marks_messages_current_on_the_message_pages(member_client):
    member_client.post(SWITCH, {"elder": "on", "next": HOME})
    html = member_client.get(reverse("tasks:messages_unread")).content.decode()
    assert re.search(r'is-current" href="/messages/" aria-current="page">消息<', html)
    nav = re.search(r'<nav class="main-nav main-nav--elder".*?</nav>', html, re.S).group(0)
    assert nav.count('aria-current="page"') == 1


def test_loan_progress_says_done_and_current_in_words_in_both_modes(member_client, member_user):
    loan = LoanContractFactory(member=member_user.member)
    add_steps(loan, done=2)
    for mode in ("on", "off"):
        member_client.post(SWITCH, {"elder": mode, "next": HOME})
        html = member_client.get(reverse("inquiry:loan_progress"), {"contract": loan.contract_no}).content.decode()
        states = re.findall(r'class="loan-progress__state">([^<]+)<', html)
        assert states == ["已完成", "已完成", "办理中", "未开始", "未开始", "未开始"]


def test_an_error_pages_switch_returns_to_the_path_without_its_query(member_client):
    page = member_client.get(reverse("inquiry:loan_info"), {"contract": "NOSUCH0001"}).content.decode()
    assert 'name="next" value="/loans/info/"' in page
    assert "NOSUCH0001" not in page
