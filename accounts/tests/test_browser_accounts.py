"""Real headless Chromium: a member the hall registered signs up online,
logs in by phone, resets a forgotten password and changes it, and is
refused at each wrong step with the manual's message."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts import texts
from accounts.tests.factories import StaffUserFactory
from inquiry.services import member_phone_change
from inquiry.tests.factories import FundAccountFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME, ID_NUMBER, PHONE = "李静", "370403198805152345", "13963245678"
FIRST, SECOND, THIRD = "Lijing2026a", "Reset8pass9", "Change7pass3"


def _take_code(outbox: Path) -> str:
    """The code in the one message the file backend wrote; the file is removed."""
    files = list(outbox.iterdir())
    assert len(files) == 1
    code = re.search(r"验证码为(\d{6})", files[0].read_text(encoding="utf-8")).group(1)
    files[0].unlink()
    return code


def _identity(page, name, id_number, id_label, button):
    page.get_by_label("姓名").fill(name)
    page.get_by_label(id_label).fill(id_number)
    page.get_by_label("验证码", exact=True).fill("PASSED")
    page.get_by_role("button", name=button, exact=True).click()


def _login(page, identifier, password):
    page.get_by_label("身份证号/手机号").fill(identifier)
    page.get_by_label("用户密码").fill(password)
    page.get_by_label("验证码", exact=True).fill("PASSED")
    page.get_by_role("button", name="登录", exact=True).click()


def _logout(page):
    page.get_by_role("link", name="退出").click()
    page.get_by_role("button", name="是").click()
    expect(page.get_by_role("button", name="登录", exact=True)).to_be_visible()


def test_browser_register_login_forgot_and_change_password(live_server, page, settings, tmp_path, clock):
    settings.SMS_BACKEND = "accounts.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path)
    member = FundAccountFactory(member__name=NAME, member__id_number=ID_NUMBER, member__phone="").member
    errors = page.locator(".form-errors, .field__error, .flash__item")

    # 注册, step 1: no reserved phone yet, then a wrong name.
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="注册").click()
    _identity(page, NAME, ID_NUMBER, "身份证号", "验证")
    expect(errors.first).to_contain_text(texts.NO_PHONE)
    member_phone_change(member=member, phone=PHONE, changed_by=StaffUserFactory())
    _identity(page, "李晶", ID_NUMBER, "身份证号", "验证")
    expect(errors.first).to_contain_text(texts.IDENTITY_MISMATCH)
    _identity(page, NAME, ID_NUMBER, "身份证号", "验证")

    # Step 2, 短信校验: the masked phone, the code from the file backend.
    expect(page.locator(".progress__step--current")).to_have_text("短信校验")
    expect(page.get_by_text("139****5678")).to_be_visible()
    page.get_by_role("button", name="发送验证码").click()
    expect(page.locator(".flash__item")).to_contain_text("139****5678")
    expect(page.locator("[data-countdown]")).to_be_disabled()
    code = _take_code(tmp_path)
    wrong = "000000" if code != "000000" else "111111"
    page.get_by_label("短信验证码").fill(wrong)
    page.get_by_role("button", name="确认验证").click()
    expect(errors.first).to_contain_text(texts.SMS_WRONG.format(left=4))
    page.get_by_label("短信验证码").fill(code)
    page.get_by_role("button", name="确认验证").click()

    # Step 3, 密码设置.
    expect(page.get_by_text("验证通过!")).to_be_visible()
    page.get_by_label("登录密码").fill("12345678")
    page.get_by_label("确认密码").fill("12345678")
    page.get_by_role("button", name="确认注册").click()
    expect(errors.first).to_contain_text(texts.PASSWORD_ONE_CLASS)
    page.get_by_label("登录密码").fill(FIRST)
    page.get_by_label("确认密码").fill(FIRST)
    page.get_by_role("button", name="确认注册").click()
    expect(page.get_by_role("heading", name="注册完成")).to_be_visible()
    page.get_by_role("link", name="登录").click()

    # Log in by phone with the new password.
    _login(page, PHONE, FIRST)
    expect(page.get_by_text(f"{NAME},您好")).to_be_visible()
    _logout(page)

    # 忘记密码.
    page.get_by_role("link", name="忘记密码").click()
    _identity(page, NAME, "370403198805152346", "证件号码", "信息验证")
    expect(errors.first).to_be_visible()
    _identity(page, NAME, ID_NUMBER, "证件号码", "信息验证")
    expect(page.get_by_text("139****5678")).to_be_visible()
    # The registration code went to this phone under a minute ago: the button counts down.
    expect(page.locator("[data-countdown]")).to_be_disabled()
    expect(page.locator("[data-countdown]")).to_contain_text("重新发送")
    clock.advance(seconds=61)
    page.reload()
    page.get_by_role("button", name="发送验证码").click()
    page.get_by_label("短信验证码").fill(_take_code(tmp_path))
    page.get_by_role("button", name="下一步").click()
    page.get_by_label("新密码").fill(SECOND)
    page.get_by_label("确认密码").fill(SECOND + "x")
    page.get_by_role("button", name="提交").click()
    expect(errors.first).to_contain_text(texts.PASSWORD_MISMATCH)
    page.get_by_label("新密码").fill(SECOND)
    page.get_by_label("确认密码").fill(SECOND)
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("修改成功")).to_be_visible()
    page.get_by_role("link", name="登陆").click()

    # The old password no longer works; the new one does (by ID number this time).
    _login(page, ID_NUMBER, FIRST)
    expect(errors.first).to_contain_text("身份证号/手机号或用户密码错误")
    _login(page, ID_NUMBER, SECOND)
    expect(page.get_by_text(f"{NAME},您好")).to_be_visible()

    # 修改密码 (top-right).
    page.get_by_role("link", name="修改密码").click()
    page.get_by_label("原密码").fill("Wrong#2026a")
    page.get_by_label("新密码").fill(THIRD)
    page.get_by_label("确认密码").fill(THIRD)
    page.get_by_role("button", name="提交").click()
    expect(errors.first).to_contain_text(texts.OLD_PASSWORD_WRONG)
    page.get_by_label("原密码").fill(SECOND)
    page.get_by_label("新密码").fill(THIRD)
    page.get_by_label("确认密码").fill(THIRD)
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".flash__item")).to_contain_text(texts.PASSWORD_CHANGED)
    page.get_by_role("link", name="确定").click()
    expect(page.get_by_text(f"{NAME},您好")).to_be_visible()
    _logout(page)
    _login(page, PHONE, THIRD)
    expect(page.get_by_text(f"{NAME},您好")).to_be_visible()
