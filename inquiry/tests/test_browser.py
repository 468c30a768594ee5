"""The demo member walks through every 信息查询 page in real headless Chromium."""

import re
from io import BytesIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.demo import DEMO_PASSWORD
from inquiry.demo import DEMO_ID_NUMBER
from inquiry.models import Member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/")
    page.fill("input[name=identifier]", DEMO_ID_NUMBER)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.fill("input[name=captcha_1]", "PASSED")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/home/$"))


def test_demo_member_walks_through_every_inquiry_page(live_server, page, tmp_path):
    # The demo member and the unregistered one only: the walk needs no more.
    call_command("seed_demo", as_of="2026-10-31", members=2)
    settled, active = Member.objects.get(id_number=DEMO_ID_NUMBER).loans.order_by("applied_on")
    log_in(page, live_server.url)
    page.screenshot(path=tmp_path / "home.png", full_page=True)

    # 我的公积金 → 【查询更多】 → 缴存支取信息, the last 12 months by default.
    page.get_by_test_id("ledger-more").click()
    expect(page).to_have_url(re.compile(r"/ledger/"))
    expect(page.get_by_role("heading", name="缴存支取信息")).to_be_visible()
    rows = page.get_by_test_id("ledger-table").locator("tbody tr")
    expect(rows.nth(11)).to_be_visible()  # at least 12 months
    expect(page.get_by_test_id("income-total")).to_have_text(re.compile(r"^\d{1,3}(,\d{3})*\.\d{2}$"))
    with page.expect_download() as download_info:
        page.get_by_test_id("download").click()
    download = download_info.value
    assert download.suggested_filename.startswith("缴存支取明细_") and download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(BytesIO(download.path().read_bytes())).active
    assert "缴存支取明细" in sheet["A1"].value and sheet["A5"].is_date
    page.screenshot(path=tmp_path / "ledger.png", full_page=True)

    menu = page.get_by_role("navigation", name="信息查询")
    menu.get_by_role("link", name="个人基本信息").click()
    expect(page.get_by_test_id("id-number")).to_have_text("370402********1238")
    expect(page.get_by_test_id("phone")).to_have_text("138****2345")

    # 贷款进度查询 opens on the loan being repaid; the dropdown switches contracts.
    menu.get_by_role("link", name="贷款进度查询").click()
    expect(page.locator("#id_contract")).to_have_value(active.contract_no)
    expect(page.locator(".loan-progress__step--done")).to_have_count(6)
    page.screenshot(path=tmp_path / "progress.png", full_page=True)
    page.select_option("#id_contract", settled.contract_no)
    expect(page).to_have_url(re.compile(rf"contract={settled.contract_no}"))
    expect(page.locator("#id_contract")).to_have_value(settled.contract_no)

    menu.get_by_role("link", name="贷款信息").click()
    info = page.get_by_test_id("loan-info")
    for words in (active.contract_no, "等额本息", "300,000.00"):
        expect(info).to_contain_text(words)
    page.select_option("#id_contract", settled.contract_no)
    expect(page).to_have_url(re.compile(rf"contract={settled.contract_no}"))
    expect(page.get_by_test_id("loan-info")).to_contain_text("结清")

    menu.get_by_role("link", name="还款明细").click()
    expect(page.get_by_test_id("repayment-table").locator("tbody tr")).to_have_count(20)
    expect(page.get_by_text("下一页")).to_be_visible()

    # 还款计划 of the settled contract says so; of the active one it lists the plan.
    menu.get_by_role("link", name="还款计划").click()
    page.select_option("#id_contract", settled.contract_no)
    expect(page).to_have_url(re.compile(rf"contract={settled.contract_no}"))
    expect(page.get_by_test_id("notice")).to_have_text(f"此合同【{settled.contract_no}】的贷款已结清")
    page.select_option("#id_contract", active.contract_no)
    expect(page).to_have_url(re.compile(rf"contract={active.contract_no}"))
    expect(page.get_by_test_id("plan-table").locator("tbody tr")).to_have_count(20)
    page.screenshot(path=tmp_path / "plan.png", full_page=True)

    # 数据下载: a real .xlsx with the plan.
    with page.expect_download() as download_info:
        page.get_by_test_id("download").click()
    download = download_info.value
    assert download.suggested_filename == f"还款计划_{active.contract_no}.xlsx"
    sheet = load_workbook(BytesIO(download.path().read_bytes())).active
    expect(page.locator("[data-testid=plan-table] tbody tr td").first).to_have_text(sheet["A5"].value)

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
    expect(popup).to_have_url(re.compile(r"/plan/print"))
