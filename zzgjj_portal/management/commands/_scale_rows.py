"""Row generators behind `manage.py seed_scale` (no database access).

Everything for member number `i` comes from `random.Random(SEED + i)`, so a
chunk regenerated after an interruption is the same chunk. The ledger runs on
integer cents: 20 million Decimal additions would take most of the time budget,
and integer cents with an explicit half-up division give exactly what
`to_cents` would. Deposits themselves are computed with `to_cents` per year.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from inquiry import amortization
from inquiry.demo import interchange as codes
from inquiry.demo.ledger import CLOSING_WITHDRAWAL, WITHDRAWALS
from inquiry.interchange import schema
from inquiry.models import AccountStatus, LedgerEntry, LoanContract, LoanProgressName, LoanProgressStep, RepaymentMethod
from tasks.models import Message
from zzgjj_portal.identity import id_number_check_digit
from zzgjj_portal.money import to_cents
from zzgjj_portal.periods import format_period

SEED = 20261128
# Published for the scale data set only (README, bench): never a real login.
SCALE_PASSWORD = "Scale@2026"  # noqa: S105
INTEREST_PER_MILLE = 15  # 1.5% a year on the 积数, divided by 360 days
AREA_CODES = ["370402", "370403", "370404", "370405", "370406", "370481"]
SURNAMES = "张王李刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚"
PROGRESS_STEPS = list(LoanProgressName)
MESSAGE_TEXTS = [
    ("汇缴到账", "您的住房公积金{month}汇缴已到账。"),
    ("年度结息", "您的住房公积金账户已完成年度结息。"),
    ("贷款还款提醒", "您的住房公积金贷款本月应还款,请保证还款账户余额充足。"),
    ("提取到账", "您申请的住房公积金提取已转入您的银行账户。"),
]
# Every LONG_EVERY-th member is the benchmark's heavy case: 30 years of
# deposits, registered online, an active 30-year loan.
LONG_EVERY = 50

CHANNELS = [channel.value for channel in Message.Channel]
Kind = LedgerEntry.Kind
# 归集和提取业务类型 of each kind the scale set books (the demo's codes).
CODE_DEPOSIT = codes.LEDGER_CODES[Kind.MONTHLY_DEPOSIT]
CODE_BACK = codes.LEDGER_CODES[Kind.BACK_PAYMENT]
CODE_WITHDRAWAL = codes.LEDGER_CODES[Kind.WITHDRAWAL]
CODE_CLOSING = codes.CLOSING_WITHDRAWAL_CODE
CODE_INTEREST = codes.LEDGER_CODES[Kind.INTEREST]
CODE_TRANSFER_IN = codes.LEDGER_CODES[Kind.TRANSFER_IN]
# The tables a member's lines go to, in the order they are applied.
TABLES = ("GRXX", "GRZHXX", "GRMX", "DKHT", "DKZHXX", "DKMX", "DKJD")


def line(table: schema.Table, **values) -> str:
    """One CSV line of `table`, the columns in the schema's order, those not
    given empty. Values are ours: no comma, quote or line break to escape."""
    return ",".join(str(values.get(name, "")) for name in table.column_names)


def ledger_line(grzh: str, day: str, code: str, fse: str, serial: str, period: str, summary: str, reason: str) -> str:
    """A GRMX line, written out by hand (22 million of them): test_seed_scale
    checks it against line()."""
    tqfs = codes.TRANSFER_PAYMENT if reason else ""
    return f"{grzh},{day},{code},{fse},,,,{reason},{tqfs},{serial},,{period},{summary}"


def money(cents: int) -> str:
    """Integer cents as the text PostgreSQL and SQLite read as numeric."""
    if cents < 0:
        return "-" + money(-cents)
    return f"{cents // 100}.{cents % 100:02d}"


def half_up_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, for non-negative integers."""
    return (2 * numerator + denominator) // (2 * denominator)


def id_number(i: int) -> str:
    """A valid, unique 18-digit ID number for member `i` (sequence 900-999
    keeps clear of the demo set's generated numbers)."""
    birth = date(1962, 1, 1) + timedelta(days=i % 13000)
    body = f"{AREA_CODES[i % len(AREA_CODES)]}{birth:%Y%m%d}{900 + (i // 13000) % 100:03d}"
    return body + id_number_check_digit(body)


