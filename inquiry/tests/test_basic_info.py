"""个人基本信息 and the 信息查询 menu."""

from datetime import date
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.urls import reverse

from inquiry.models import LedgerEntry
from inquiry.tests.factories import LedgerEntryFactory, LoanContractFactory

pytestmark = pytest.mark.django_db
LOAN_MENU = ["贷款进度查询", "贷款信息", "还款明细", "还款计划"]


def test_basic_info_shows_customer_and_account_with_masked_identity(member_client, member, account):
    member.id_number, member.phone = "370402199001011238", "13812345678"
    member.save()
    LedgerEntryFactory(account=account, period="202609", booked_on=date(2026, 9, 15))
    LedgerEntryFactory(
        account=account, period="202610", kind=LedgerEntry.Kind.BACK_PAYMENT, booked_on=date(2026, 10, 20)
    )
    # A withdrawal carries no period and must not count as the latest deposit month.
    LedgerEntryFactory(account=account, period="", kind=LedgerEntry.Kind.WITHDRAWAL, amount=Decimal("-100.00"))

    response = member_client.get(reverse("inquiry:basic_info"))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    for text in ["个人基本信息", "客户信息", "账户信息", member.name, account.employer.name, account.account_no]:
        assert text in html
    assert "370402********1238" in html and "370402199001011238" not in html
    assert "138****5678" in html and "13812345678" not in html
    assert "2015-01-01" in html  # 开户日期
    assert "正常" in html
    assert "5,000.00" in html  # 缴存基数
    assert "12%" in html
    assert "1,200.00" in html  # 月缴存额 5000 × (12% + 12%)
    assert "202610" in html  # 最近汇缴年月


def test_menu_hides_loan_pages_for_a_member_without_loans(member_client):
    html = member_client.get(reverse("inquiry:basic_info")).content.decode()
    assert "个人基本信息" in html and "缴存支取信息" in html
    assert not any(f">{entry}</a>" in html for entry in LOAN_MENU)


def test_menu_shows_loan_pages_for_a_member_with_a_contract(member_client, member):
    LoanContractFactory(member=member)
    for name in ["tasks:home", "inquiry:basic_info", "inquiry:ledger", "inquiry:plan"]:
        html = member_client.get(reverse(name)).content.decode()
        assert all(f">{entry}</a>" in html for entry in LOAN_MENU), name


def test_inquiry_pages_require_login(client):
    response = client.get(reverse("inquiry:basic_info"))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("accounts:login"))
