"""Reads of online applications (我发起的) and of what the application forms
show. Every function starts from the member.

Ownership: an application reaches a page only through
`application_get_for_member`, which raises Http404 for one that is not the
member's, so a guessed number shows nothing, not even whether it exists.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from inquiry import amortization
from inquiry.models import FundAccount, LedgerEntry, LoanContract, LoanStatus, Member
from tasks import eligibility
from tasks.models.applications import WITHDRAWAL_REASONS, Application, ApplicationStep
from tasks.selectors.messages import HOME_LIST_SIZE


def withdrawal_limits() -> eligibility.WithdrawalLimits:
    """The withdrawal limits in settings (the center sets them)."""
    return eligibility.WithdrawalLimits(
        rent_yearly_limit=settings.TASKS_RENT_WITHDRAWAL_YEARLY_LIMIT,
        retirement_age=settings.TASKS_RETIREMENT_AGE,
    )


def loan_limits() -> eligibility.LoanLimits:
    """The loan limits in settings (the center sets them)."""
    return eligibility.LoanLimits(
        max_amount=settings.TASKS_LOAN_MAX_AMOUNT,
        max_price_ratio=settings.TASKS_LOAN_MAX_PRICE_RATIO,
        max_age_at_end=settings.TASKS_LOAN_MAX_AGE_AT_END,
        min_deposit_months=settings.TASKS_LOAN_MIN_DEPOSIT_MONTHS,
        max_loans=settings.TASKS_LOAN_MAX_LOANS,
        max_term_years=settings.TASKS_LOAN_MAX_TERM_YEARS,
    )


def loan_rate(term_years: int) -> Decimal:
    """The first-home rate in force for a term (settings; the center sets them)."""
    return eligibility.first_home_rate(
        term_years,
        short_rate=settings.TASKS_LOAN_RATE_SHORT,
        long_rate=settings.TASKS_LOAN_RATE_LONG,
        short_term_years=settings.TASKS_LOAN_RATE_SHORT_TERM_YEARS,
    )


def rent_withdrawn_in(*, account: FundAccount, year: int) -> Decimal:
    """The year's rent withdrawals already booked (summed in Python: exact on SQLite too)."""
    amounts = LedgerEntry.objects.filter(
        account=account,
        kind=LedgerEntry.Kind.WITHDRAWAL,
        withdrawal_reason=WITHDRAWAL_REASONS[Application.WithdrawalKind.RENT],
        booked_on__year=year,
    ).values_list("amount", flat=True)
    return -sum(amounts, Decimal("0.00"))


def running_outstanding(*, member: Member) -> Decimal | None:
    """The outstanding principal of the member's 正常 loans, None when there is none.
    An overdue (逾期) loan does not qualify: the center settles arrears at the counter."""
    amounts = list(
        LoanContract.objects.filter(member=member, status=LoanStatus.ACTIVE).values_list(
            "outstanding_principal", flat=True
        )
    )
    return sum(amounts, Decimal("0.00")) if amounts else None


def member_applications(*, member: Member) -> QuerySet[Application]:
    """我发起的: the member's applications, newest first."""
    return Application.objects.for_member(member).order_by("-submitted_at", "-id")


def home_applications(*, member: Member) -> list[Application]:
    """The newest few for the home page's 我发起的 tab (one query)."""
    return list(member_applications(member=member)[:HOME_LIST_SIZE])


def application_get_for_member(*, member: Member, pk: int) -> Application:
    """The member's application `pk`, or Http404 (anyone else's, or none)."""
    try:
        return member_applications(member=member).get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404("no such application") from None


def application_steps(*, application: Application) -> list[ApplicationStep]:
    """The application's steps in order (the application already passed the gate)."""
    return list(application.steps.order_by("order"))


def application_can_withdraw(*, application: Application, steps: list[ApplicationStep]) -> bool:
    """撤回 is offered while the application is open and no staff member has acted."""
    return application.is_open and not any(step.approver_id for step in steps)


@dataclass(frozen=True)
class WithdrawalFacts:
    """What the 提取申请 page tells the member before they apply."""

    account: FundAccount | None
    rent_left: Decimal


def withdrawal_facts(*, member: Member) -> WithdrawalFacts:
    """The account (balance, status, bank account) and this year's rent allowance left."""
    account = FundAccount.objects.filter(member=member).first()
    limit = withdrawal_limits().rent_yearly_limit
    done = rent_withdrawn_in(account=account, year=timezone.localdate().year) if account else Decimal("0.00")
    return WithdrawalFacts(account=account, rent_left=max(limit - done, Decimal("0.00")))


def loan_trial(*, amount: Decimal, term_years: int, method: str, today: date | None = None) -> eligibility.LoanTrial:
    """贷款试算 at the first-home rate in force, first payment a month from today."""
    today = today or timezone.localdate()
    return eligibility.loan_trial(
        amount=amount,
        term_years=term_years,
        method=method,
        annual_rate=loan_rate(term_years),
        first_due_date=amortization.add_months(today, 1),
    )


@dataclass(frozen=True)
class LoanRates:
    """The first-home rates in force, as the 贷款申请 page states them."""

    since: date
    short_term_years: int
    short_rate: Decimal
    long_rate: Decimal


def loan_rates() -> LoanRates:
    return LoanRates(
        since=settings.TASKS_LOAN_RATE_SINCE,
        short_term_years=settings.TASKS_LOAN_RATE_SHORT_TERM_YEARS,
        short_rate=settings.TASKS_LOAN_RATE_SHORT,
        long_rate=settings.TASKS_LOAN_RATE_LONG,
    )
