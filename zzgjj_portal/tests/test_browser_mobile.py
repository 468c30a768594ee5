"""Every member page, and the public pages before login, on a phone (390×844) and a
laptop (1366×900) in real headless Chromium: the page never scrolls sideways, tables
scroll inside their own focusable box, and header buttons and table headers keep
their words on one line."""

import re

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from inquiry.demo import DEMO_ID_NUMBER
from inquiry.models import LoanContract

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The published demo login (README): a member with a settled and a running loan.

# Named URLs that are not pages to look at: a POST-only action and the plan's PDF.
NOT_PAGES = {"logout", "plan_print"}
# Always visited, whatever the URLconf walk finds (paths survive renames of URL names).
PUBLIC_PATHS = {"/", "/register/", "/password/forgot/"}
MEMBER_PATHS = {
    "/home/",
    "/info/",
    "/ledger/",
    "/loans/progress/",
    "/loans/info/",
    "/loans/repayments/",
    "/loans/plan/",
    "/password/change/",
}

LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth) {
    problems.push(`page is ${root.scrollWidth} px wide in a ${window.innerWidth} px window`);
  }
  for (const table of document.querySelectorAll("table")) {
    if (!table.closest('.table-scroll[role=region][tabindex="0"][aria-label]')) {
      problems.push("a table outside a focusable .table-scroll region");
    }
  }
  // One line each: a Range over wrapped text has one rectangle per line.
  for (const el of document.querySelectorAll(".member-actions > *, .main-nav a, table th")) {
    const range = document.createRange();
    range.selectNodeContents(el);
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    if (lines.size > 1) problems.push(`"${el.textContent.trim()}" breaks over ${lines.size} lines`);
  }
  return problems;
}"""


def named_paths():
    """Paths of the named, argument-free URLs of our apps, split into (public, member):
    a view marked login_not_required is public (LoginRequiredMiddleware guards the rest)."""
    public, member = set(), set()

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace != "admin":
                    walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and entry.name and namespace and entry.name not in NOT_PAGES:
                if entry.pattern.regex.groups:
                    continue
                path = reverse(f"{namespace}:{entry.name}")
                is_public = getattr(entry.callback, "login_required", True) is False
                (public if is_public else member).add(path)

    walk(get_resolver().url_patterns, None)
    return public, member


def layout_problems(page, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
    expect(page.locator("main.page")).to_be_visible()
    page.evaluate("document.fonts.ready")
    return [f"{url}: {problem}" for problem in page.evaluate(LAYOUT_PROBLEMS)]


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 900)])
def test_every_member_page_fits_the_window(live_server, page, width, height):
    call_command("seed_demo", as_of="2026-10-31", members=2)
    running = LoanContract.objects.get(member__id_number=DEMO_ID_NUMBER, status=LoanContract.Status.ACTIVE)
    public, member = named_paths()
    page.set_viewport_size({"width": width, "height": height})
    base = live_server.url
    problems = []

    for path in sorted(public | PUBLIC_PATHS):
        problems += layout_problems(page, base + path)

    page.goto(base + "/")
    page.get_by_label("身份证号/手机号").fill(DEMO_ID_NUMBER)
    page.get_by_label("用户密码").fill(DEMO_PASSWORD)
    page.get_by_label("验证码").fill("PASSED")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/home/$"))

    for path in sorted(member | MEMBER_PATHS):
        query = f"?contract={running.contract_no}" if path.startswith("/loans/") else ""
        problems += layout_problems(page, base + path + query)

    assert not problems, f"at {width}×{height}:\n" + "\n".join(problems)
