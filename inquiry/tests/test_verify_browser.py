"""/verify/ in real headless Chromium (issue 19): a member issues a 缴存证明;
someone without an account opens its QR code's address, types the code, and
uploads the PDF; the member voids it and the verifier sees 已作废. All under
the portal's Content-Security-Policy (verify.js is a static file) and, at a
phone's width, without a sideways scroll.

VERIFY_SHOTS_DIR=/some/dir keeps screenshots of each state at 1366×900 and
390×844 (outside the repository)."""

import os
import re
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from inquiry.certificates import codes
from inquiry.models import Certificate, CertificateVerification
from zzgjj_portal.masking import mask_id_number
from zzgjj_portal.tests.test_browser_security import watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("VERIFY_SHOTS_DIR")
SIZES = [(1366, 900), (390, 844)]


def logged_in_context(browser, live_server, user):
    """A browser context with the member's session (logged in as after the
    login form; the login itself is accounts' browser tests' subject)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1366, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context


def fits_a_phone(page) -> None:
    """At 390 px nothing scrolls sideways; then back to the desktop width."""
    for width, height in SIZES[::-1]:
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (page.url, width)


def shot(page, name: str) -> None:
    fits_a_phone(page)
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=os.path.join(SHOTS, f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1366, "height": 900})


def test_a_certificate_is_verified_by_qr_code_by_hand_and_by_file_then_voided(
    browser, live_server, member_user, center_signer, tmp_path
):
    member = member_user.member
    # The member issues a 缴存证明 on 我的证明.
    member_context = logged_in_context(browser, live_server, member_user)
    mine = member_context.new_page()
    mine.goto(f"{live_server.url}{reverse('inquiry:certificates')}")
    mine.select_option("#id_purpose", "house")
    mine.get_by_test_id("issue-deposit").click()
    expect(mine.locator(".flash")).to_contain_text("缴存证明已开具")
    certificate = Certificate.objects.get(member=member)
    pdf = member_context.request.get(f"{live_server.url}{reverse('inquiry:certificate_pdf', args=[certificate.pk])}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.body())).pages).replace(" ", "")
    code = codes.code_normalize(text.split("核验码:")[1][:24])
    shown = codes.code_display(code)
    pdf_path = tmp_path / "缴存证明.pdf"
    pdf_path.write_bytes(pdf.body())

    # Someone without an account scans the QR code: the page reads the fragment and asks.
    verifier_context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1366, "height": 900}
    )
    page = verifier_context.new_page()
    page.set_default_timeout(15_000)
    problems = watch_csp(page)
    page.goto(f"{live_server.url}/verify/")
    expect(page.get_by_role("heading", name="证明核验")).to_be_visible()
    shot(page, "verify-form")
    page.goto(f"{live_server.url}/verify/#{shown}")
    state = page.get_by_test_id("verify-state")
    expect(state).to_have_text("缴存证明:有效")
    assert "#" not in page.url  # the code left the address bar
    facts = page.get_by_test_id("verify-facts")
    expect(facts).to_contain_text(member.name)
    expect(facts).to_contain_text(mask_id_number(member.id_number))
    expect(facts).to_contain_text("购房")
    expect(facts).to_contain_text("签发时间")
    expect(facts).to_contain_text("有效期至")
    assert member.id_number not in page.content()
    shot(page, "verify-valid")

    # By hand, as read off the paper: lower case, no dashes.
    page.goto(f"{live_server.url}/verify/")
    page.get_by_label("核验码").fill(code.lower())
    page.get_by_test_id("verify-submit").click()
    expect(state).to_have_text("缴存证明:有效")

    # The PDF they received, compared byte for byte.
    page.get_by_label("证明文件(PDF)").set_input_files(str(pdf_path))
    page.get_by_test_id("upload-submit").click()
    expect(page.get_by_test_id("file-result")).to_have_text("文件与签发记录一致")
    shot(page, "verify-upload-same")
    # A file with one byte changed is not the one issued.
    changed = tmp_path / "changed.pdf"
    body = bytearray(pdf.body())
    body[len(body) // 2] ^= 0x01
    changed.write_bytes(bytes(body))
    page.get_by_label("证明文件(PDF)").set_input_files(str(changed))
    page.get_by_test_id("upload-submit").click()
    expect(page.get_by_test_id("file-result")).to_have_text("文件与签发记录不一致")
    shot(page, "verify-upload-differs")

    # The member sees the looks on 我的证明, then voids the certificate.
    mine.reload()
    expect(mine.get_by_test_id("verify-count")).to_have_text("4")
    mine.get_by_test_id("void").click()
    mine.get_by_test_id("void-yes").click()
    expect(mine.get_by_test_id("certificate-state")).to_contain_text("已作废")

    # The verifier asks again: 已作废, without the member's reason.
    page.goto(f"{live_server.url}/verify/#{shown}")
    expect(state).to_have_text("缴存证明:已作废")
    assert "本人作废" not in page.content()
    shot(page, "verify-void")

    # A wrong code: the message, on the form.
    page.goto(f"{live_server.url}/verify/")
    page.get_by_label("核验码").fill("ABCD-EFGH-JKMN-PQRS-TUVW")
    page.get_by_test_id("verify-submit").click()
    expect(page.get_by_test_id("code-error")).to_have_text("核验码不正确,请核对后重新输入")
    shot(page, "verify-wrong")

    assert CertificateVerification.objects.filter(certificate=certificate).count() == 5
    assert not re.search(r"Content Security Policy", "\n".join(problems)), problems
    assert not problems, problems
    verifier_context.close()
    member_context.close()
