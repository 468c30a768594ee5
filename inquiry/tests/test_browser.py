"""The demo member walks through every 信息查询 page in real headless Chromium."""

import re
from io import BytesIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.demo import DEMO_PASSWORD
from inquiry import demo
from inquiry.models import Member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/")
    page.fill("input[name=identifier]", demo.DEMO_ID_NUMBER)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.fill("input[name=captcha_1]", "PASSED")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/home/$"))


def test_demo_member_walks_through_every_inquiry_page(live_server, page, tmp_path):
    # The demo member and the unregistered one only: the walk needs no more.
    call_command("seed_demo", as_of="2026-10-31", members=2)
    settled, active = Member.objects.get(id_number=demo.DEMO_ID_NUMBER).loans.order_by("applied_on")
    log_in(page, live_server.url)
    page.screenshot(path=tmp_path / "home.png", full_page=True)

    # 我的公积金 → 【查询更多】 → 缴存支取信息, the last 12 months by default.
    page.get_by_test_id("ledger-more").click()
    page.wait_for_url(re.compile(r"/ledger/"))
    assert page.get_by_role("heading", name="缴存支取信息").is_visible()
    assert page.get_by_test_id("ledger-table").locator("tbody tr").count() >= 12
    assert page.get_by_test_id("income-total").inner_text() != ""
    with page.expect_download() as download_info:
        page.get_by_test_id("download").click()
    download = download_info.value
    assert download.suggested_filename.startswith("缴存支取明细_") and download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(BytesIO(download.path().read_bytes())).active
    assert "缴存支取明细" in sheet["A1"].value and sheet["A5"].is_date
    page.screenshot(path=tmp_path / "ledger.png", full_page=True)

    menu = page.get_by_role("navigation", name="信息查询")
    menu.get_by_role("link", name="个人基本信息").click()
    assert page.get_by_test_id("id-number").inner_text() == "370402********1238"
    assert page.get_by_test_id("phone").inner_text() == "138****2345"

    # 贷款进度查询 opens on the loan being repaid; the dropdown switches contracts.
    menu.get_by_role("link", name="贷款进度查询").click()
    assert page.locator("#id_contract").input_value() == active.contract_no
    assert page.locator(".loan-progress__step--done").count() == 6
    page.screenshot(path=tmp_path / "progress.png", full_page=True)
    page.select_option("#id_contract", settled.contract_no)
    page.wait_for_url(re.compile(rf"contract={settled.contract_no}"))
    assert page.locator("#id_contract").input_value() == settled.contract_no

    menu.get_by_role("link", name="贷款信息").click()
    info = page.get_by_test_id("loan-info").inner_text()
    assert active.contract_no in info and "等额本息" in info and "300,000.00" in info
    page.select_option("#id_contract", settled.contract_no)
    page.wait_for_url(re.compile(rf"contract={settled.contract_no}"))
    assert "结清" in page.get_by_test_id("loan-info").inner_text()

    menu.get_by_role("link", name="还款明细").click()
    assert page.get_by_test_id("repayment-table").locator("tbody tr").count() == 20
    assert page.get_by_text("下一页").is_visible()

    # 还款计划 of the settled contract says so; of the active one it lists the plan.
    menu.get_by_role("link", name="还款计划").click()
    page.select_option("#id_contract", settled.contract_no)
    page.wait_for_url(re.compile(rf"contract={settled.contract_no}"))
    assert page.get_by_test_id("notice").inner_text() == f"此合同【{settled.contract_no}】的贷款已结清"
    page.select_option("#id_contract", active.contract_no)
    page.wait_for_url(re.compile(rf"contract={active.contract_no}"))
    assert page.get_by_test_id("plan-table").locator("tbody tr").count() == 20
    page.screenshot(path=tmp_path / "plan.png", full_page=True)

    # 数据下载: a real .xlsx with the plan.
    with page.expect_download() as download_info:
        page.get_by_test_id("download").click()
    download = download_info.value
    assert download.suggested_filename == f"还款计划_{active.contract_no}.xlsx"
    sheet = load_workbook(BytesIO(download.path().read_bytes())).active
    assert sheet["A5"].value == page.locator("[data-testid=plan-table] tbody tr td").first.inner_text()

    # 打印: the PDF of the 缴存人还款计划表, fetched with the browser's session.
    print_url = page.get_by_test_id("print").get_attribute("href")
    response = page.request.get(f"{live_server.url}{print_url}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = PdfReader(BytesIO(response.body())).pages[0].extract_text()
    assert "缴存人还款计划表" in text and active.contract_no in text
    # And the browser opens it from the button, in a new tab (or as a download
    # where headless Chromium has no PDF viewer).
    with page.context.expect_event("page") as popup_info:
        page.get_by_test_id("print").click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert "plan/print" in popup.url
