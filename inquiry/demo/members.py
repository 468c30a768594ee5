"""The demo members: the two named ones the README publishes, then one
generated member per row of the case table (cases.py).

Everything is drawn from one seeded random generator, in a fixed order, so the
same `as_of` date always yields the same members, ledgers and loans.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from inquiry import amortization
from inquiry.demo.cases import CASES, STOPPED_MONTHS_AGO, Case, Loans
from inquiry.demo.ledger import build_ledger, close_account
from inquiry.demo.loans import build_loan, has_periods_left
from inquiry.demo.specs import MemberSpec
from inquiry.models import AccountStatus, LoanStatus, RepaymentMethod
from zzgjj_portal.identity import id_number_check_digit

SEED = 20260101
DEMO_ID_NUMBER = "370402199001011238"
DEMO_NAME = "王晓明"
DEMO_PHONE = "13863212345"
UNREGISTERED_ID_NUMBER = "370403198805152345"
UNREGISTERED_NAME = "李静"
UNREGISTERED_PHONE = "13963245678"
AREA_CODES = ["370402", "370403", "370404", "370405", "370406", "370481"]
PHONE_PREFIXES = ["138", "139", "150", "152", "158", "186", "188", "135"]
SURNAMES = "张王李刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
# fmt: off
GIVEN = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "晓燕", "志强", "海燕", "文博", "欣怡", "子涵", "浩然",
]
# fmt: on
EMPLOYERS = [
    ("2010000001", "枣庄鲁南机械制造有限公司"),
    ("2010000002", "枣庄市市中区教育和体育局"),
    ("2010000003", "滕州市第一人民医院"),
    ("2010000004", "枣庄矿业集团物业管理有限公司"),
    ("2010000005", "薛城区城市建设投资有限公司"),
    ("2010000006", "台儿庄古城文化旅游有限公司"),
    ("2010000007", "山亭区农业农村局"),
]
# A member gets a loan only after 3 years of deposits, and the earlier settled
# loan of the RUNNING_AFTER_SETTLED case only after 10.
LOAN_MIN_YEARS = 3
SETTLED_LOAN_MIN_YEARS = 10
LOAN_TERMS = [60, 120, 180, 240, 300, 360]
METHODS = [RepaymentMethod.EQUAL_INSTALLMENT, RepaymentMethod.EQUAL_PRINCIPAL]
DEPOSIT_RATES = ["0.05", "0.08", "0.10", "0.12"]


def make_id_number(area: str, birth: date, sequence: int) -> str:
    """A valid 18-digit resident ID number (GB 11643-1999 check digit)."""
    body = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return body + id_number_check_digit(body)


class _Numbers:
    """Unique phones and sequential contract numbers across the demo set."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.phones = {DEMO_PHONE, UNREGISTERED_PHONE}
        self.ids = {DEMO_ID_NUMBER, UNREGISTERED_ID_NUMBER}
        self.loans = 0

    def contract(self, year: int) -> str:
        self.loans += 1
        return f"ZZ{year}{self.loans:06d}"

    def phone(self) -> str:
        while True:
            number = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(0, 10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def id_number(self, birth: date) -> str:
        while True:
            id_number = make_id_number(self.rng.choice(AREA_CODES), birth, self.rng.randrange(1, 999))
            if id_number not in self.ids:
                self.ids.add(id_number)
                return id_number


def build_members(as_of: date, count: int = 60) -> list[MemberSpec]:
    """The whole demo set: the demo member, the unregistered demo member, then
    `count - 2` generated members following the case table."""
    rng = random.Random(SEED)
    numbers = _Numbers(rng)
    members = [_demo_member(rng, numbers, as_of), _unregistered_member(rng, as_of)]
    for index in range(count - 2):
        members.append(_generated_member(rng, numbers, as_of, index, CASES[index % len(CASES)]))
    return members


def _demo_member(rng: random.Random, numbers: _Numbers, as_of: date) -> MemberSpec:
    """王晓明: 14 years of deposits, one settled and one running loan."""
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
        AccountStatus.NORMAL,
    )
    demo.entries = build_ledger(rng, demo, as_of, as_of, withdraws=True, back_pays=True, transfer_in=False)
    demo.loans = [
        build_loan(
            rng,
            contract_no=numbers.contract(as_of.year - 12),
            applied_on=date(as_of.year - 12, 5, 10),
            status=LoanStatus.SETTLED,
            method=RepaymentMethod.EQUAL_PRINCIPAL,
            amount=Decimal("150000.00"),
            term=120,
            as_of=as_of,
        ),
        build_loan(
            rng,
            contract_no=numbers.contract(as_of.year - 6),
            applied_on=date(as_of.year - 6, 7, 21),
            status=LoanStatus.ACTIVE,
            method=RepaymentMethod.EQUAL_INSTALLMENT,
            amount=Decimal("300000.00"),
            term=240,
            as_of=as_of,
        ),
    ]
    return demo


