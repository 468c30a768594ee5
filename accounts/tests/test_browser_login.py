"""Login and logout as a member does it, in real headless Chromium."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from inquiry.demo import DEMO_ID_NUMBER
from inquiry.models import Member
from zzgjj_portal.money import format_money

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", as_of="2026-10-31", members=3)
    return Member.objects.select_related("fund_account").get(id_number=DEMO_ID_NUMBER)


def log_in(page, live_server, identifier, password=DEMO_PASSWORD):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="【个人登录】")).to_be_visible()
    page.get_by_label("身份证号/手机号").fill(identifier)
    page.get_by_label("用户密码").fill(password)
    page.get_by_label("验证码").fill("PASSED")
    page.get_by_role("button", name="登录").click()


@pytest.mark.parametrize("by", ["id_number", "phone"])
def test_browser_demo_member_logs_in_sees_balance_and_logs_out(page, live_server, demo, by):
    log_in(page, live_server, getattr(demo, by))
    expect(page).to_have_url(re.compile(r"/home/$"))
    expect(page.get_by_test_id("balance")).to_have_text(format_money(demo.fund_account.balance))
    expect(page.get_by_role("heading", name="我的公积金")).to_be_visible()
    expect(page.get_by_role("heading", name="我的贷款")).to_be_visible()

    # 否 keeps the member where they are, still logged in.
    page.get_by_role("link", name="退出").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="否").click()
    expect(dialog).to_be_hidden()
    page.reload()
    expect(page).to_have_url(re.compile(r"/home/$"))
    expect(page.get_by_test_id("balance")).to_be_visible()

    # 是 logs out and returns to the login page; home is closed again.
    page.get_by_role("link", name="退出").click()
    page.get_by_role("dialog").get_by_role("button", name="是").click()
    expect(page.get_by_role("heading", name="【个人登录】")).to_be_visible()
    page.goto(live_server.url + "/home/")
    expect(page.get_by_role("heading", name="【个人登录】")).to_be_visible()


def test_browser_wrong_password_shows_generic_message(page, live_server, demo):
    log_in(page, live_server, demo.id_number, password="Wrong#2026x")
    expect(page.get_by_role("alert")).to_contain_text("身份证号/手机号或用户密码错误")


def test_browser_captcha_image_reloads_on_click(page, live_server, demo):
    page.goto(live_server.url + "/")
    image = page.locator("img.captcha")
    before = image.get_attribute("src")
    image.click()
    expect(image).not_to_have_attribute("src", before)
