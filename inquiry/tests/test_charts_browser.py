"""The 30-year ledger's charts in real headless Chromium on a phone, plain and
in 长辈模式 (html.elder): no sideways scroll, labels drawn at a readable pixel
size, nothing the strict CSP refuses, and axe finds nothing in the charts."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import reverse

from inquiry.tests.test_charts_pages import END, START, thirty_years

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The rendered size of the smallest chart label, and whether the page scrolls sideways.
MEASURE = """() => {
  const sizes = [...document.querySelectorAll(".chart__tick")].map((text) => {
    const scale = text.ownerSVGElement.getScreenCTM().a;
    return parseFloat(getComputedStyle(text).fontSize) * scale;
  });
  const charts = [...document.querySelectorAll(".chart__svg")].map((svg) => svg.getBoundingClientRect());
  return {
    smallest: Math.min(...sizes),
    labels: sizes.length,
    sideways: document.scrollingElement.scrollWidth > window.innerWidth,
    outside: charts.filter((r) => r.left < 0 || r.right > window.innerWidth).length,
    charts: charts.length,
  };
}"""


def test_ledger_charts_read_on_a_phone_and_in_elder_mode(live_server, page, member_user):
    thirty_years(member_user.member.fund_account)
    client = Client()
    client.force_login(member_user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + reverse("inquiry:ledger") + f"?start={START}&end={END}")
    plain = page.evaluate(MEASURE)
    assert plain["charts"] == 2 and plain["labels"] > 10
    assert not plain["sideways"] and not plain["outside"]
    assert plain["smallest"] >= 11, plain
    violations = Axe().run(page, context={"include": [[".charts"]]}).response["violations"]
    assert not violations, [(v["id"], v["impact"]) for v in violations]
    # 长辈模式 (the elder contract: a class on <html>) draws the labels larger still.
    page.evaluate("document.documentElement.classList.add('elder')")
    elder = page.evaluate(MEASURE)
    assert not elder["sideways"] and not elder["outside"]
    assert elder["smallest"] >= 13 and elder["smallest"] > plain["smallest"], elder
    assert not refused, refused
