"""Deterministic demo records for `manage.py seed_demo` (pure: no Django).

Everything is drawn from one seeded random generator, so the same `as_of`
date always yields the same members, ledgers and loans. Figures follow the
center's rules: monthly deposits at the member's rates, interest settled on
June 30 at 1.5% a year on daily balances (积数), repayments that follow the
amortization schedule of the loan.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from stdnum.cn import ric

from inquiry import amortization
from zzgjj_portal.money import format_money, to_cents

SEED = 20260101
INTEREST_RATE = Decimal("0.015")
DEMO_ID_NUMBER = "370402199001011238"
DEMO_NAME = "王晓明"
DEMO_PHONE = "13863212345"
DEMO_PASSWORD = "Demo@2026"  # noqa: S105 - the published demo login (README)
UNREGISTERED_ID_NUMBER = "370403198805152345"
UNREGISTERED_NAME = "李静"
UNREGISTERED_PHONE = "13963245678"
PROGRESS_STEPS = ["申请受理", "审核", "审批", "签订合同", "抵押登记", "放款"]
AREA_CODES = ["370402", "370403", "370404", "370405", "370406", "370481"]
SURNAMES = "张王李刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "晓燕",
    "志强",
    "海燕",
    "文博",
    "欣怡",
    "子涵",
    "浩然",
]
EMPLOYERS = [
    ("2010000001", "枣庄鲁南机械制造有限公司"),
    ("2010000002", "枣庄市市中区教育和体育局"),
    ("2010000003", "滕州市第一人民医院"),
    ("2010000004", "枣庄矿业集团物业管理有限公司"),
    ("2010000005", "薛城区城市建设投资有限公司"),
    ("2010000006", "台儿庄古城文化旅游有限公司"),
    ("2010000007", "山亭区农业农村局"),
]
WITHDRAWAL_REASONS = ["购买自住住房", "偿还购房贷款本息", "租赁自住住房", "建造翻建大修自住住房"]


@dataclass
class EntrySpec:
    booked_on: date
    kind: str
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
    state: str
    handled_at: datetime | None


@dataclass
class LoanSpec:
    contract_no: str
    amount: Decimal
    term_months: int
    annual_rate: Decimal
    repayment_method: str
    applied_on: date
    disbursed_on: date | None
    status: str
    outstanding_principal: Decimal
    monthly_payment: Decimal | None
    steps: list[StepSpec] = field(default_factory=list)
    repayments: list[RepaymentSpec] = field(default_factory=list)
    remaining_months: int = 0
    next_due_on: date | None = None


@dataclass
class MessageSpec:
    business: str
    content: str
    channel: str
    sent_at: datetime
    read: bool


@dataclass
class MemberSpec:
    name: str
    id_number: str
    phone: str
    registered: bool
    account_no: str
    employer_account_no: str
    deposit_base: Decimal
    employer_rate: Decimal
    personal_rate: Decimal
    opened_on: date
    status: str
    entries: list[EntrySpec] = field(default_factory=list)
    loans: list[LoanSpec] = field(default_factory=list)
    messages: list[MessageSpec] = field(default_factory=list)

    @property
    def balance(self) -> Decimal:
        return self.entries[-1].balance_after if self.entries else Decimal("0.00")


def make_id_number(area: str, birth: date, sequence: int) -> str:
    body = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_between(start: date, end: date) -> list[date]:
    """First days of every month from start's month to end's month inclusive."""
    months, current = [], month_start(start)
    while current <= end:
        months.append(current)
        current = amortization.add_months(current, 1, 1)
    return months


def monthly_deposit(base: Decimal, employer_rate: Decimal, personal_rate: Decimal) -> Decimal:
    return to_cents(base * employer_rate) + to_cents(base * personal_rate)


def base_for(month: date, base_now: Decimal, as_of: date) -> Decimal:
    """The deposit base in force in `month`: it is adjusted every July, about 5% a year."""
    adjust_year = month.year if month.month >= 7 else month.year - 1
    current_year = as_of.year if as_of.month >= 7 else as_of.year - 1
    years_back = current_year - adjust_year
    return (base_now * Decimal("0.95") ** years_back).quantize(Decimal("1"))


def post_ledger(entries: list[EntrySpec]) -> list[EntrySpec]:
    """Sort by date and insert June 30 interest settlements on daily balances,
    filling in each entry's running balance."""
    entries = sorted(entries, key=lambda e: (e.booked_on, e.kind != "interest"))
    if not entries:
        return []
    posted: list[EntrySpec] = []
    balance = Decimal("0.00")
    product = Decimal("0")  # 积数: sum of day-end balances since the last settlement
    last_day = entries[0].booked_on
    final_day = entries[-1].booked_on

    def settle_until(day: date) -> None:
        nonlocal balance, product, last_day
        while True:
            june30 = date(last_day.year if last_day <= date(last_day.year, 6, 30) else last_day.year + 1, 6, 30)
            if june30 >= day:
                return
            product += balance * ((june30 - last_day).days + 1)
            interest = to_cents(product * INTEREST_RATE / 360)
            if interest > 0:
                balance += interest
                posted.append(
                    EntrySpec(june30, "interest", interest, summary=f"{june30.year}年度结息", balance_after=balance)
                )
            product = Decimal("0")
            last_day = june30 + timedelta(days=1)

    for entry in entries:
        settle_until(entry.booked_on)
        product += balance * (entry.booked_on - last_day).days
        last_day = entry.booked_on
        balance += entry.amount
        entry.balance_after = balance
        posted.append(entry)
    settle_until(final_day)
    return posted