def phone(i: int) -> str:
    return f"19{i:09d}"


def account_no(i: int) -> str:
    return f"8800{i:08d}"


def employer_account_no(k: int) -> str:
    return f"88{k:08d}"


@dataclass
class _Month:
    """Dates of one calendar month, cached: the same months recur for every member."""

    period: str
    day15: str
    day20: str
    day25: str
    ord15: int
    ord20: int
    ord25: int
    june30: str | None
    ord_june30: int | None


_MONTHS: dict[int, _Month] = {}


def _month(index: int) -> _Month:
    cached = _MONTHS.get(index)
    if cached is None:
        year, month = divmod(index, 12)
        month += 1
        d15, d20, d25 = date(year, month, 15), date(year, month, 20), date(year, month, 25)
        june30 = date(year, 6, 30) if month == 6 else None
        cached = _MONTHS[index] = _Month(
            f"{year}{month:02d}",
            d15.isoformat(),
            d20.isoformat(),
            d25.isoformat(),
            d15.toordinal(),
            d20.toordinal(),
            d25.toordinal(),
            june30.isoformat() if june30 else None,
            june30.toordinal() if june30 else None,
        )
    return cached


@dataclass
class MemberRows:
    i: int
    name: str
    id_number: str
    phone: str
    account_no: str
    employer: int
    deposit_base: Decimal
    rate: Decimal
    opened_on: date
    status: str
    balance_cents: int = 0
    paid_through: str = ""  # 缴至年月: the last month deposited for
    closed_on: str = ""  # 销户日期 (YYYY-MM-DD) of a closed account
    # GRMX lines (interchange text, see ledger_line)
    ledger: list[str] = field(default_factory=list)
    loans: list[dict] = field(default_factory=list)
    registered: bool = False
    messages: list[tuple] = field(default_factory=list)

    def lines(self) -> dict[str, list[str]]:
        """The member's interchange lines, by table (TABLES)."""
        out = {name: [] for name in TABLES}
        out["GRXX"].append(
            line(
                schema.PEOPLE,
                GRZH=self.account_no,
                XINGMING=self.name,
                XINGBIE=codes.sex_code(self.id_number),
                ZJLX=codes.ID_CARD,
                ZJHM=self.id_number,
                CSNY=self.id_number[6:12],
                SJHM=self.phone,
            )
        )
        personal = to_cents(self.deposit_base * self.rate)
        closing_reason = CLOSING_WITHDRAWAL[0].value if self.closed_on else ""
        out["GRZHXX"].append(
            line(
                schema.ACCOUNTS,
                GRZH=self.account_no,
                DWZH=employer_account_no(self.employer),
                GRZHZT=self.status,
                KHRQ=self.opened_on.isoformat(),
                GRJCJS=self.deposit_base,
                DWJCBL=self.rate,
                GRJCBL=self.rate,
                GRYJCE=personal,
                DWYJCE=personal,
                GRZHYE=money(self.balance_cents),
                JZNY=self.paid_through,
                GRCKZHHM=codes.bank_account_no(self.account_no),
                XHRQ=self.closed_on,
                XHYY=closing_reason,
            )
        )
        out["GRMX"] = self.ledger
        for loan in self.loans:
            _loan_lines(self, loan, out)
        return out


def build_member(i: int, as_of: date, employers: int) -> MemberRows:
    rng = random.Random(SEED + i)
    long = i % LONG_EVERY == 0
    end_index = as_of.year * 12 + as_of.month - 1
    if as_of.day < 15:
        end_index -= 1
    tenure = 360 if long else rng.randrange(60, 360)
    start_index = end_index - tenure + 1
    opened_on = date(start_index // 12, start_index % 12 + 1, 1)
    roll = rng.random()
    if long or roll < 0.80:
        status, stop_index = AccountStatus.NORMAL.value, end_index
    elif roll < 0.92:
        status, stop_index = AccountStatus.SEALED.value, end_index - rng.randrange(6, min(96, tenure - 12))
    elif roll < 0.94:
        status, stop_index = AccountStatus.FROZEN.value, end_index
    else:
        status, stop_index = AccountStatus.CLOSED_WITHDRAWN.value, end_index - rng.randrange(3, min(60, tenure - 12))
    rate = rng.choice([Decimal("0.05"), Decimal("0.08"), Decimal("0.10"), Decimal("0.12")])
    base_now = Decimal(rng.randrange(2500, 18000))
    spec = MemberRows(
        i=i,
        name=rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else ""),
        id_number=id_number(i),
        phone=phone(i),
        account_no=account_no(i),
        employer=rng.randrange(employers),
        deposit_base=base_now,
        rate=rate,
        opened_on=opened_on,
        status=status,
        registered=long or rng.random() < 0.3,
    )
    _build_ledger(spec, rng, start_index, stop_index, end_index, as_of.year)
    if long or rng.random() < 0.18:
        _build_loan(spec, rng, as_of, long)
    if spec.registered:
        _build_messages(spec, rng, as_of)
    return spec


