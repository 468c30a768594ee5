"""The center's rules for online applications (no database, no queries; Decimal only).

Each rule returns the first `Refusal` that applies, with a code for tests
and logs and the Chinese message the member reads, or None when the
application may go ahead. The services gather the facts from the records and
the limits from settings (the center sets them) and call these; the same
rules are then testable without a database. Codes are the records' own
choices (AccountStatus), never their raw strings.

贷款试算 (`loan_trial`) runs the records' amortization engine, so the trial
and the plan the contract later gets come from one computation.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from inquiry import amortization
from inquiry.models import CLOSED_STATUSES, AccountStatus
from zzgjj_portal.identity import birth_date_digits
from zzgjj_portal.money import format_money
from zzgjj_portal.periods import format_period

# Withdrawal kinds (提取类型), the same codes the application model stores.
RENT = "rent"
LOAN_REPAYMENT = "loan_repayment"
RETIREMENT = "retirement"

NO_ACCOUNT = "尚未查询到您的公积金账户信息,请咨询服务大厅"
ACCOUNT_SEALED = "您的公积金账户已封存,不能办理此业务;重新就业后请由新单位办理启封"
ACCOUNT_FROZEN = "您的公积金账户已冻结,不能办理此业务,请到服务大厅咨询"
ACCOUNT_CLOSED = "您的公积金账户已销户,不能办理此业务"
ACCOUNT_OTHER = "您的公积金账户状态为{label},不能办理此业务,请到服务大厅咨询"
ACCOUNT_CHECKING = "您的公积金账户数据核对中,暂不能办理此业务,请稍后再试或到服务大厅咨询"
AMOUNT_NOT_POSITIVE = "提取金额须大于0"
AMOUNT_DECIMALS = "金额最多保留两位小数"
AMOUNT_OVER_BALANCE = "提取金额不能超过账户余额{balance}元"
NO_BANK_ACCOUNT = "您在中心未登记收款银行账号,请到服务大厅登记后再申请提取"
RENT_OVER_LIMIT = "租房提取每年最多{limit}元,您今年已提取{done}元,本次最多可提取{left}元"
NO_ACTIVE_LOAN = "您没有状态为正常的住房公积金贷款,不能办理偿还住房贷款提取"
OVER_OUTSTANDING = "提取金额不能超过贷款余额{outstanding}元"
TOO_YOUNG_TO_RETIRE = "离退休提取须年满{age}周岁,您目前{current}周岁"
RETIREMENT_WHOLE_BALANCE = "离退休提取须一次提取账户全部余额{balance}元"
RETIREMENT_LOAN_UNSETTLED = (
    "离退休提取将注销您的公积金账户,您的住房公积金贷款(借款合同【{contract_no}】)尚未结清,请结清后再申请"
)
DEPOSITS_MISSING = "申请贷款须连续缴存住房公积金满{months}个月,您{period}未缴存"
LOAN_UNSETTLED = "您有尚未结清的住房公积金贷款,结清后才能再次申请"
TOO_MANY_LOANS = "每位职工最多申请{count}次住房公积金贷款,您已贷款{count}次"
LOAN_AMOUNT_NOT_POSITIVE = "贷款金额须大于0"
LOAN_OVER_MAX = "贷款金额最高{limit}元"
LOAN_OVER_PRICE_RATIO = "贷款金额不能超过房屋总价的{ratio},即{limit}元"
TERM_OUT_OF_RANGE = "贷款年限须为1至{years}年"
TOO_OLD_AT_END = "贷款到期时您将年满{age}周岁,超过{limit}周岁;您最长可贷{years}年"
TOO_OLD_FOR_ANY_TERM = "贷款到期时年龄不能超过{limit}周岁,您已不能申请住房公积金贷款"


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


@dataclass(frozen=True)
class AccountFacts:
    """What the rules need to know of a member's fund account."""

    status: str
    status_label: str
    balance: Decimal
    bank_account_no: str = ""
    # 数据核对中: the core's figures and the portal's disagree (set by the
    # import); the balance the rules would check is the one in doubt.
    checking: bool = False


@dataclass(frozen=True)
class WithdrawalLimits:
    rent_yearly_limit: Decimal
    retirement_age: int


@dataclass(frozen=True)
class LoanLimits:
    max_amount: Decimal
    max_price_ratio: Decimal
    max_age_at_end: int
    min_deposit_months: int
    max_loans: int
    max_term_years: int


