"""The shapes of the demo records, built in memory before anything is written."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from inquiry.models import AccountStatus, LedgerEntry, LoanProgressStep, LoanStatus, RepaymentMethod


@dataclass
class EntrySpec:
    booked_on: date
    kind: LedgerEntry.Kind
    amount: Decimal
    period: str = ""
    summary: str = ""
    withdrawal_reason: str = ""
    balance_after: Decimal = Decimal("0.00")


@dataclass
class RepaymentSpec:
    repaid_on: date
    principal: Decimal
    interest: Decimal
    principal_to_date: Decimal
    interest_to_date: Decimal
    outstanding_after: Decimal


@dataclass
class StepSpec:
    order: int
    name: str
    state: LoanProgressStep.State
    handled_at: datetime | None  # naive local time; made aware when written


@dataclass
class LoanSpec:
    contract_no: str
    amount: Decimal
    term_months: int
    annual_rate: Decimal
    repayment_method: RepaymentMethod
    applied_on: date
    disbursed_on: date | None
    status: LoanStatus
    outstanding_principal: Decimal
    monthly_payment: Decimal | None
    steps: list[StepSpec] = field(default_factory=list)
    repayments: list[RepaymentSpec] = field(default_factory=list)
    remaining_months: int = 0
    next_due_on: date | None = None


@dataclass
class MemberSpec:
    name: str
    id_number: str
    phone: str
    registered: bool  # registered online: gets a login (accounts.demo)
    account_no: str
    employer_account_no: str
    deposit_base: Decimal
    employer_rate: Decimal
    personal_rate: Decimal
    opened_on: date
    status: AccountStatus
    entries: list[EntrySpec] = field(default_factory=list)
    loans: list[LoanSpec] = field(default_factory=list)

    @property
    def balance(self) -> Decimal:
        return self.entries[-1].balance_after if self.entries else Decimal("0.00")