def _build_ledger(spec: MemberRows, rng: random.Random, start: int, stop: int, end: int, year_now: int) -> None:
    rows = spec.ledger
    grzh = spec.account_no
    balance = product = 0  # cents; 积数 in cent-days since the last settlement
    last_ord = _month(start).ord15
    deposit_by_year: dict[int, int] = {}

    def post(day_ord: int, day: str, code: str, amount: int, period: str = "", summary: str = "", reason: str = ""):
        nonlocal balance, product, last_ord
        product += balance * (day_ord - last_ord)
        last_ord = day_ord
        balance += amount
        serial = codes.ledger_serial_no(grzh, len(rows) + 1)
        rows.append(ledger_line(grzh, day, code, money(abs(amount)), serial, period, summary, reason))

    if rng.random() < 0.1:
        m = _month(start)
        day_ord = m.ord15 - 5
        post(
            day_ord,
            date.fromordinal(day_ord).isoformat(),
            CODE_TRANSFER_IN,
            rng.randrange(5000, 30000) * 100,
            "",
            "异地转入",
        )
    skipped = rng.randrange(start + 1, stop - 3) if stop - start > 8 and rng.random() < 0.1 else None
    withdraw_at = (
        rng.randrange(start + (stop - start) // 3, stop - 4) if stop - start > 40 and rng.random() < 0.3 else None
    )
    for index in range(start, stop + 1):
        m = _month(index)
        year = index // 12
        deposit = deposit_by_year.get(year)
        if deposit is None:
            # The wage base grows about 4% a year towards today's.
            base = max(Decimal(1500), spec.deposit_base * (1 - Decimal("0.04") * (year_now - year))).quantize(1)
            deposit = deposit_by_year[year] = int(to_cents(base * spec.rate) * 200)
        if index != skipped:
            post(m.ord15, m.day15, CODE_DEPOSIT, deposit, m.period, "单位汇缴")
            spec.paid_through = max(spec.paid_through, m.period)
        if skipped is not None and index == skipped + 2:
            post(m.ord20, m.day20, CODE_BACK, deposit, _month(skipped).period, "单位补缴")
        if index == withdraw_at:
            amount = balance * rng.randrange(30, 80) // 100 // 10000 * 10000
            if amount > 0:
                reason, summary = rng.choice(WITHDRAWALS)
                post(m.ord25, m.day25, CODE_WITHDRAWAL, -amount, "", summary, reason.value)
        if index == stop and spec.status == AccountStatus.CLOSED_WITHDRAWN:
            spec.closed_on = m.day25
            if balance > 0:
                reason, summary = CLOSING_WITHDRAWAL
                post(m.ord25, m.day25, CODE_CLOSING, -balance, "", summary, reason.value)
        if m.june30 is not None and index < end and balance > 0:
            product += balance * (m.ord_june30 - last_ord + 1)
            interest = half_up_div(product * INTEREST_PER_MILLE, 1000 * 360)
            product, last_ord = 0, m.ord_june30 + 1
            if interest > 0:
                balance += interest
                serial = codes.ledger_serial_no(grzh, len(rows) + 1)
                summary = f"{year}年度结息"
                rows.append(ledger_line(grzh, m.june30, CODE_INTEREST, money(interest), serial, "", summary, ""))
    spec.balance_cents = balance


def _at(day: date, hour: int) -> str:
    """A local (Asia/Shanghai) wall time as the UTC text both databases store."""
    return (datetime.combine(day, datetime.min.time()) + timedelta(hours=hour - 8, minutes=30)).strftime(
        "%Y-%m-%d %H:%M:%S"
    )


def _build_loan(spec: MemberRows, rng: random.Random, as_of: date, long: bool) -> None:
    Status = LoanContract.Status
    if long:
        status = Status.ACTIVE
    else:
        status = rng.choices(
            [Status.ACTIVE, Status.SETTLED, Status.OVERDUE, Status.NOT_DISBURSED], weights=[60, 25, 8, 7]
        )[0]
    term = 360 if long else rng.choice([60, 120, 180, 240, 300, 360])
    method = RepaymentMethod.EQUAL_INSTALLMENT if long or rng.random() < 0.7 else RepaymentMethod.EQUAL_PRINCIPAL
    amount = Decimal(rng.randrange(10, 61) * 10000)
    if status == Status.NOT_DISBURSED:
        applied_on = as_of - timedelta(days=rng.randrange(5, 60))
    else:
        earliest = max(spec.opened_on + timedelta(days=365), as_of - timedelta(days=min(term, 200) * 30))
        if status == Status.SETTLED:
            earliest = min(earliest, as_of - timedelta(days=40 * 30))
        span = max((as_of - timedelta(days=90) - earliest).days, 1)
        applied_on = earliest + timedelta(days=rng.randrange(span))
    rate = Decimal("0.0325") if applied_on < date(2024, 5, 18) else Decimal("0.0285")
    if term <= 60:
        rate = Decimal("0.0275") if applied_on < date(2024, 5, 18) else Decimal("0.0235")
    loan = {
        "contract_no": f"ZZS{spec.i:09d}",
        "amount": amount,
        "term_months": term,
        "annual_rate": rate,
        "repayment_method": method.value,
        "applied_on": applied_on,
        "disbursed_on": None,
        "status": status.value,
        "outstanding_principal": Decimal("0.00"),
        "monthly_payment": None,
        "remaining_months": 0,
        "next_due_on": None,
        "steps": [],
        "repayments": [],
        "payoff": False,
    }
    steps = loan["steps"]
    # (order, name, state, 办理日期): the core's progress rows carry the day.
    if status == Status.NOT_DISBURSED:
        done = rng.randrange(1, len(PROGRESS_STEPS) - 1)
        for order, name in enumerate(PROGRESS_STEPS, start=1):
            if order <= done:
                state, day = LoanProgressStep.State.DONE, applied_on + timedelta(days=3 * (order - 1))
            else:
                state = LoanProgressStep.State.CURRENT if order == done + 1 else LoanProgressStep.State.PENDING
                day = None
            steps.append((order, name, state.value, day))
        spec.loans.append(loan)
        return
    disbursed_on = applied_on + timedelta(days=30)
    for order, name in enumerate(PROGRESS_STEPS, start=1):
        day = disbursed_on if order == len(PROGRESS_STEPS) else applied_on + timedelta(days=5 * (order - 1))
        steps.append((order, name, LoanProgressStep.State.DONE.value, day))
    plan = amortization.schedule(method, amount, rate, term, amortization.add_months(disbursed_on, 1))
    paid = [row for row in plan if row.due_date <= as_of]
    if status == Status.OVERDUE:
        paid = paid[: max(len(paid) - rng.randrange(1, 4), 0)]
    payoff = None
    if status == Status.SETTLED:
        payoff = min(len(paid) - 1, rng.randrange(24, max(25, len(paid) - 6)))
        paid = paid[:payoff]
    outstanding, principal_sum, interest_sum = amount, Decimal("0.00"), Decimal("0.00")
    repayments = loan["repayments"]
    for row in paid:
        outstanding -= row.principal
        principal_sum += row.principal
        interest_sum += row.interest
        repayments.append((row.due_date, row.principal, row.interest, principal_sum, interest_sum, outstanding))
    monthly_payment = plan[0].total
    if payoff is not None:
        # Settled early: the rest of the principal and a month's interest at once.
        interest = to_cents(outstanding * rate / 12)
        principal_sum += outstanding
        interest_sum += interest
        repayments.append((plan[payoff].due_date, outstanding, interest, principal_sum, interest_sum, Decimal("0.00")))
        outstanding = Decimal("0.00")
        loan["payoff"] = True
    elif method == RepaymentMethod.EQUAL_PRINCIPAL and len(paid) < len(plan):
        monthly_payment = plan[len(paid)].total
    loan.update(disbursed_on=disbursed_on, outstanding_principal=outstanding, monthly_payment=monthly_payment)
    if payoff is None and len(paid) < len(plan):
        loan.update(remaining_months=len(plan) - len(paid), next_due_on=plan[len(paid)].due_date)
    spec.loans.append(loan)


def _text(value) -> str:
    return "" if value is None else value.isoformat() if isinstance(value, date) else str(value)


def _loan_lines(spec: MemberRows, loan: dict, out: dict[str, list[str]]) -> None:
    """DKHT, DKJD and, once disbursed, DKZHXX and DKMX lines of one loan (as
    inquiry.demo.interchange makes them for the demo)."""
    contract_no = loan["contract_no"]
    out["DKHT"].append(
        line(
            schema.CONTRACTS,
            JKHTBH=contract_no,
            JKRGJJZH=spec.account_no,
            JKRXM=spec.name,
            JKRZJLX=codes.ID_CARD,
            JKRZJH=spec.id_number,
            HTDKJE=loan["amount"],
            DKQS=loan["term_months"],
            DKHKFS=codes.REPAYMENT_METHOD_CODES[loan["repayment_method"]],
            JKHTLL=loan["annual_rate"],
            DKDBLX=codes.MORTGAGE,
            JKHTQDRQ=loan["applied_on"].isoformat(),
        )
    )
    for order, name, state, day in loan["steps"]:
        out["DKJD"].append(
            line(
                schema.PROGRESS,
                JKHTBH=contract_no,
                JDXH=order,
                JDMC=name,
                JDZT=codes.PROGRESS_STATE_CODES[state],
                BLRQ=_text(day),
            )
        )
    if loan["status"] == LoanContract.Status.NOT_DISBURSED:
        return
    dkzh = codes.loan_account_no(contract_no)
    repayments = loan["repayments"]
    last = repayments[-1] if repayments else None
    out["DKZHXX"].append(
        line(
            schema.LOAN_ACCOUNTS,
            DKZH=dkzh,
            JKHTBH=contract_no,
            DKFFE=loan["amount"],
            DKFFRQ=loan["disbursed_on"].isoformat(),
            DKYE=loan["outstanding_principal"],
            DKLL=loan["annual_rate"],
            DKQS=loan["term_months"],
            DQJHHKJE=_text(loan["monthly_payment"]),
            DKJQRQ=last[0].isoformat() if loan["payoff"] else "",
            HSBJZE=last[3] if last else "0.00",
            HSLXZE=last[4] if last else "0.00",
            DKZT=codes.LOAN_STATUS_CODES[loan["status"]],
            SYQS=loan["remaining_months"],
            XQYHRQ=_text(loan["next_due_on"]),
        )
    )
    for period_no, (day, principal, interest, *_) in enumerate(repayments, start=1):
        early = loan["payoff"] and period_no == len(repayments)
        out["DKMX"].append(
            line(
                schema.LOAN_POSTINGS,
                DKZH=dkzh,
                YWLSH=codes.repayment_serial_no(contract_no, period_no),
                DKYWMXLX=codes.EARLY_REPAYMENT if early else codes.REGULAR_REPAYMENT,
                YWFSRQ=day.isoformat(),
                FSE=principal + interest,
                BJJE=principal,
                LXJE=interest,
                DQQC=period_no,
                JZRQ=day.isoformat(),
            )
        )


def _build_messages(spec: MemberRows, rng: random.Random, as_of: date) -> None:
    for _ in range(rng.randrange(1, 5)):
        business, text = rng.choice(MESSAGE_TEXTS)
        day = as_of - timedelta(days=rng.randrange(0, 700))
        sent = _at(day, rng.randrange(8, 18))
        read = _at(day + timedelta(days=1), 10) if rng.random() < 0.6 else None
        channel = rng.choice(CHANNELS)
        spec.messages.append((business, text.format(month=format_period(f"{day:%Y%m}")), channel, sent, read))