@dataclass(frozen=True)
class LoanTrial:
    """贷款试算: what the member would repay (the engine's own figures)."""

    method: str
    annual_rate: Decimal
    months: int
    first_payment: Decimal  # 月还款额 (等额本金: the first month's)
    last_payment: Decimal  # the last month's (等额本金 shows both)
    total_interest: Decimal
    total_repayment: Decimal


def birth_date(id_number: str) -> date:
    """The birth date written in an 18-digit resident ID number."""
    digits = birth_date_digits(id_number)
    return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))


def age_on(id_number: str, day: date) -> int:
    """Full years of age on `day` (a birthday on Feb 29 counts from Mar 1 in other years)."""
    born = birth_date(id_number)
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years


def account_refusal(account: AccountFacts | None) -> Refusal | None:
    """Only a 正常 account may withdraw or borrow; each other status says why."""
    if account is None:
        return Refusal("no_account", NO_ACCOUNT)
    if account.status == AccountStatus.NORMAL:
        return Refusal("account_checking", ACCOUNT_CHECKING) if account.checking else None
    if account.status == AccountStatus.SEALED:
        return Refusal("account_sealed", ACCOUNT_SEALED)
    if account.status == AccountStatus.FROZEN:
        return Refusal("account_frozen", ACCOUNT_FROZEN)
    if account.status in CLOSED_STATUSES:
        return Refusal("account_closed", ACCOUNT_CLOSED)
    return Refusal("account_not_normal", ACCOUNT_OTHER.format(label=account.status_label))


def _has_more_than_cents(amount: Decimal) -> bool:
    return amount != amount.quantize(Decimal("0.01"))


def withdrawal_refusal(
    *,
    kind: str,
    amount: Decimal,
    account: AccountFacts | None,
    id_number: str,
    today: date,
    rent_withdrawn_this_year: Decimal,
    active_loan_outstanding: Decimal | None,
    unsettled_loan_no: str | None,
    limits: WithdrawalLimits,
) -> Refusal | None:
    """The first rule a withdrawal of `amount` breaks, or None.

    `active_loan_outstanding` is the outstanding principal of the member's
    正常 loans (None when there is none); `unsettled_loan_no` the contract
    number of a loan not yet paid off (None when there is none);
    `rent_withdrawn_this_year` the year's rent withdrawals already booked.
    """
    refusal = account_refusal(account)
    if refusal:
        return refusal
    if not account.bank_account_no:
        return Refusal("no_bank_account", NO_BANK_ACCOUNT)
    if amount <= 0:
        return Refusal("amount_not_positive", AMOUNT_NOT_POSITIVE)
    if _has_more_than_cents(amount):
        return Refusal("amount_decimals", AMOUNT_DECIMALS)
    if amount > account.balance:
        return Refusal("over_balance", AMOUNT_OVER_BALANCE.format(balance=format_money(account.balance)))
    if kind == RENT:
        left = max(limits.rent_yearly_limit - rent_withdrawn_this_year, Decimal("0.00"))
        if amount > left:
            return Refusal(
                "rent_over_limit",
                RENT_OVER_LIMIT.format(
                    limit=format_money(limits.rent_yearly_limit),
                    done=format_money(rent_withdrawn_this_year),
                    left=format_money(left),
                ),
            )
    elif kind == LOAN_REPAYMENT:
        if active_loan_outstanding is None:
            return Refusal("no_active_loan", NO_ACTIVE_LOAN)
        if amount > active_loan_outstanding:
            return Refusal(
                "over_outstanding", OVER_OUTSTANDING.format(outstanding=format_money(active_loan_outstanding))
            )
    elif kind == RETIREMENT:
        age = age_on(id_number, today)
        if age < limits.retirement_age:
            return Refusal("too_young", TOO_YOUNG_TO_RETIRE.format(age=limits.retirement_age, current=age))
        if amount != account.balance:
            return Refusal("not_whole_balance", RETIREMENT_WHOLE_BALANCE.format(balance=format_money(account.balance)))
        # It closes the account (提取销户), and the center never closes an
        # account whose holder still owes a loan (or has one about to be paid out).
        if unsettled_loan_no:
            return Refusal("closing_with_loan", RETIREMENT_LOAN_UNSETTLED.format(contract_no=unsettled_loan_no))
    else:
        raise ValueError(f"unknown withdrawal kind {kind!r}")
    return None