def _unregistered_member(rng: random.Random, as_of: date) -> MemberSpec:
    """李静: registered with the center (phone on file), not yet online."""
    spec = MemberSpec(
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
        AccountStatus.NORMAL,
    )
    spec.entries = build_ledger(rng, spec, as_of, as_of, withdraws=False, back_pays=False, transfer_in=True)
    return spec


def _generated_member(rng: random.Random, numbers: _Numbers, as_of: date, index: int, case: Case) -> MemberSpec:
    # The draws happen in this order whatever the case, so each member's data
    # depends only on the seed and the members before it.
    birth = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 365 * 35))
    id_number = numbers.id_number(birth)
    years = rng.randrange(1, 21)
    opened_on = date(as_of.year - years, rng.randrange(1, 13), 1)
    if opened_on > as_of:
        opened_on = date(as_of.year - 1, 1, 1)
    rate = Decimal(rng.choice(DEPOSIT_RATES))
    spec = MemberSpec(
        rng.choice(SURNAMES) + rng.choice(GIVEN),
        id_number,
        numbers.phone() if case.phone else "",
        case.online,
        f"1010{index + 3:08d}",
        EMPLOYERS[case.employer][0],
        Decimal(rng.randrange(2200, 12000, 100)),
        rate,
        rate,
        opened_on,
        case.status,
    )
    stopped = STOPPED_MONTHS_AGO.get(case.status)
    stop_on = amortization.add_months(as_of, -stopped, 1) if stopped else as_of
    spec.entries = build_ledger(
        rng, spec, as_of, stop_on, withdraws=case.withdraws, back_pays=case.back_pays, transfer_in=case.transfer_in
    )
    if case.status == AccountStatus.CLOSED_WITHDRAWN:
        close_account(spec, stop_on=stop_on, as_of=as_of)
    if years >= LOAN_MIN_YEARS:
        spec.loans = _generated_loans(rng, numbers, as_of, years, case.loans)
    return spec


def _generated_loans(rng: random.Random, numbers: _Numbers, as_of: date, years: int, loans: Loans) -> list:
    result = []
    if loans in (Loans.RUNNING, Loans.RUNNING_AFTER_SETTLED):
        year = as_of.year - rng.randrange(1, min(years, 12) + 1)
        contract_no = numbers.contract(year)
        # Drawn in the same order as ever, so every later member stays the same.
        applied_on = date(year, rng.randrange(1, 13), rng.randrange(1, 29))
        method = rng.choice(METHODS)
        amount = Decimal(rng.randrange(10, 60)) * 10000
        drawn = rng.choice(LOAN_TERMS)
        # A running loan has payments left on the demo date: a term that would
        # have ended already is lengthened to the shortest one that has not.
        term = next(t for t in LOAN_TERMS if t >= drawn and has_periods_left(applied_on, t, as_of))
        result.append(
            build_loan(
                rng,
                contract_no=contract_no,
                applied_on=applied_on,
                status=LoanStatus.ACTIVE,
                method=method,
                amount=amount,
                term=term,
                as_of=as_of,
            )
        )
    if loans == Loans.RUNNING_AFTER_SETTLED and years >= SETTLED_LOAN_MIN_YEARS:
        # Numbered after the running one (drawn first) but applied for years earlier.
        year = as_of.year - years + 2
        result.insert(
            0,
            build_loan(
                rng,
                contract_no=numbers.contract(year),
                applied_on=date(year, 4, 12),
                status=LoanStatus.SETTLED,
                method=RepaymentMethod.EQUAL_INSTALLMENT,
                amount=Decimal("120000.00"),
                term=120,
                as_of=as_of,
            ),
        )
    if loans == Loans.APPLIED:
        applied = as_of - timedelta(days=rng.randrange(10, 50))
        result.append(
            build_loan(
                rng,
                contract_no=numbers.contract(applied.year),
                applied_on=applied,
                status=LoanStatus.NOT_DISBURSED,
                method=RepaymentMethod.EQUAL_INSTALLMENT,
                amount=Decimal("400000.00"),
                term=360,
                as_of=as_of,
            )
        )
    return result