def build_ledger(
    rng: random.Random,
    spec: MemberSpec,
    as_of: date,
    stop_on: date,
    withdraws: bool,
    back_pays: bool,
    transfer_in: bool,
) -> list[EntrySpec]:
    entries: list[EntrySpec] = []
    if transfer_in:
        amount = to_cents(Decimal(rng.randrange(5000, 30000)))
        entries.append(EntrySpec(spec.opened_on, "transfer_in", amount, summary="异地转入"))
    months = months_between(spec.opened_on, min(as_of, stop_on))
    skipped: set[int] = set()
    if back_pays and len(months) > 6:
        skipped = {rng.randrange(1, len(months) - 3)}
    for index, month in enumerate(months):
        base = base_for(month, spec.deposit_base, as_of)
        amount = monthly_deposit(base, spec.employer_rate, spec.personal_rate)
        booked = month.replace(day=15)
        if booked > as_of or booked < spec.opened_on:
            continue
        if index in skipped:
            later = amortization.add_months(month, 2, 20)
            if later <= as_of:
                entries.append(EntrySpec(later, "back_payment", amount, period=f"{month:%Y%m}", summary="单位补缴"))
            continue
        entries.append(EntrySpec(booked, "deposit", amount, period=f"{month:%Y%m}", summary="单位汇缴"))
    entries = post_ledger(entries)
    if withdraws and len(months) > 36:
        # One withdrawal a few years in, of a round part of the balance then.
        pick = entries[rng.randrange(len(entries) // 3, len(entries) - 6)]
        day = pick.booked_on + timedelta(days=10)
        balance_then = sum((e.amount for e in entries if e.booked_on <= day), Decimal("0"))
        amount = (balance_then * Decimal(rng.randrange(30, 80)) / 100).quantize(Decimal("100"))
        if amount > 0:
            reason = rng.choice(WITHDRAWAL_REASONS)
            entries = [e for e in entries if e.kind != "interest"]
            entries.append(EntrySpec(day, "withdrawal", -amount, summary=f"{reason}提取", withdrawal_reason=reason))
            entries = post_ledger(entries)
    return entries


def build_loan(
    rng: random.Random,
    *,
    contract_no: str,
    applied_on: date,
    status: str,
    method: str,
    amount: Decimal,
    term: int,
    as_of: date,
) -> LoanSpec:
    rate = Decimal("0.0325") if applied_on < date(2024, 5, 18) else Decimal("0.0285")
    if term <= 60:
        rate = Decimal("0.0275") if applied_on < date(2024, 5, 18) else Decimal("0.0235")
    if status == "not_disbursed":
        done = rng.randrange(1, len(PROGRESS_STEPS) - 1)
        steps = []
        for order, name in enumerate(PROGRESS_STEPS, start=1):
            if order <= done:
                steps.append(
                    StepSpec(order, name, "done", _at(applied_on + timedelta(days=3 * (order - 1)), 9 + order))
                )
            else:
                steps.append(StepSpec(order, name, "current" if order == done + 1 else "pending", None))
        return LoanSpec(contract_no, amount, term, rate, method, applied_on, None, status, Decimal("0.00"), None, steps)

    disbursed_on = applied_on + timedelta(days=30)
    steps = [
        StepSpec(order, name, "done", _at(applied_on + timedelta(days=6 * (order - 1)), 9 + order))
        for order, name in enumerate(PROGRESS_STEPS, start=1)
    ]
    steps[-1].handled_at = _at(disbursed_on, 15)
    first_due = amortization.add_months(disbursed_on, 1)
    plan = amortization.schedule(method, amount, rate, term, first_due)
    repayments: list[RepaymentSpec] = []
    outstanding, principal_sum, interest_sum = amount, Decimal("0.00"), Decimal("0.00")
    paid_rows = [row for row in plan if row.due_date <= as_of]
    payoff_at = None
    if status == "settled":
        # Settled early: some regular payments, then the rest paid off at once.
        payoff_at = min(len(paid_rows) - 1, rng.randrange(24, max(25, len(paid_rows) - 12)))
        paid_rows = paid_rows[:payoff_at]
    for row in paid_rows:
        outstanding -= row.principal
        principal_sum += row.principal
        interest_sum += row.interest
        repayments.append(
            RepaymentSpec(row.due_date, row.principal, row.interest, principal_sum, interest_sum, outstanding)
        )
    monthly_payment = plan[0].total
    if status == "settled":
        day = plan[payoff_at].due_date
        interest = to_cents(outstanding * rate / 12)
        principal_sum += outstanding
        interest_sum += interest
        repayments.append(RepaymentSpec(day, outstanding, interest, principal_sum, interest_sum, Decimal("0.00")))
        outstanding = Decimal("0.00")
    elif method == "equal_principal" and len(paid_rows) < len(plan):
        # 等额本金 payments shrink: show the one due next.
        monthly_payment = plan[len(paid_rows)].total
    remaining_months, next_due_on = 0, None
    if status != "settled" and len(paid_rows) < len(plan):
        remaining_months, next_due_on = len(plan) - len(paid_rows), plan[len(paid_rows)].due_date
    return LoanSpec(
        contract_no,
        amount,
        term,
        rate,
        method,
        applied_on,
        disbursed_on,
        status,
        outstanding,
        monthly_payment,
        steps,
        repayments,
        remaining_months,
        next_due_on,
    )


def _at(day: date, hour: int) -> datetime:
    """A naive local time; the command makes it aware in Asia/Shanghai."""
    return datetime.combine(day, time(hour % 24, 30))


def _random_birth(rng: random.Random) -> date:
    return date(1965, 1, 1) + timedelta(days=rng.randrange(0, 365 * 35))


def build_members(as_of: date, count: int = 60) -> list[MemberSpec]:
    """The whole demo set: the demo member, the unregistered demo member, then
    `count - 2` generated members covering every case the portal shows."""
    rng = random.Random(SEED)
    members: list[MemberSpec] = []
    used_phones = {DEMO_PHONE, UNREGISTERED_PHONE}
    loan_seq = 0

    def next_contract(year: int) -> str:
        nonlocal loan_seq
        loan_seq += 1
        return f"ZZ{year}{loan_seq:06d}"

    def phone() -> str:
        while True:
            number = (
                rng.choice(["138", "139", "150", "152", "158", "186", "188", "135"]) + f"{rng.randrange(0, 10**8):08d}"
            )
            if number not in used_phones:
                used_phones.add(number)
                return number

    # The demo member: 14 years of deposits, one active and one settled loan.
    demo = MemberSpec(
        DEMO_NAME,
        DEMO_ID_NUMBER,
        DEMO_PHONE,
        True,
        "101000000001",
        EMPLOYERS[0][0],
        Decimal("6800"),
        Decimal("0.12"),
        Decimal("0.12"),
        date(as_of.year - 14, 3, 1),
        "01",
    )
    demo.entries = build_ledger(rng, demo, as_of, as_of, withdraws=True, back_pays=True, transfer_in=False)
    demo.loans = [
        build_loan(
            rng,
            contract_no=next_contract(as_of.year - 12),
            applied_on=date(as_of.year - 12, 5, 10),
            status="settled",
            method="equal_principal",
            amount=Decimal("150000.00"),
            term=120,
            as_of=as_of,
        ),
        build_loan(
            rng,
            contract_no=next_contract(as_of.year - 6),
            applied_on=date(as_of.year - 6, 7, 21),
            status="active",
            method="equal_installment",
            amount=Decimal("300000.00"),
            term=240,
            as_of=as_of,
        ),
    ]
    demo.messages = _demo_messages(demo, as_of)
    members.append(demo)

    unregistered = MemberSpec(
        UNREGISTERED_NAME,
        UNREGISTERED_ID_NUMBER,
        UNREGISTERED_PHONE,
        False,
        "101000000002",
        EMPLOYERS[1][0],
        Decimal("5200"),
        Decimal("0.10"),
        Decimal("0.10"),
        date(as_of.year - 5, 9, 1),
        "01",
    )
    unregistered.entries = build_ledger(
        rng, unregistered, as_of, as_of, withdraws=False, back_pays=False, transfer_in=True
    )
    members.append(unregistered)

    used_ids = {DEMO_ID_NUMBER, UNREGISTERED_ID_NUMBER}
    for index in range(count - 2):
        birth = _random_birth(rng)
        while True:
            id_number = make_id_number(rng.choice(AREA_CODES), birth, rng.randrange(1, 999))
            if id_number not in used_ids:
                used_ids.add(id_number)
                break
        years = rng.randrange(1, 21)
        opened_on = date(as_of.year - years, rng.randrange(1, 13), 1)
        if opened_on > as_of:
            opened_on = date(as_of.year - 1, 1, 1)
        rate = Decimal(rng.choice(["0.05", "0.08", "0.10", "0.12"]))
        spec = MemberSpec(
            rng.choice(SURNAMES) + rng.choice(GIVEN),
            id_number,
            "" if index % 9 == 4 else phone(),  # some members never left a phone
            index % 5 != 3,  # some not yet registered online
            f"1010{index + 3:08d}",
            EMPLOYERS[index % len(EMPLOYERS)][0],
            Decimal(rng.randrange(2200, 12000, 100)),
            rate,
            rate,
            opened_on,
            "01",
        )
        stop_on = as_of
        if index == 7:
            spec.status = "05"  # 提取销户: deposits stopped, everything withdrawn
            stop_on = amortization.add_months(as_of, -8, 1)
        elif index % 13 == 6:
            spec.status = "02"  # 封存: left the employer, deposits stopped
            stop_on = amortization.add_months(as_of, -14, 1)
        elif index == 11:
            spec.status = "06"
        spec.entries = build_ledger(
            rng, spec, as_of, stop_on, withdraws=index % 4 == 1, back_pays=index % 6 == 2, transfer_in=index % 10 == 5
        )
        if spec.status == "05" and spec.entries:
            day = min(as_of, amortization.add_months(stop_on, 2, 10))
            spec.entries.append(
                EntrySpec(day, "withdrawal", -spec.balance, summary="销户提取", withdrawal_reason="离职销户")
            )
            spec.entries = post_ledger([e for e in spec.entries if e.kind != "interest"])
            # Settlements after the closing withdrawal would be on a zero balance.
            spec.entries = [e for e in spec.entries if not (e.kind == "interest" and e.booked_on > day)]
        if spec.status not in ("05",) and years >= 3:
            loan_case = index % 5
            if loan_case in (0, 2):
                year = as_of.year - rng.randrange(1, min(years, 12) + 1)
                spec.loans.append(
                    build_loan(
                        rng,
                        contract_no=next_contract(year),
                        applied_on=date(year, rng.randrange(1, 13), rng.randrange(1, 29)),
                        status="active",
                        method=rng.choice(["equal_installment", "equal_principal"]),
                        amount=Decimal(rng.randrange(10, 60)) * 10000,
                        term=rng.choice([60, 120, 180, 240, 300, 360]),
                        as_of=as_of,
                    )
                )
            if loan_case == 2 and years >= 10:
                year = as_of.year - years + 2
                spec.loans.insert(
                    0,
                    build_loan(
                        rng,
                        contract_no=next_contract(year),
                        applied_on=date(year, 4, 12),
                        status="settled",
                        method="equal_installment",
                        amount=Decimal("120000.00"),
                        term=120,
                        as_of=as_of,
                    ),
                )
            if loan_case == 4:
                applied = as_of - timedelta(days=rng.randrange(10, 50))
                spec.loans.append(
                    build_loan(
                        rng,
                        contract_no=next_contract(applied.year),
                        applied_on=applied,
                        status="not_disbursed",
                        method="equal_installment",
                        amount=Decimal("400000.00"),
                        term=360,
                        as_of=as_of,
                    )
                )
        members.append(spec)
    return members


def _demo_messages(member: MemberSpec, as_of: date) -> list[MessageSpec]:
    active = member.loans[1]
    last_deposit = next(e for e in reversed(member.entries) if e.kind in ("deposit", "back_payment"))
    settled_year = as_of.year if as_of.month >= 7 else as_of.year - 1
    return [
        MessageSpec(
            "汇缴到账",
            f"您{last_deposit.period}月的住房公积金{format_money(last_deposit.amount)}元已汇缴到账。",
            "sms",
            _at(last_deposit.booked_on, 16),
            False,
        ),
        MessageSpec(
            "年度结息",
            f"您的住房公积金账户{settled_year}年度结息已完成,请登录网上服务大厅查询。",
            "portal",
            _at(date(settled_year, 7, 1), 9),
            False,
        ),
        MessageSpec(
            "贷款发放",
            f"您的借款合同【{active.contract_no}】贷款{format_money(active.amount)}元已于{active.disbursed_on:%Y-%m-%d}发放。",
            "counter",
            _at(active.disbursed_on, 15),
            True,
        ),
        MessageSpec(
            "贷款结清",
            f"您的借款合同【{member.loans[0].contract_no}】贷款已结清,请到服务大厅办理抵押注销。",
            "counter",
            _at(member.loans[0].repayments[-1].repaid_on, 11),
            True,
        ),
    ]
