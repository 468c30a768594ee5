"""Ownership: a contract that is not the member's is a 404 on every page and
every download, and lists never show another member's rows."""

from datetime import date
from decimal import Decimal
from http import HTTPStatus
from io import BytesIO

import pytest
from django.http import Http404
from django.urls import reverse
from openpyxl import load_workbook

from accounts.tests.factories import StaffUserFactory
from inquiry.selectors import loan_get_for_member
from inquiry.tests.factories import FundAccountFactory, LedgerEntryFactory, LoanContractFactory, RepaymentFactory

pytestmark = pytest.mark.django_db

CONTRACT_URLS = [
    ("inquiry:loan_progress", {}),
    ("inquiry:loan_info", {}),
    ("inquiry:repayments", {}),
    ("inquiry:repayments", {"start": "2020-01-01", "end": "2030-12-31"}),
    ("inquiry:plan", {}),
    ("inquiry:plan", {"format": "xlsx"}),
    ("inquiry:plan_print", {}),
    ("inquiry:prepay_trial", {}),
    ("inquiry:prepay_trial", {"mode": "reduce", "amount": "1000"}),
]


@pytest.fixture
def other_loan():
    """Another member's active contract with a repayment."""
    loan = LoanContractFactory(contract_no="ZZOTHER00001")
    RepaymentFactory(contract=loan)
    return loan


@pytest.mark.parametrize(("name", "extra"), CONTRACT_URLS)
@pytest.mark.parametrize("own_loans", [True, False], ids=["member-with-loans", "member-without-loans"])
def test_another_members_contract_is_404(member_client, member, other_loan, name, extra, own_loans):
    if own_loans:
        LoanContractFactory(member=member)
    response = member_client.get(reverse(name), {"contract": other_loan.contract_no, **extra})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert other_loan.contract_no.encode() not in response.content


@pytest.mark.parametrize(("name", "extra"), CONTRACT_URLS)
@pytest.mark.parametrize("contract_no", ["NOSUCHCONTRACT", "TEST\x00", "' OR 1=1 --", "x" * 500])
def test_unknown_contract_is_404(member_client, member, name, extra, contract_no):
    LoanContractFactory(member=member)
    response = member_client.get(reverse(name), {"contract": contract_no, **extra})
    # A NUL byte is refused before any view (zzgjj_portal.middleware.BadInputMiddleware).
    assert response.status_code == (HTTPStatus.BAD_REQUEST if "\x00" in contract_no else HTTPStatus.NOT_FOUND)


def test_contract_gate_without_candidates_queries_only_the_members_contracts(member, other_loan):
    own = LoanContractFactory(member=member)
    assert loan_get_for_member(member=member, contract_no=own.contract_no) == own
    for contract_no in (other_loan.contract_no, "TEST\x00"):
        with pytest.raises(Http404):
            loan_get_for_member(member=member, contract_no=contract_no)


@pytest.mark.parametrize(("name", "extra"), CONTRACT_URLS)
def test_own_contract_is_served(member_client, member, name, extra):
    loan = LoanContractFactory(member=member)
    response = member_client.get(reverse(name), {"contract": loan.contract_no, **extra})
    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize("extra", [{}, {"format": "xlsx"}])
def test_ledger_never_shows_another_members_entries(member_client, account, extra):
    other = FundAccountFactory()
    LedgerEntryFactory(account=other, booked_on=date(2025, 1, 15), summary="别人的汇缴", amount=Decimal("999.99"))
    LedgerEntryFactory(account=account, booked_on=date(2025, 1, 15), summary="自己的汇缴")
    response = member_client.get(reverse("inquiry:ledger"), {"start": "2025-01-01", "end": "2025-12-31", **extra})
    assert response.status_code == HTTPStatus.OK
    body = response.content
    if extra:
        values = [c for row in load_workbook(BytesIO(body)).active.iter_rows(values_only=True) for c in row]
        assert "自己的汇缴" in values and "别人的汇缴" not in values
    else:
        assert "自己的汇缴" in body.decode() and "别人的汇缴" not in body.decode()


def test_home_lists_only_own_contracts(member_client, member, other_loan):
    LoanContractFactory(member=member, contract_no="ZZMINE000001")
    html = member_client.get(reverse("tasks:home")).content.decode()
    assert "ZZMINE000001" in html and other_loan.contract_no not in html


@pytest.mark.parametrize(
    "name", ["inquiry:basic_info", "inquiry:ledger", "inquiry:loan_info", "inquiry:plan", "inquiry:plan_print"]
)
def test_staff_without_member_cannot_open_member_pages(client, name):
    client.force_login(StaffUserFactory())
    response = client.get(reverse(name))
    assert response.status_code == HTTPStatus.FOUND
