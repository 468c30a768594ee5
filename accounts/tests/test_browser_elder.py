"""长辈模式 in real headless Chromium, with JavaScript off (the switch is a plain
form): turned on at the login page by a click, kept through the login, and on
the login page, the home page, 缴存支取信息, 还款计划 and 提取申请 at 1366 and
390 px: text and line spacing, target sizes, the big cursor, no motion, and
axe-core's AAA contrast rule (color-contrast-enhanced), and no sound by itself.

Exempt from the 44 × 44 px target size: a link inside a sentence (a <p> with
words of its own around the link), WCAG 2.5.8's inline exception; none of
these pages has one today, the rule is there for the pages that will."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from inquiry.demo import DEMO_ID_NUMBER
from inquiry.models import LoanContract

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the rule asks of every visible element of the page, as a list of problems.
ELDER_PROBLEMS = """() => {
  const problems = [];
  const root = document.documentElement;
  if (!root.classList.contains("elder")) problems.push("<html> has no class elder");
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 1 && box.height > 1 && getComputedStyle(el).visibility !== "hidden";
  };
  const describe = (el) => `${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 16)}"`;
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    if (style.animationName !== "none" || parseFloat(style.transitionDuration) > 0) {
      problems.push(`moves: ${describe(el)}`);
    }
    if (!shown(el)) continue;
    const ownText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    if (!ownText) continue;
    const size = parseFloat(style.fontSize);
    const line = style.lineHeight === "normal" ? size * 1.2 : parseFloat(style.lineHeight);
    // A chart's label is drawn at its font size times the SVG's scale. On a
    // phone a 560-unit chart shrinks to about 60 %: its labels are held to
    // 13 px there (the same figures stand in the table beside it at 18 px+).
    const svg = el.closest("svg");
    const drawn = svg ? size * el.getScreenCTM().a : size;
    const least = svg && window.innerWidth < 600 ? 13 : 18;
    if (drawn < least - 0.01) problems.push(`${drawn.toFixed(1)} px text: ${describe(el)}`);
    if (line < 1.3 * size - 0.01) problems.push(`line height ${line} px for ${size} px: ${describe(el)}`);
  }
  for (const p of document.querySelectorAll("p + p")) {
    const before = p.previousElementSibling;
    if (!shown(p) || !shown(before)) continue;
    const gap = p.getBoundingClientRect().top - before.getBoundingClientRect().bottom;
    const line = parseFloat(getComputedStyle(before).lineHeight);
    if (gap < 1.3 * line - 0.5) problems.push(`paragraph gap ${gap} px < 1.3 × ${line}: ${describe(p)}`);
  }
  const targets = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]";
  let measured = 0;
  for (const el of document.querySelectorAll(targets)) {
    if (!shown(el)) continue;
    const sentence = el.tagName === "A" && el.closest("p")
      && el.closest("p").textContent.trim() !== el.textContent.trim() && !el.classList.contains("btn");
    if (sentence) continue;
    // A radio button's target is its label (a click on its words picks it).
    const box = (el.matches("input[type=radio], input[type=checkbox]") && el.closest("label")) || el;
    const main = el.matches(".btn--primary, .main-nav--elder .main-nav__inner .main-nav__link");
    const least = main ? 60 : 44;
    const { width, height } = box.getBoundingClientRect();
    measured += 1;
    if (width < least - 0.5 || height < least - 0.5) {
      problems.push(`${Math.round(width)}×${Math.round(height)} < ${least}: ${describe(el)}`);
    }
  }
  if (measured < 5) problems.push(`only ${measured} targets measured`);
  if (!getComputedStyle(document.body).cursor.includes("cursor-arrow.png")) problems.push("no big arrow cursor");
  const link = document.querySelector("a[href]");
  if (!getComputedStyle(link).cursor.includes("cursor-hand.png")) problems.push("no big hand cursor on links");
  return problems;
}"""


def contrast_violations(page) -> list[str]:
    """axe-core's WCAG AAA contrast rule (7:1, off by default in axe) on this page."""
    results = Axe().run(page, options={"runOnly": {"type": "rule", "values": ["color-contrast-enhanced"]}})
    return [
        f"{node['target']}: {node['any'][0]['message'] if node['any'] else ''}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


def test_elder_mode_turned_on_at_login_without_javascript_meets_the_rule(live_server, browser):
    call_command("seed_demo", as_of="2026-10-31", members=2)
    running = LoanContract.objects.get(member__id_number=DEMO_ID_NUMBER, status=LoanContract.Status.ACTIVE)
    base = live_server.url
    options = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai", "viewport": {"width": 1366, "height": 900}}
    # The switch and the login with JavaScript off: plain forms.
    no_script = browser.new_context(java_script_enabled=False, **options)
    try:
        page = no_script.new_page()
        page.set_default_timeout(15_000)
        page.goto(base + "/")
        expect(page.locator("html")).not_to_have_class("elder")
        page.get_by_role("button", name="长辈模式").click()
        expect(page.locator("html")).to_have_class("elder")
        expect(page).to_have_url(base + "/")
        expect(page.get_by_role("button", name="退出长辈模式")).to_be_visible()
        page.get_by_label("身份证号/手机号").fill(DEMO_ID_NUMBER)
        page.get_by_label("用户密码").fill(DEMO_PASSWORD)
        page.get_by_label("验证码").fill("PASSED")
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(re.compile(r"/home/$"))
        expect(page.locator("html")).to_have_class("elder")
        state = no_script.storage_state()
    finally:
        no_script.close()
    # The visitor's choice became the member's.
    assert User.objects.get(member__id_number=DEMO_ID_NUMBER).elder_mode is True

    # Measured with scripts on (axe-core is a script), in the same session; the login page as a visitor
    # with the cookie the switch set.
    visitor_state = {**state, "cookies": [c for c in state["cookies"] if c["name"] == "zzgjj_elder"]}
    problems = {}
    for storage, paths in (
        (visitor_state, ["/"]),
        (state, ["/home/", "/ledger/", f"/loans/plan/?contract={running.contract_no}", "/applications/withdrawal/"]),
    ):
        context = browser.new_context(storage_state=storage, **options)
        # Counts what the page plays (the home page's chime for unread messages).
        context.add_init_script(
            "window.played = 0; HTMLMediaElement.prototype.play = function () {"
            " window.played += 1; return Promise.resolve(); };"
        )
        try:
            page = context.new_page()
            page.set_default_timeout(15_000)
            for width, height in ((1366, 900), (390, 844)):
                page.set_viewport_size({"width": width, "height": height})
                for path in paths:
                    response = page.goto(base + path)
                    assert response is not None and response.ok and response.url == base + path, path
                    found = page.evaluate(ELDER_PROBLEMS) + contrast_violations(page)
                    if page.evaluate("document.documentElement.scrollWidth") > width:
                        found.append("the page scrolls sideways")
                    if page.evaluate("window.played"):
                        found.append("a sound played by itself")
                    problems[f"{path} at {width}"] = found
            if storage is state:
                # 退出长辈模式 restores the normal page.
                page.get_by_role("button", name="退出长辈模式").click()
                expect(page.locator("html")).not_to_have_class("elder")
                assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") < 16
                # The contrast check can fail: the normal look keeps 4.5:1 (AA), not 7:1.
                assert contrast_violations(page)
                # The home page's chime, silent in 长辈模式, plays again in the normal mode.
                page.goto(base + "/home/")
                page.wait_for_load_state("load")
                assert page.evaluate("window.played") == 1
        finally:
            context.close()
    found = [f"{where}: {problem}" for where, listed in problems.items() for problem in listed]
    assert not found, "\n".join(found)
