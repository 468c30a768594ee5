"""The member page cache (zzgjj_portal/pagecache.py): a repeat view costs the
user's query only, and any change to what the page shows is on the next view.

The whole suite runs with the cache on (conftest._page_cache_on), so every
test that writes and then reads a page checks it too; these are the cases
that only a cache can get wrong."""

from datetime import date
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import MemberUserFactory
from inquiry.models import FundAccount, Member
from inquiry.tests.factories import LedgerEntryFactory, LoanContractFactory
from tasks.tests.factories import MessageFactory
from zzgjj_portal import pagecache

pytestmark = pytest.mark.django_db
HOME = reverse("tasks:home")


def stored_pages() -> int:
    cache = caches["default"]
    return sum(1 for key in cache._cache if pagecache.KEY_PREFIX in key)


def version(member) -> int:
    return Member.objects.values_list("data_version", flat=True).get(pk=member.pk)


def get(client, path, **query):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, query)
    return response, len(queries)


def test_a_repeat_view_is_served_from_the_cache_with_the_users_query_only(member_client):
    # A browser's first page sets its CSRF cookie; pages are kept from then on.
    member_client.get(HOME)
    first, fresh = get(member_client, HOME)
    again, cached = get(member_client, HOME)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    # Session and user (with its member, which carries data_version): nothing else.
    assert cached <= 2 < fresh
    assert "no-store" in again["Cache-Control"] and "private" in again["Cache-Control"]


def test_a_posting_from_outside_django_is_on_the_next_view(member_client, member_user):
    account = member_user.member.fund_account
    member_client.get(HOME)
    member_client.get(HOME)
    assert stored_pages() == 1
    # The core system books straight into the tables: no Django code runs.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE inquiry_fundaccount SET balance = %s WHERE id = %s", ["4321.09", account.pk])
    assert "4,321.09" in member_client.get(HOME).content.decode()


def test_a_new_ledger_row_and_message_are_on_the_next_view(member_client, member_user):
    member = member_user.member
    query = {"start": "2020-01-01", "end": date.today().isoformat()}
    for _ in range(2):
        member_client.get(reverse("inquiry:ledger"), query)
        member_client.get(HOME)
    assert stored_pages() == 2
    LedgerEntryFactory(account=member.fund_account, booked_on=date(2024, 5, 6), summary="新到的汇缴")
    MessageFactory(member=member, business="刚到的消息")
    assert "新到的汇缴" in member_client.get(reverse("inquiry:ledger"), query).content.decode()
    assert "刚到的消息" in member_client.get(HOME).content.decode()


def test_each_member_and_each_browser_has_its_own_page(member_client, member_user):
    other = MemberUserFactory(password="Other#2026ab")
    FundAccount.objects.filter(member=other.member).update(balance=Decimal("777.77"))
    FundAccount.objects.filter(member=member_user.member).update(balance=Decimal("111.11"))
    member_client.get(HOME)
    mine = member_client.get(HOME).content.decode()
    theirs_client = Client()
    theirs_client.force_login(other)
    theirs_client.get(HOME)
    theirs = theirs_client.get(HOME).content.decode()
    assert "111.11" in mine and "777.77" not in mine
    assert "777.77" in theirs and "111.11" not in theirs
    # The same member in a second browser: its own CSRF secret, its own page.
    second = Client()
    second.force_login(member_user)
    second.get(HOME)
    second.get(HOME)
    assert stored_pages() == 3
    assert second.get(HOME).content != member_client.get(HOME).content


def test_a_waiting_flash_message_is_shown_and_that_page_is_not_kept(member_client):
    member_client.get(HOME)
    before = stored_pages()
    # 关闭音效 answers with a redirect and a flash message for the next page.
    response = member_client.post(reverse("tasks:sound"), {"sound": "off", "next": HOME}, follow=True)
    assert response.status_code == 200
    flashes = list(response.context["messages"]) if response.context else []
    html = response.content.decode()
    assert all(flash.message in html for flash in flashes)
    assert "开启音效" in html  # the frame's button follows the saved choice at once
    assert stored_pages() >= before


def test_pages_with_a_flash_message_skip_the_cache(rf, member_user, settings):
    request = rf.get(HOME)
    request.user = member_user
    request.session = {}
    request.META["CSRF_COOKIE"] = "x" * 32
    from django.contrib.messages.storage.fallback import FallbackStorage

    request._messages = FallbackStorage(request)
    assert pagecache.page_key(request, member_user.member) is not None
    request._messages.add(constants.INFO, "已标记为已阅")
    assert pagecache.page_key(request, member_user.member) is None


def test_the_key_changes_with_the_day_the_release_the_sound_and_the_data(rf, member_user, monkeypatch):
    request = rf.get(HOME)
    request.user = member_user
    request.META["CSRF_COOKIE"] = "x" * 32
    from django.contrib.messages.storage.fallback import FallbackStorage

    request.session = {}
    request._messages = FallbackStorage(request)
    member = member_user.member
    key = pagecache.page_key(request, member)
    member.data_version += 1
    assert pagecache.page_key(request, member) != key
    member.data_version -= 1
    member_user.sound_on = not member_user.sound_on
    assert pagecache.page_key(request, member) != key
    member_user.sound_on = not member_user.sound_on
    assert pagecache.page_key(request, member) == key
    monkeypatch.setattr(pagecache.timezone, "localdate", lambda: date(2030, 1, 1))
    assert pagecache.page_key(request, member) != key
    monkeypatch.undo()
    monkeypatch.setattr(pagecache, "release", lambda: "another-release")
    assert pagecache.page_key(request, member) != key


