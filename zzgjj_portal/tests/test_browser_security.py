"""In real headless Chromium: hall staff log in through the admin form
(captcha and TOTP) and admin works under the strict Content-Security-Policy;
member pages raise no CSP violation; the error pages look like the portal."""

import os
import re
from http import HTTPStatus

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.tests.factories import StaffUserFactory
from conftest import browser_log_in_staff, staff_totp_device
from inquiry.demo import DEMO_ID_NUMBER
from zzgjj_portal.tests.urlwalk import member_urls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
STAFF_PASSWORD = "Staff#2026pass"
SHOTS = os.environ.get("SECURITY_SHOTS_DIR")  # set to keep screenshots (outside the repository)


def watch_csp(page) -> list[str]:
    """Collect the browser's CSP reports and script errors of this page."""
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
    return problems


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_staff_logs_in_with_captcha_and_totp_and_admin_works_under_csp(live_server, page, width, height):
    call_command("seed_demo", as_of="2026-10-31", members=2)
    page.set_viewport_size({"width": width, "height": height})
    problems = watch_csp(page)
    staff = StaffUserFactory()
    staff_totp_device(staff)
    page.goto(f"{live_server.url}/admin/login/")
    expect(page.get_by_label("动态口令")).to_be_visible()
    expect(page.locator("img.captcha")).to_be_visible()
    shot(page, f"admin-login-{width}")
    # A wrong token is refused with the Chinese message (another account:
    # django-otp makes a device wait a moment after a wrong token).
    other = StaffUserFactory()
    staff_totp_device(other)
    page.fill("#id_username", other.username)
    page.fill("#id_password", STAFF_PASSWORD)
    page.fill("#id_otp_token", "000000")
    page.fill("#id_captcha_1", "PASSED")
    page.click("input[type=submit]")
    expect(page.locator(".errornote")).to_contain_text("用户名、密码或动态口令错误")
    shot(page, f"admin-login-error-{width}")

    browser_log_in_staff(page, live_server, staff, STAFF_PASSWORD)
    expect(page.locator("#site-name")).to_contain_text("服务大厅管理")
    for path in (
        "/admin/",
        "/admin/inquiry/member/",
        "/admin/inquiry/ledgerentry/?booked_on__year=2026",
        "/admin/zzgjj_portal/auditevent/",
        "/admin/accounts/user/add/",
    ):
        page.goto(live_server.url + path)
        expect(page.locator("#content")).to_be_visible()
    # The autocomplete (select2) and the calendar widget run under the policy.
    page.goto(f"{live_server.url}/admin/tasks/message/add/")
    page.locator(".select2-selection").first.click()
    page.keyboard.type("王")
    expect(page.locator(".select2-results__option").first).to_be_visible()
    page.keyboard.press("Escape")
    calendar = page.locator(".datetimeshortcuts a").nth(1)
    if calendar.count():
        calendar.click()
        expect(page.locator(".calendarbox").first).to_be_visible()
    shot(page, f"admin-message-add-{width}")
    assert not problems, "\n".join(problems)


def test_member_pages_raise_no_csp_violation(live_server, page):
    call_command("seed_demo", as_of="2026-10-31", members=2)
    problems = watch_csp(page)
    page.goto(f"{live_server.url}/")
    page.fill("input[name=identifier]", DEMO_ID_NUMBER)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.fill("input[name=captcha_1]", "PASSED")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/home/$"))
    for url in member_urls():
        if url.args or url.name in ("logout", "plan_print"):
            continue
        if page.request.get(live_server.url + url.path()).status == HTTPStatus.METHOD_NOT_ALLOWED:
            continue  # a POST-only action (e.g. the sound switch), not a page
        page.goto(live_server.url + url.path())
    page.goto(f"{live_server.url}/home/")
    page.locator("[data-logout-open]").first.click()
    expect(page.locator("#logout-dialog")).to_be_visible()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_error_pages_look_like_the_portal(live_server, page, width, height):
    page.set_viewport_size({"width": width, "height": height})
    problems = watch_csp(page)
    call_command("seed_demo", as_of="2026-10-31", members=2)
    page.goto(f"{live_server.url}/")
    page.fill("input[name=identifier]", DEMO_ID_NUMBER)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.fill("input[name=captcha_1]", "PASSED")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/home/$"))
    response = page.goto(f"{live_server.url}/loans/info/?contract=NOSUCH")
    assert response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.get_by_role("link", name="返回首页")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, f"error-404-{width}")
    response = page.goto(f"{live_server.url}/ledger/?start=%00")
    assert response.status == 400
    expect(page.get_by_role("heading", name="请求无效")).to_be_visible()
    shot(page, f"error-400-{width}")
    assert not problems, "\n".join(problems)
