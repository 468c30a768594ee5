"""Accessibility in real headless Chromium (GB/T 37668-2019, WCAG 2.1 AA): axe-core
finds no critical or serious violation on any page a member or visitor sees, at a
laptop's and a phone's width, no page scrolls sideways at 320 CSS px, and the
portal works from the keyboard alone (skip link, dialogs, date range).

A display mode (normal, 长辈模式) is a parameter: MODES lists the modes walked and
apply_mode() puts one on a browser context and the member."""

import re
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from inquiry.demo import DEMO_ID_NUMBER, UNREGISTERED_ID_NUMBER, UNREGISTERED_NAME
from inquiry.models import LoanContract, Member
from tasks.models import Message
from tasks.services.applications import application_step_approve, withdrawal_submit
from tasks.tests.conftest import staff_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The display modes every page is checked in; 长辈模式 ("elder") joins when it is merged.
MODES = ["normal", "elder"]
# What the walk fails on (axe's "moderate" and "minor" are left to review).
BLOCKING = {"critical", "serious"}
# WCAG 1.4.10 Reflow: 320 CSS px wide without sideways scrolling.
REFLOW_WIDTH = 320

AXE = Axe()


def apply_mode(context, user, mode: str, base_url: str) -> None:
    """Put display `mode` on the browser `context` (visitor pages) and on `user` (member pages)."""
    elder = mode == "elder"
    context.add_cookies([{"name": "zzgjj_elder", "value": "1" if elder else "0", "url": base_url}])
    user.elder_mode = elder
    user.save(update_fields=["elder_mode"])


def walk_data():
    """The demo books (a member with a settled and a running loan, messages), and one
    withdrawal application the hall has accepted, so 我发起的 and its detail have rows."""
    call_command("seed_demo", as_of="2026-10-31", members=2)
    member = Member.objects.get(id_number=DEMO_ID_NUMBER)
    submitted = withdrawal_submit(
        member=member, withdrawal_kind="rent", amount=Decimal("3000.00"), form_token=uuid.uuid4()
    )
    clerk = staff_in("受理员", name="张受理")
    application_step_approve(application_id=submitted.application.pk, step="accept", actor=clerk, opinion="材料齐全")
    running = LoanContract.objects.get(member=member, status=LoanContract.Status.ACTIVE)
    return member, running, submitted.application


def log_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_label("身份证号/手机号").fill(DEMO_ID_NUMBER)
    page.get_by_label("用户密码").fill(DEMO_PASSWORD)
    page.get_by_label("验证码", exact=True).fill("PASSED")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(r"/home/$"))


class Walk:
    """Collects what the pages break: axe's blocking violations and sideways scrolling."""

    def __init__(self, page, width: int, mode: str):
        self.page, self.width, self.mode = page, width, mode
        self.problems: list[str] = []

    def check(self, where: str) -> None:
        page = self.page
        page.evaluate("document.fonts.ready")
        for violation in AXE.run(page).response["violations"]:
            if violation["impact"] in BLOCKING:
                targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
                self.problems.append(f"{where}: {violation['id']} ({violation['impact']}) at {targets}")
        if self.width <= 400:
            # The phone walk also looks at 320 px; the page itself must not scroll sideways
            # (tables scroll inside their own labelled region).
            page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > REFLOW_WIDTH:
                self.problems.append(f"{where}: {scroll} px wide at {REFLOW_WIDTH} px")
            page.set_viewport_size({"width": self.width, "height": 844})

    def visit(self, url: str, where: str | None = None, status: int = 200) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status == status, f"{url}: HTTP {response and response.status}"
        self.check(where or url)

    def report(self) -> str:
        return f"{len(self.problems)} problems at {self.width} px, {self.mode}:\n" + "\n".join(self.problems)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("width", [1366, 390])
