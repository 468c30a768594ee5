"""The demo member applies online and follows the application while a 受理员
handles it in admin, in real headless Chromium (two browser contexts)."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from conftest import browser_log_in_staff
from inquiry.demo import DEMO_ID_NUMBER
from tasks.models import Application, Decision
from tasks.selectors.applications import loan_trial
from tasks.services import applications as services
from tasks.services.decisions import decisions_settle
from tasks.tests.conftest import staff_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
STAFF_PASSWORD = "Clerk#2026pass"  # noqa: S105 - a test user's


def member_login(page, base_url: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_label("身份证号/手机号").fill(DEMO_ID_NUMBER)
    page.get_by_label("用户密码").fill(DEMO_PASSWORD)
    page.get_by_label("验证码").fill("PASSED")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/home/$"))


def test_member_applies_and_follows_the_workflow_while_a_clerk_accepts(live_server, page, browser, tmp_path):
    call_command("seed_demo", as_of="2026-10-31", members=2)
    clerk = staff_in("受理员", username="hall-clerk", name="赵柜员")
    clerk.set_password(STAFF_PASSWORD)
    clerk.save()
    base = live_server.url

    # 贷款试算 from 我的贷款's 贷款申请 button, before applying.
    member_login(page, base)
    page.get_by_test_id("loan-apply").click()
    expect(page.get_by_role("heading", name="贷款申请", level=1)).to_be_visible()
    page.get_by_label("贷款金额(元)").fill("300000")
    page.get_by_label("贷款年限(年)").fill("20")
    page.get_by_label("等额本息").check()
    page.get_by_test_id("trial").click()
    expected = loan_trial(amount=Decimal("300000"), term_years=20, method="equal_installment")
    expect(page.get_by_test_id("monthly-payment")).to_have_text(f"{expected.first_payment:,.2f} 元")
    expect(page.get_by_label("贷款金额(元)")).to_have_value("300000")
    page.screenshot(path=tmp_path / "trial.png", full_page=True)

    # 提取申请 from 我的公积金: a 租房提取 of 3,000.00.
    page.goto(f"{base}/home/")
    page.get_by_test_id("withdrawal-apply").click()
    page.get_by_label("租房提取").check()
    page.get_by_label("提取金额(元)").fill("3000")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("租房提取已提交")).to_be_visible()
    expect(page.get_by_test_id("current-step")).to_have_text("受理")
    detail_url = page.url

    # 我发起的 on the home page lists it at 受理.
    page.goto(f"{base}/home/")
    page.get_by_role("tab", name="我发起的").click()
    row = page.get_by_test_id("application-table").locator("tbody tr").first
    expect(row).to_contain_text("租房提取")
    expect(row).to_contain_text("受理")
    expect(row).to_contain_text("办理中")

    # A 受理员 approves 受理 in admin, in a browser of their own.
    staff_context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    staff = staff_context.new_page()
    staff.set_default_timeout(15_000)
    browser_log_in_staff(staff, live_server, clerk, STAFF_PASSWORD)
    staff.goto(f"{base}/admin/tasks/application/?q={DEMO_ID_NUMBER}")
    staff.locator("#result_list tbody tr a").first.click()
    expect(staff.get_by_text("办理当前环节:受理")).to_be_visible()
    staff.get_by_label("通过", exact=True).check()
    staff.get_by_label("审批意见:").fill("材料齐全,同意受理")
    staff.get_by_role("button", name="提交办理结果").click()
    expect(staff.get_by_text("【受理】已通过")).to_be_visible()
    staff.screenshot(path=tmp_path / "admin.png", full_page=True)
    staff_context.close()

    # The member sees the next step, who handled 受理, the opinion and when, and a new message.
    page.goto(detail_url)
    expect(page.get_by_test_id("current-step")).to_have_text("审核")
    handled = page.get_by_test_id("handled-steps").locator("tbody tr").first
    expect(handled).to_contain_text("受理")
    expect(handled).to_contain_text("赵柜员")
    expect(handled).not_to_contain_text("hall-clerk")
    expect(handled).to_contain_text("材料齐全,同意受理")
    expect(handled).to_contain_text(f"{timezone.localdate():%Y-%m-%d}")
    expect(page.locator(".workflow .loan-progress__step--current")).to_contain_text("审核")
    page.screenshot(path=tmp_path / "detail.png", full_page=True)
    # On a phone the chart and the table fit: the page never scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=tmp_path / "detail-phone.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/home/")
    expect(page.locator("#panel-messages")).to_contain_text("已通过受理环节")

    # 审核 and 审批 (through the services): the decision goes to the core, 待入账.
    application = Application.objects.get(member__id_number=DEMO_ID_NUMBER, status="in_progress")
    for step, role, name in (("review", "审核员", "钱审核"), ("approve", "审批员", "孙审批")):
        actor = staff_in(role, username=f"hall-{step}", name=name)
        services.application_step_approve(application_id=application.pk, step=step, actor=actor)
    serial = Decision.objects.get(application=application).serial_no
    page.goto(detail_url)
    expect(page.get_by_test_id("application-status")).to_have_text("已办结")
    expect(page.get_by_test_id("booking-state")).to_have_text("待入账")
    expect(page.get_by_test_id("serial-no")).to_have_text(serial)
    page.goto(f"{base}/ledger/")
    expect(page.get_by_test_id("pending-entry")).to_have_text("【待入账】网上租房提取")

    # The core's import books it: 我发起的 says 已入账.
    decisions_settle(booked=[serial], refused={})
    page.goto(f"{base}/home/")
    page.get_by_role("tab", name="我发起的").click()
    row = page.get_by_test_id("application-table").locator("tbody tr").first
    expect(row).to_contain_text("已办结")
    expect(row.get_by_test_id("booking-state")).to_have_text("已入账")
    page.screenshot(path=tmp_path / "booked.png", full_page=True)
