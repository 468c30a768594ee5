"""The demo member works through 消息 and 已阅 in real headless Chromium, with
JavaScript (dialogs, no reload) and without it (pages and forms)."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from inquiry.demo import DEMO_ID_NUMBER
from tasks.models import Message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Counts the notification sound's play() calls instead of making a noise.
COUNT_PLAYS = """
window.__plays = 0;
HTMLMediaElement.prototype.play = function () { window.__plays += 1; return Promise.resolve(); };
"""


def log_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/")
    page.fill("input[name=identifier]", DEMO_ID_NUMBER)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.fill("input[name=captcha_1]", "PASSED")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/home/$"))


def test_demo_member_reads_and_deletes_messages_with_javascript(live_server, page, tmp_path):
    call_command("seed_demo", as_of="2026-10-31", members=2)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(COUNT_PLAYS)
    log_in(page, live_server.url)
    # Unread messages this browser has not heard yet: the chime plays once, and not again on reload.
    assert page.evaluate("window.__plays") == 1
    page.reload()
    assert page.evaluate("window.__plays") == 0

    unread = page.locator('[data-message-list="unread"]')
    first_row = unread.locator("tbody tr").first
    business = first_row.locator("td").first.inner_text()
    message = Message.objects.get(member__id_number=DEMO_ID_NUMBER, business=business)
    expect(page.locator("[data-unread-badge]")).to_have_text("2")

    # 查看 → the whole message in a dialog → 标为已阅.
    first_row.get_by_role("link", name="查看").click()
    dialog = page.get_by_role("dialog", name="消息详情")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(message.content)
    expect(dialog).to_contain_text(message.get_channel_display())
    page.screenshot(path=tmp_path / "view-dialog.png")
    dialog.get_by_role("button", name="标为已阅").click()
    expect(page.get_by_text("已标记为已阅")).to_be_visible()
    expect(dialog).to_be_hidden()
    expect(page.locator("[data-unread-badge]")).to_have_text("1")
    expect(unread.locator(f'[data-message-row="{message.pk}"]')).to_have_count(0)

    # It is now under 已阅 (moved there without a reload), opening with 关闭 only.
    page.get_by_role("tab", name="已阅").click()
    read_row = page.locator(f'[data-message-list="read"] [data-message-row="{message.pk}"]')
    expect(read_row).to_be_visible()
    read_row.get_by_role("link", name="查看").click()
    expect(dialog.get_by_role("button", name="标为已阅")).to_be_hidden()
    dialog.get_by_role("button", name="关闭", exact=True).click()
    expect(dialog).to_be_hidden()

    # 已阅 更多 → 删除 → 是 → 消息已删除.
    page.get_by_test_id("read-more").click()
    page.wait_for_url(re.compile(r"/messages/read/$"))
    row = page.locator(f'[data-message-row="{message.pk}"]')
    expect(row).to_be_visible()
    row.get_by_role("link", name="删除").click()
    confirm = page.get_by_role("dialog", name="删除提示")
    expect(confirm).to_be_visible()
    page.screenshot(path=tmp_path / "delete-dialog.png")
    confirm.get_by_role("button", name="是").click()
    expect(page.get_by_text("消息已删除")).to_be_visible()
    expect(row).to_have_count(0)
    message.refresh_from_db()
    assert message.deleted_at is not None and message.read_at is not None
    page.reload()
    expect(page.locator(f'[data-message-row="{message.pk}"]')).to_have_count(0)

    # 更多 of 消息.
    page.goto(f"{live_server.url}/home/")
    page.get_by_test_id("messages-more").click()
    page.wait_for_url(re.compile(r"/messages/$"))
    expect(page.get_by_role("heading", name=re.compile("^消息"))).to_be_visible()
    expect(page.locator('[data-message-list="unread"] tbody tr')).to_have_count(1)

    # 关闭音效 holds after a reload (saved for the member, not the browser).
    page.get_by_role("button", name="关闭音效").click()
    expect(page.get_by_role("button", name="开启音效")).to_be_visible()
    page.reload()
    expect(page.get_by_role("button", name="开启音效")).to_be_visible()
    # A new message arrives while the sound is off: no chime.
    Message.objects.create(member=message.member, business="新消息", content="静音时到达")
    page.goto(f"{live_server.url}/home/")
    expect(page.get_by_role("cell", name="新消息", exact=True)).to_be_visible()
    assert page.evaluate("window.__plays") == 0
    page.get_by_role("button", name="开启音效").click()
    expect(page.get_by_role("button", name="关闭音效")).to_be_visible()
    assert errors == []


def test_demo_member_reads_and_deletes_messages_without_javascript(live_server, browser):
    call_command("seed_demo", as_of="2026-10-31", members=2)
    context = browser.new_context(java_script_enabled=False, locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, live_server.url)
        row = page.locator('[data-message-list="unread"] tbody tr').first
        pk = row.get_attribute("data-message-row")
        row.get_by_role("link", name="查看").click()
        page.wait_for_url(re.compile(rf"/messages/{pk}/"))
        page.get_by_role("button", name="标为已阅").click()
        page.wait_for_url(re.compile(r"/home/$"))
        expect(page.get_by_text("已标记为已阅")).to_be_visible()

        page.get_by_test_id("read-more").click()
        page.wait_for_url(re.compile(r"/messages/read/$"))
        page.locator(f'[data-message-row="{pk}"]').get_by_role("link", name="删除").click()
        expect(page.get_by_text("确定要删除这条消息吗?")).to_be_visible()
        page.get_by_role("button", name="是").click()
        page.wait_for_url(re.compile(r"/messages/read/$"))
        expect(page.get_by_text("消息已删除")).to_be_visible()
        expect(page.locator(f'[data-message-row="{pk}"]')).to_have_count(0)

        page.get_by_role("button", name="关闭音效").click()
        expect(page.get_by_role("button", name="开启音效")).to_be_visible()
    finally:
        context.close()


def test_blocked_autoplay_shows_no_error(live_server, page):
    call_command("seed_demo", as_of="2026-10-31", members=2)
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    # As a browser does before the member has interacted with the page.
    page.add_init_script(
        "window.__tried = 0; HTMLMediaElement.prototype.play = function () {"
        " window.__tried += 1; return Promise.reject(new DOMException('blocked', 'NotAllowedError')); };"
    )
    log_in(page, live_server.url)
    expect(page.locator("[data-unread-badge]")).to_be_visible()
    assert page.evaluate("window.__tried") == 1
    assert [p for p in problems if "favicon" not in p and "404" not in p] == []