def test_every_page_passes_axe_and_reflows(live_server, browser, settings, tmp_path, mode, width):
    settings.SMS_BACKEND = "accounts.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path)
    member, running, application = walk_data()
    base = live_server.url
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": width, "height": 900 if width > 400 else 844}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    apply_mode(context, member.user, mode, base)
    walk = Walk(page, width, mode)
    try:
        # Visitor pages: login, 注册 through its steps (with a refused step on screen), 忘记密码, /verify/, an error.
        walk.visit(base + "/", "登录")
        page.get_by_role("button", name="登录", exact=True).click()
        walk.check("登录 (errors)")
        walk.visit(base + "/register/", "注册 1")
        page.get_by_role("button", name="验证", exact=True).click()
        walk.check("注册 1 (errors)")
        page.get_by_label("姓名").fill(UNREGISTERED_NAME)
        page.get_by_label("身份证号").fill(UNREGISTERED_ID_NUMBER)
        page.get_by_label("验证码", exact=True).fill("PASSED")
        page.get_by_role("button", name="验证", exact=True).click()
        expect(page).to_have_url(re.compile(r"/register/sms/$"))
        page.get_by_role("button", name="发送验证码").click()
        page.get_by_role("button", name="确认验证").click()
        walk.check("注册 2 (errors)")
        code = re.search(r"验证码为(\d{6})", next(Path(tmp_path).iterdir()).read_text(encoding="utf-8")).group(1)
        page.get_by_label("短信验证码").fill(code)
        page.get_by_role("button", name="确认验证").click()
        expect(page).to_have_url(re.compile(r"/register/password/$"))
        walk.check("注册 3")
        walk.visit(base + "/password/forgot/", "忘记密码")
        walk.visit(base + "/verify/", "证明核验")
        walk.visit(base + "/no-such-page/", "404", status=404)

        log_in(page, base)
        walk.check("首页")
        loan = f"?contract={running.contract_no}"
        message = Message.objects.filter(member=member).order_by("pk").first()
        for path, where in [
            ("/info/", "个人基本信息"),
            ("/ledger/", "缴存支取信息"),
            ("/ledger/?start=2026-13-01&end=2020-01-01", "缴存支取信息 (errors)"),
            ("/certificates/", "我的证明"),
            ("/loans/progress/" + loan, "贷款进度查询"),
            ("/loans/info/" + loan, "贷款信息"),
            ("/loans/repayments/" + loan, "还款明细"),
            ("/loans/plan/" + loan, "还款计划"),
            ("/loans/prepay/" + loan, "提前还款试算"),
            ("/messages/", "消息"),
            ("/messages/read/", "已阅"),
            (f"/messages/{message.pk}/", "消息详情"),
            ("/password/change/", "修改密码"),
            ("/applications/withdrawal/", "提取申请"),
            ("/applications/loan/", "贷款申请"),
            ("/applications/", "我发起的"),
            (f"/applications/{application.pk}/", "申请详情"),
        ]:
            walk.visit(base + path, where)

        # The dialogs, opened: 查看 a message, then 退出.
        page.goto(base + "/messages/")
        page.get_by_role("link", name="查看").first.click()
        expect(page.get_by_role("dialog", name="消息详情")).to_be_visible()
        walk.check("消息详情 dialog")
        page.keyboard.press("Escape")
        page.get_by_role("link", name="退出").click()
        expect(page.get_by_role("dialog", name="退出提示")).to_be_visible()
        walk.check("退出 dialog")
    finally:
        context.close()

    assert not walk.problems, walk.report()


FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    text: (el.textContent || "").trim(),
    name: el.getAttribute("name") || "",
    id: el.id,
    inDialog: el.closest("dialog[open]") ? el.closest("dialog[open]").id : null,
    inMain: !!el.closest("main"),
    // A date field's calendar button (inside the field, Tab's last stop in it) leaves the
    // field itself unfocused (:focus false) and draws Chromium's own ring round the button.
    ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2)
      || (el.type === "date" && !el.matches(":focus")),
  };
}"""
# Whether the focused element comes after `window.__previous` in the page, then remembers it.
AFTER_PREVIOUS = """() => {
  const el = document.activeElement, before = window.__previous;
  window.__previous = el;
  // The same element again: Tab moved between a date field's parts (year, month, day).
  return !before || before === el || !!(before.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
}"""


def tab_to(page, wanted, limit: int = 80) -> dict:
    """Tab until the focused element matches `wanted` (a function of FOCUSED's answer)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if wanted(focused):
            return focused
    raise AssertionError(f"no such element within {limit} Tabs")


def go_round(page, dialog_id: str, presses: int = 6) -> list[str]:
    """Tab and Shift+Tab round an open dialog; where focus went outside it."""
    escaped = []
    for key in ["Tab"] * presses + ["Shift+Tab"] * presses:
        page.keyboard.press(key)
        focused = page.evaluate(FOCUSED)
        if focused["inDialog"] != dialog_id:
            escaped.append(f"{key} → {focused['tag']} {focused['text'][:20]!r}")
    return escaped


@pytest.mark.parametrize("mode", MODES)
def test_keyboard_alone_reaches_pages_dialogs_and_queries(live_server, browser, mode):
    member, running, _application = walk_data()
    base = live_server.url
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    apply_mode(context, member.user, mode, base)
    try:
        log_in(page, base)

        # 缴存支取信息: the first Tab is 跳到主要内容, Enter leads into <main>; then every stop
        # comes later in the page than the one before and shows its focus ring.
        page.goto(base + "/ledger/")
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUSED)["text"] == "跳到主要内容"
        page.keyboard.press("Enter")
        assert page.evaluate(FOCUSED)["id"] == "main"
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUSED)["inMain"]
        page.evaluate("() => { document.activeElement.blur(); window.__previous = null; }")
        unringed, backwards = [], []
        for _ in range(25):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED)
            if not focused["ring"]:
                unringed.append(f"{focused['tag']} {focused['name'] or focused['text'][:20]!r}")
            if not page.evaluate(AFTER_PREVIOUS):
                backwards.append(f"{focused['tag']} {focused['text'][:20]!r}")
            if focused["name"] == "end":
                break
        assert not unringed, f"focus not visible on: {unringed}"
        assert not backwards, f"Tab went back up the page to: {backwards}"

        # The date range from the keyboard: the arrow key moves 开始日期's first part (month or
        # year, by the browser's locale) one back, Enter submits the range.
        page.goto(base + "/ledger/")
        start = page.locator("#id_start").input_value()
        tab_to(page, lambda f: f["name"] == "start")
        page.keyboard.press("ArrowDown")
        earlier = page.locator("#id_start").input_value()
        assert earlier < start
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(rf"start={earlier}"))
        expect(page.locator("#id_start")).to_have_value(earlier)

        # A contract dropdown: arrow keys choose without submitting (a submit now would reload the
        # page under the member; the watcher stops one and notes it), Enter queries.
        page.goto(base + "/loans/repayments/")
        chosen = page.locator("#id_contract").input_value()
        page.evaluate("""() => document.querySelector("#id_contract").form.addEventListener("submit", (event) => {
          if (window.__watch) { window.__submitted = true; event.preventDefault(); }
        })""")
        tab_to(page, lambda f: f["name"] == "contract")
        page.evaluate("window.__watch = true")
        first = page.locator("#id_contract option").first.get_attribute("value")
        page.keyboard.press("ArrowDown" if chosen == first else "ArrowUp")
        other = page.locator("#id_contract").input_value()
        assert other != chosen
        assert page.evaluate("window.__submitted") is None, "an arrow key submitted the query"
        page.evaluate("window.__watch = false")
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(rf"contract={other}"))

        # 消息: Enter on 查看 opens the dialog, Tab stays inside, Esc closes it and focus is back on 查看.
        page.goto(base + "/messages/")
        opener = tab_to(page, lambda f: f["text"] == "查看")
        page.evaluate("window.__opener = document.activeElement")
        page.keyboard.press("Enter")
        expect(page.get_by_role("dialog", name="消息详情")).to_be_visible()
        assert page.evaluate(FOCUSED)["inDialog"] == "message-dialog"
        assert go_round(page, "message-dialog") == []
        page.keyboard.press("Escape")
        expect(page.get_by_role("dialog", name="消息详情")).to_be_hidden()
        assert page.evaluate("document.activeElement === window.__opener"), opener

        # 退出: the same, starting on 否 so that Enter alone does not end the session.
        tab_to(page, lambda f: f["text"] == "退出")
        page.evaluate("window.__opener = document.activeElement")
        page.keyboard.press("Enter")
        expect(page.get_by_role("dialog", name="退出提示")).to_be_visible()
        assert page.evaluate(FOCUSED)["text"] == "否"
        assert go_round(page, "logout-dialog") == []
        page.keyboard.press("Escape")
        expect(page.get_by_role("dialog", name="退出提示")).to_be_hidden()
        assert page.evaluate("document.activeElement === window.__opener")
        expect(page).to_have_url(re.compile(r"/messages/$"))
    finally:
        context.close()
