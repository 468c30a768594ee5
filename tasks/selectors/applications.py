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
from inquiry.models import UNSETTLED_LOAN_STATUSES, FundAccount, LedgerEntry, LoanContract, Member
from tasks import eligibility
from tasks.models.applications import WITHDRAWAL_REASONS, Application, ApplicationStep
from tasks.selectors.decisions import pending_loan_serial
from tasks.selectors.messages import HOME_LIST_SIZE
from zzgjj_portal.compiled import CompiledRead


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


def active_loan_outstanding(*, member: Member) -> Decimal | None:
    """The outstanding principal of the member's 正常 loans (LoanContract
    `active()`), None when there is none: what 偿还住房贷款提取 may repay."""
    amounts = list(LoanContract.objects.filter(member=member).active().values_list("outstanding_principal", flat=True))
    return sum(amounts, Decimal("0.00")) if amounts else None


# How a loan approved online is named while the core has not made its contract.
PENDING_CONTRACT = "待生成,申请业务流水号{serial}"


def unsettled_loan_no(*, member: Member) -> str | None:
    """The contract number of one of the member's loans not paid off
    (LoanContract `unsettled()`), or of a loan approved online whose contract
    the core has not made yet (named by its 业务流水号); None when there is none."""
    contract_no = LoanContract.objects.filter(member=member).unsettled().values_list("contract_no", flat=True).first()
    if contract_no is not None:
        return contract_no
    serial = pending_loan_serial(member=member)
    return PENDING_CONTRACT.format(serial=serial) if serial else None


def account_facts(account: FundAccount | None) -> eligibility.AccountFacts | None:
    """What the rules need to know of a fund account (None: no account)."""
    if account is None:
        return None
    return eligibility.AccountFacts(
        status=account.status,
        status_label=account.get_status_display(),
        balance=account.balance,
        bank_account_no=account.bank_account_no,
        checking=bool(account.discrepancy),
    )


@dataclass(frozen=True)
class LoanMemberFacts:
    """What the loan rules need to know of the member (four queries)."""

    account: eligibility.AccountFacts | None
    paid_periods: set[str]
    loans_ever: int
    has_unsettled_loan: bool


def loan_member_facts(*, member: Member) -> LoanMemberFacts:
    """The member's account, the months their deposits paid for, and their loans."""
    account = FundAccount.objects.filter(member=member).first()
    statuses = list(LoanContract.objects.filter(member=member).values_list("status", flat=True))
    # A loan approved online counts as a loan before the core's contract for it arrives.
    pending_loan = pending_loan_serial(member=member) is not None
    paid: set[str] = set()
    if account is not None:
        kinds = [LedgerEntry.Kind.MONTHLY_DEPOSIT, LedgerEntry.Kind.BACK_PAYMENT]
        paid = set(LedgerEntry.objects.filter(account=account, kind__in=kinds).values_list("period", flat=True))
    return LoanMemberFacts(
        account=account_facts(account),
        paid_periods=paid,
        loans_ever=len(statuses) + pending_loan,
        # A contract approved but not yet disbursed is a loan too: one at a time.
        has_unsettled_loan=pending_loan or any(status in UNSETTLED_LOAN_STATUSES for status in statuses),
    )


def loan_blocker(*, member: Member) -> str:
    """Why the member cannot apply for a loan whatever they ask for ('' when they may)."""
    facts = loan_member_facts(member=member)
    refusal = eligibility.loan_member_refusal(
        account=facts.account,
        paid_periods=facts.paid_periods,
        loans_ever=facts.loans_ever,
        has_unsettled_loan=facts.has_unsettled_loan,
        today=timezone.localdate(),
        limits=loan_limits(),
    )
    return refusal.message if refusal else ""


def member_applications(*, member: Member) -> QuerySet[Application]:
    """我发起的: the member's applications, newest first, each with the decision
    sent to the core (its 入账状态) in the same query."""
    return Application.objects.for_member(member).select_related("decision").order_by("-submitted_at", "-id")


# Compiled once per process (zzgjj_portal/compiled.py); a foreign key lookup takes the member's id.
_home_applications = CompiledRead(
    lambda member_id: member_applications(member=member_id)[:HOME_LIST_SIZE], member_id=int
)


def home_applications(*, member: Member) -> list[Application]:
    """The newest few for the home page's 我发起的 tab (one query)."""
    return _home_applications(member_id=member.pk)


def application_get_for_member(*, member: Member, pk: int) -> Application:
    """The member's application `pk`, or Http404 (anyone else's, or none)."""
    try:
        return member_applications(member=member).get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404("no such application") from None


def application_steps(*, application: Application) -> list[ApplicationStep]:
    """The application's steps in order (the application already passed the gate)."""
    return list(application.steps.order_by("order"))


@dataclass(frozen=True)
class WithdrawalFacts:
    """What the 提取申请 page tells the member before they apply."""

    account: FundAccount | None
    rent_left: Decimal
    blocker: str  # why no withdrawal is possible at all ('' when one is)


def withdrawal_facts(*, member: Member) -> WithdrawalFacts:
    """The account (balance, status, bank account), this year's rent allowance
    left, and the reason no withdrawal can be made, if there is one."""
    account = FundAccount.objects.filter(member=member).first()
    limit = withdrawal_limits().rent_yearly_limit
    done = rent_withdrawn_in(account=account, year=timezone.localdate().year) if account else Decimal("0.00")
    facts = account_facts(account)
    refusal = eligibility.account_refusal(facts)
    blocker = refusal.message if refusal else ("" if facts.bank_account_no else eligibility.NO_BANK_ACCOUNT)
    return WithdrawalFacts(account=account, rent_left=max(limit - done, Decimal("0.00")), blocker=blocker)


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