def missing_deposit_period(paid_periods: set[str], today: date, months: int) -> str | None:
    """The latest of the `months` months before `today`'s month (YYYYMM) that
    no deposit paid for, or None when all were paid."""
    for back in range(1, months + 1):
        period = f"{amortization.add_months(today.replace(day=1), -back):%Y%m}"
        if period not in paid_periods:
            return period
    return None


def max_term_years(id_number: str, today: date, limits: LoanLimits) -> int:
    """The longest term (whole years) that ends before the member passes the age limit."""
    for years in range(limits.max_term_years, 0, -1):
        if age_on(id_number, amortization.add_months(today, 12 * years)) <= limits.max_age_at_end:
            return years
    return 0


def loan_member_refusal(
    *,
    account: AccountFacts | None,
    paid_periods: set[str],
    loans_ever: int,
    has_unsettled_loan: bool,
    today: date,
    limits: LoanLimits,
) -> Refusal | None:
    """The rules about the member alone (account, deposits, loans), whatever
    they ask for: the 贷款申请 page states the first one up front."""
    refusal = account_refusal(account)
    if refusal:
        return refusal
    missing = missing_deposit_period(paid_periods, today, limits.min_deposit_months)
    if missing:
        return Refusal(
            "deposits_missing", DEPOSITS_MISSING.format(months=limits.min_deposit_months, period=format_period(missing))
        )
    if has_unsettled_loan:
        return Refusal("loan_unsettled", LOAN_UNSETTLED)
    if loans_ever >= limits.max_loans:
        return Refusal("too_many_loans", TOO_MANY_LOANS.format(count=limits.max_loans))
    return None


def loan_refusal(
    *,
    amount: Decimal,
    term_years: int,
    property_price: Decimal,
    account: AccountFacts | None,
    id_number: str,
    paid_periods: set[str],
    loans_ever: int,
    has_unsettled_loan: bool,
    today: date,
    limits: LoanLimits,
) -> Refusal | None:
    """The first eligibility rule a loan application breaks, or None."""
    refusal = loan_member_refusal(
        account=account,
        paid_periods=paid_periods,
        loans_ever=loans_ever,
        has_unsettled_loan=has_unsettled_loan,
        today=today,
        limits=limits,
    )
    if refusal:
        return refusal
    if amount <= 0:
        return Refusal("amount_not_positive", LOAN_AMOUNT_NOT_POSITIVE)
    if _has_more_than_cents(amount):
        return Refusal("amount_decimals", AMOUNT_DECIMALS)
    if amount > limits.max_amount:
        return Refusal("over_max_amount", LOAN_OVER_MAX.format(limit=format_money(limits.max_amount)))
    price_limit = (property_price * limits.max_price_ratio).quantize(Decimal("0.01"))
    if amount > price_limit:
        ratio = f"{(limits.max_price_ratio * 100).normalize():f}%"
        return Refusal("over_price_ratio", LOAN_OVER_PRICE_RATIO.format(ratio=ratio, limit=format_money(price_limit)))
    if not 1 <= term_years <= limits.max_term_years:
        return Refusal("term_out_of_range", TERM_OUT_OF_RANGE.format(years=limits.max_term_years))
    end = amortization.add_months(today, 12 * term_years)
    if age_on(id_number, end) > limits.max_age_at_end:
        longest = max_term_years(id_number, today, limits)
        if not longest:
            return Refusal("too_old", TOO_OLD_FOR_ANY_TERM.format(limit=limits.max_age_at_end))
        return Refusal(
            "too_old_at_end",
            TOO_OLD_AT_END.format(age=age_on(id_number, end), limit=limits.max_age_at_end, years=longest),
        )
    return None


def first_home_rate(term_years: int, *, short_rate: Decimal, long_rate: Decimal, short_term_years: int) -> Decimal:
    """The first-home rate for a term: up to `short_term_years` the short rate, longer the long one."""
    return short_rate if term_years <= short_term_years else long_rate


def loan_trial(
    *, amount: Decimal, term_years: int, method: str, annual_rate: Decimal, first_due_date: date
) -> LoanTrial:
    """贷款试算 from the contract's own plan: the engine's schedule for the
    amount, term and method, so 月还款额 is the plan's first row."""
    months = 12 * term_years
    rows = amortization.schedule(method, amount, annual_rate, months, first_due_date)
    total_interest = sum((row.interest for row in rows), Decimal("0.00"))
    return LoanTrial(
        method=method,
        annual_rate=annual_rate,
        months=months,
        first_payment=rows[0].total,
        last_payment=rows[-1].total,
        total_interest=total_interest,
        total_repayment=amount + total_interest,
    )