def test_a_repeat_excel_download_comes_from_the_cache_and_follows_postings(member_client, member_user):
    query = {"start": "2020-01-01", "end": date.today().isoformat(), "format": "xlsx"}
    member_client.get(HOME)  # the CSRF cookie
    first, fresh = get(member_client, reverse("inquiry:ledger"), **query)
    again, cached = get(member_client, reverse("inquiry:ledger"), **query)
    assert again.content == first.content and cached <= 2 < fresh
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Content-Disposition"] == first["Content-Disposition"]
    assert "no-store" in again["Cache-Control"]
    LedgerEntryFactory(account=member_user.member.fund_account, booked_on=date(2024, 5, 6), summary="新到的汇缴")
    assert member_client.get(reverse("inquiry:ledger"), query).content != first.content


def test_refusals_and_prints_are_never_kept(member_client, member_user):
    LoanContractFactory(member=member_user.member, contract_no="HT-MINE-1")
    member_client.get(HOME)  # the CSRF cookie
    caches["default"].clear()
    refused = member_client.get(reverse("inquiry:loan_info"), {"contract": "NOT-MINE"})
    assert refused.status_code == HTTPStatus.NOT_FOUND
    printed = member_client.get(reverse("inquiry:plan_print"))
    assert printed.status_code == HTTPStatus.OK and printed["Content-Type"] == "application/pdf"
    # A print that falls back to the plan page (dates it cannot print) is not kept either.
    fallback = member_client.get(reverse("inquiry:plan_print"), {"start": "2030-01-01", "end": "2020-01-01"})
    assert fallback.status_code == HTTPStatus.OK and fallback["Content-Type"].startswith("text/html")
    assert stored_pages() == 0
    # The same member's plan page itself is kept: the cache is on, it only passed those by.
    member_client.get(reverse("inquiry:plan"))
    assert stored_pages() == 1


def test_two_members_in_one_browser_state_get_different_keys(rf, member_user):
    # Same CSRF secret, path, day and data version: only the user and the member differ.
    other = MemberUserFactory(password="Other#2026ab")
    keys = set()
    for user in (member_user, other):
        request = rf.get(HOME, {"page": "1"})
        request.user = user
        request.session = {}
        request.META["CSRF_COOKIE"] = "s" * 32
        request._messages = FallbackStorage(request)
        user.member.data_version = 7
        keys.add(pagecache.page_key(request, user.member))
    assert None not in keys and len(keys) == 2


def test_member_b_never_sees_member_as_page_with_the_same_csrf_cookie(member_client, member_user):
    other = MemberUserFactory(password="Other#2026ab")
    FundAccount.objects.filter(member=member_user.member).update(balance=Decimal("111.11"))
    FundAccount.objects.filter(member=other.member).update(balance=Decimal("777.77"))
    # The same data version for both members (any UPDATE of a member row raises it by one).
    mine, theirs = member_user.member, other.member
    while version(mine) != version(theirs):
        low = min(mine, theirs, key=version)
        Member.objects.filter(pk=low.pk).update(name=low.name)
    member_client.get(HOME)
    assert "111.11" in member_client.get(HOME).content.decode()
    assert stored_pages() == 1
    # Member B in a browser that carries A's CSRF cookie (a shared hall PC, a copied cookie).
    b_client = Client()
    b_client.force_login(other)
    csrf = django_settings.CSRF_COOKIE_NAME
    b_client.cookies[csrf] = member_client.cookies[csrf].value
    page = b_client.get(HOME).content.decode()
    assert "777.77" in page and "111.11" not in page
    assert other.member.name in page and member_user.member.name not in page


def test_made_up_urls_are_not_kept(member_client):
    member_client.get(HOME)
    for query in ({"utm": "x"}, {"start": "2020-01-01" * 30}):
        member_client.get(reverse("inquiry:ledger"), query)
        member_client.get(reverse("inquiry:ledger"), query)
    assert stored_pages() == 0
    member_client.get(reverse("inquiry:ledger"), {"start": "2020-01-01", "page": "1"})
    assert stored_pages() == 1


def test_off_when_the_setting_is_zero(member_client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    member_client.get(HOME)
    member_client.get(HOME)
    _, queries = get(member_client, HOME)
    assert stored_pages() == 0 and queries > 2


def test_the_release_digest_covers_templates(settings, tmp_path):
    pagecache.release.cache_clear()
    try:
        first = pagecache.release()
        settings.BASE_DIR = tmp_path
        (tmp_path / "templates").mkdir()
        (tmp_path / "templates" / "page.html").write_text("一")
        pagecache.release.cache_clear()
        one = pagecache.release()
        (tmp_path / "templates" / "page.html").write_text("二")
        pagecache.release.cache_clear()
        assert len({first, one, pagecache.release()}) == 3
    finally:
        pagecache.release.cache_clear()


def test_forms_on_a_cached_page_pass_the_csrf_check(member_user):
    import re

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member_user)
    browser.get(HOME)
    browser.get(HOME)
    cached, queries = get(browser, HOME)
    assert queries <= 2  # from the cache
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', cached.content.decode()).group(1)
    response = browser.post(reverse("tasks:sound"), {"csrfmiddlewaretoken": token, "sound": "off", "next": HOME})
    assert response.status_code == 302
    assert "开启音效" in browser.get(HOME).content.decode()
