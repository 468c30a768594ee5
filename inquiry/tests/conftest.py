"""Fixtures of the inquiry pages: a logged-in member's account and loans."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from inquiry.models import LoanContract, LoanProgressStep
from inquiry.tests.factories import LoanContractFactory, LoanProgressStepFactory, RepaymentFactory

STEPS = ["申请受理", "审核", "审批", "签订合同", "抵押登记", "放款"]


@pytest.fixture
def member(member_user):
    return member_user.member


@pytest.fixture
def account(member):
    return member.fund_account


def add_steps(loan: LoanContract, done: int) -> None:
    """Progress nodes: `done` completed, the next one current, the rest pending."""
    for order, name in enumerate(STEPS, start=1):
        if order <= done:
            state, at = LoanProgressStep.State.DONE, timezone.make_aware(datetime(2020, 7, order, 10, 30))
        else:
            state, at = (LoanProgressStep.State.CURRENT if order == done + 1 else LoanProgressStep.State.PENDING), None
        LoanProgressStepFactory(contract=loan, order=order, name=name, state=state, handled_at=at)


@pytest.fixture
def loans(member):
    """A settled 等额本金 loan, an active 等额本息 loan with three repayments,
    and one not yet disbursed, as (settled, active, not_disbursed)."""
    settled = LoanContractFactory(
        member=member,
        contract_no="ZZ2012000001",
        amount=Decimal("150000.00"),
        term_months=120,
        repayment_method="equal_principal",
        applied_on=date(2012, 5, 10),
        disbursed_on=date(2012, 6, 9),
        status=LoanContract.Status.SETTLED,
        outstanding_principal=Decimal("0.00"),
        monthly_payment=Decimal("1656.25"),
        remaining_months=0,
        next_due_on=None,
    )
    add_steps(settled, done=6)
    active = LoanContractFactory(
        member=member,
        contract_no="ZZ2020000002",
        amount=Decimal("300000.00"),
        term_months=240,
        annual_rate=Decimal("0.0325"),
        repayment_method="equal_installment",
        applied_on=date(2020, 7, 1),
        disbursed_on=date(2020, 8, 1),
        status=LoanContract.Status.ACTIVE,
        outstanding_principal=Decimal("297325.50"),
        remaining_months=237,
        next_due_on=date(2020, 12, 1),
    )
    add_steps(active, done=6)
    principal_to_date, interest_to_date, outstanding = Decimal("0"), Decimal("0"), Decimal("300000.00")
    for repaid_on, principal, interest in [
        (date(2020, 9, 1), Decimal("889.09"), Decimal("812.50")),
        (date(2020, 10, 1), Decimal("891.50"), Decimal("810.09")),
        (date(2020, 11, 1), Decimal("893.91"), Decimal("807.68")),
    ]:
        principal_to_date += principal
        interest_to_date += interest
        outstanding -= principal
        RepaymentFactory(
            contract=active,
            repaid_on=repaid_on,
            principal=principal,
            interest=interest,
            principal_to_date=principal_to_date,
            interest_to_date=interest_to_date,
            outstanding_after=outstanding,
        )
    pending = LoanContractFactory(
        member=member,
        contract_no="ZZ2026000003",
        amount=Decimal("400000.00"),
        term_months=360,
        applied_on=date(2026, 10, 1),
        disbursed_on=None,
        status=LoanContract.Status.NOT_DISBURSED,
        outstanding_principal=Decimal("0.00"),
        monthly_payment=None,
        remaining_months=0,
        next_due_on=None,
    )
    add_steps(pending, done=2)
    return settled, active, pending
