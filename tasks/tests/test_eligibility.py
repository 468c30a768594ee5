"""The center's application rules (tasks.eligibility): pure, no database."""

from datetime import date
from decimal import Decimal

import pytest

from inquiry import amortization
from inquiry.demo import make_id_number
from tasks import eligibility as rules

TODAY = date(2026, 11, 28)
BORN_1980 = make_id_number("370402", date(1980, 6, 15), 123)
BORN_1966 = make_id_number("370402", date(1966, 11, 28), 123)  # 60 today
BORN_1961 = make_id_number("370402", date(1961, 1, 1), 123)  # 65 already
BORN_1966_LATER = make_id_number("370402", date(1966, 11, 29), 123)  # 60 tomorrow
W_LIMITS = rules.WithdrawalLimits(rent_yearly_limit=Decimal("12000.00"), retirement_age=60)
L_LIMITS = rules.LoanLimits(
    max_amount=Decimal("600000.00"),
    max_price_ratio=Decimal("0.80"),
    max_age_at_end=65,
    min_deposit_months=6,
    max_loans=2,
    max_term_years=30,
)
NORMAL = rules.AccountFacts(status="01", status_label="正常", balance=Decimal("50000.00"), bank_account_no="6217000")
LAST_SIX = {"202605", "202606", "202607", "202608", "202609", "202610"}


def withdrawal(**overrides):
    args = {
        "kind": rules.RENT,
        "amount": Decimal("3000.00"),
        "account": NORMAL,
        "id_number": BORN_1980,
        "today": TODAY,
        "rent_withdrawn_this_year": Decimal("0.00"),
        "active_loan_outstanding": None,
        "unsettled_loan_no": None,
        "limits": W_LIMITS,
    }
    return rules.withdrawal_refusal(**{**args, **overrides})


def loan(**overrides):
    args = {
        "amount": Decimal("300000.00"),
        "term_years": 15,
        "property_price": Decimal("500000.00"),
        "account": NORMAL,
        "id_number": BORN_1980,
        "paid_periods": LAST_SIX,
        "loans_ever": 0,
        "has_unsettled_loan": False,
        "today": TODAY,
        "limits": L_LIMITS,
    }
    return rules.loan_refusal(**{**args, **overrides})


def account(status: str, label: str) -> rules.AccountFacts:
    return rules.AccountFacts(status=status, status_label=label, balance=Decimal("50000.00"), bank_account_no="6217")


def test_age_on_counts_full_years_from_the_id_number():
    assert rules.birth_date(BORN_1980) == date(1980, 6, 15)
    assert rules.age_on(BORN_1980, date(2026, 6, 14)) == 45
    assert rules.age_on(BORN_1980, date(2026, 6, 15)) == 46


@pytest.mark.parametrize(
    ("facts", "code", "message"),
    [
        (None, "no_account", rules.NO_ACCOUNT),
        (account("02", "封存"), "account_sealed", rules.ACCOUNT_SEALED),
        (account("06", "冻结"), "account_frozen", rules.ACCOUNT_FROZEN),
        (account("03", "合并销户"), "account_closed", rules.ACCOUNT_CLOSED),
        (account("05", "提取销户"), "account_closed", rules.ACCOUNT_CLOSED),
        (account("99", "其他"), "account_not_normal", "您的公积金账户状态为其他,不能办理此业务,请到服务大厅咨询"),
    ],
)
def test_withdrawal_and_loan_refuse_an_account_that_is_not_normal_saying_why(facts, code, message):
    for refusal in (withdrawal(account=facts), loan(account=facts)):
        assert refusal == rules.Refusal(code, message)


def test_withdrawal_and_loan_refuse_a_normal_account_while_its_figures_are_checked():
    checking = rules.AccountFacts(status="01", status_label="正常", balance=Decimal("50000.00"), checking=True)
    for refusal in (withdrawal(account=checking), loan(account=checking)):
        assert refusal == rules.Refusal("account_checking", rules.ACCOUNT_CHECKING)
    # A status that refuses anyway says so first: it is what the member must act on.
    sealed = rules.AccountFacts(status="02", status_label="封存", balance=Decimal("0.00"), checking=True)
    assert withdrawal(account=sealed).code == "account_sealed"


def test_withdrawal_rent_within_the_limit_passes():
    assert withdrawal() is None
    assert withdrawal(amount=Decimal("12000.00")) is None


@pytest.mark.parametrize(
    ("overrides", "code", "message"),
    [
        ({"amount": Decimal("0")}, "amount_not_positive", "提取金额须大于0"),
        ({"amount": Decimal("-5")}, "amount_not_positive", "提取金额须大于0"),
        ({"amount": Decimal("10.005")}, "amount_decimals", "金额最多保留两位小数"),
        ({"amount": Decimal("50000.01")}, "over_balance", "提取金额不能超过账户余额50,000.00元"),
        (
            {"amount": Decimal("12000.01")},
            "rent_over_limit",
            "租房提取每年最多12,000.00元,您今年已提取0.00元,本次最多可提取12,000.00元",
        ),
        (
            {"amount": Decimal("4000.00"), "rent_withdrawn_this_year": Decimal("9000.00")},
            "rent_over_limit",
            "租房提取每年最多12,000.00元,您今年已提取9,000.00元,本次最多可提取3,000.00元",
        ),
        (
            {"account": rules.AccountFacts(status="01", status_label="正常", balance=Decimal("9"))},
            "no_bank_account",
            rules.NO_BANK_ACCOUNT,
        ),
        ({"kind": rules.LOAN_REPAYMENT}, "no_active_loan", rules.NO_ACTIVE_LOAN),
        (
            {"kind": rules.LOAN_REPAYMENT, "active_loan_outstanding": Decimal("2999.99")},
            "over_outstanding",
            "提取金额不能超过贷款余额2,999.99元",
        ),
        ({"kind": rules.RETIREMENT, "amount": Decimal("50000.00")}, "too_young", "离退休提取须年满60周岁,您目前46周岁"),
        (
            {"kind": rules.RETIREMENT, "id_number": BORN_1966_LATER, "amount": Decimal("50000.00")},
            "too_young",
            "离退休提取须年满60周岁,您目前59周岁",
        ),
        (
            {"kind": rules.RETIREMENT, "id_number": BORN_1966, "amount": Decimal("100.00")},
            "not_whole_balance",
            "离退休提取须一次提取账户全部余额50,000.00元",
        ),
        (
            {
                "kind": rules.RETIREMENT,
                "id_number": BORN_1966,
                "amount": Decimal("50000.00"),
                "unsettled_loan_no": "ZZ2020000002",
            },
            "closing_with_loan",
            "离退休提取将注销您的公积金账户,您的住房公积金贷款(借款合同【ZZ2020000002】)尚未结清,请结清后再申请",
        ),
    ],
)
def test_withdrawal_refusals_each_with_its_own_message(overrides, code, message):
    assert withdrawal(**overrides) == rules.Refusal(code, message)


def test_withdrawal_loan_repayment_and_retirement_pass_within_their_rules():
    assert withdrawal(kind=rules.LOAN_REPAYMENT, active_loan_outstanding=Decimal("3000.00")) is None
    # 60 on the day: the whole balance, and the rent limit does not apply.
    assert withdrawal(kind=rules.RETIREMENT, id_number=BORN_1966, amount=Decimal("50000.00")) is None
    # An unsettled loan stops only the withdrawal that closes the account.
    assert withdrawal(unsettled_loan_no="ZZ2020000002") is None


def test_loan_within_every_rule_passes():
    assert loan() is None
    assert loan(amount=Decimal("400000.00"), loans_ever=1) is None  # exactly 80% of 500,000, second loan


@pytest.mark.parametrize(
    ("overrides", "code", "message"),
    [
        (
            {"paid_periods": LAST_SIX - {"202608"}},
            "deposits_missing",
            "申请贷款须连续缴存住房公积金满6个月,您2026年8月未缴存",
        ),
        (
            {"paid_periods": LAST_SIX - {"202605"}},
            "deposits_missing",
            "申请贷款须连续缴存住房公积金满6个月,您2026年5月未缴存",
        ),
        ({"has_unsettled_loan": True}, "loan_unsettled", rules.LOAN_UNSETTLED),
        ({"loans_ever": 2}, "too_many_loans", "每位职工最多申请2次住房公积金贷款,您已贷款2次"),
        ({"amount": Decimal("0")}, "amount_not_positive", "贷款金额须大于0"),
        ({"amount": Decimal("1.001")}, "amount_decimals", "金额最多保留两位小数"),
        (
            {"amount": Decimal("600000.01"), "property_price": Decimal("2000000")},
            "over_max_amount",
            "贷款金额最高600,000.00元",
        ),
        ({"amount": Decimal("400000.01")}, "over_price_ratio", "贷款金额不能超过房屋总价的80%,即400,000.00元"),
        ({"term_years": 31}, "term_out_of_range", "贷款年限须为1至30年"),
        ({"term_years": 20}, "too_old_at_end", "贷款到期时您将年满66周岁,超过65周岁;您最长可贷19年"),
        (
            {"id_number": BORN_1961, "term_years": 1},
            "too_old",
            "贷款到期时年龄不能超过65周岁,您已不能申请住房公积金贷款",
        ),
    ],
)
def test_loan_refusals_each_with_its_own_message(overrides, code, message):
    assert loan(**overrides) == rules.Refusal(code, message)


def test_loan_term_ending_at_exactly_65_passes():
    # Born 1980-06-15: 19 years from 2026-11-28 ends 2045-11-28, aged 65.
    assert loan(term_years=19) is None


@pytest.mark.parametrize(("years", "expected"), [(1, "0.021"), (5, "0.021"), (6, "0.026"), (30, "0.026")])
def test_first_home_rate_splits_at_five_years(years, expected):
    rate = rules.first_home_rate(years, short_rate=Decimal("0.021"), long_rate=Decimal("0.026"), short_term_years=5)
    assert rate == Decimal(expected)


@pytest.mark.parametrize("method", ["equal_installment", "equal_principal"])
def test_loan_trial_is_the_engines_plan(method):
    first_due = date(2026, 12, 28)
    trial = rules.loan_trial(
        amount=Decimal("300000.00"),
        term_years=20,
        method=method,
        annual_rate=Decimal("0.026"),
        first_due_date=first_due,
    )
    plan = amortization.schedule(method, Decimal("300000.00"), Decimal("0.026"), 240, first_due)
    assert trial.months == 240
    assert trial.first_payment == plan[0].total
    assert trial.last_payment == plan[-1].total
    assert trial.total_interest == sum(row.interest for row in plan)
    assert trial.total_repayment == Decimal("300000.00") + trial.total_interest


def test_loan_trial_known_figures():
    # 300,000 over 20 years at 2.6%: 等额本息 1,604.36 a month; 等额本金 starts at 1,250 + 650 = 1,900.00.
    installment = rules.loan_trial(
        amount=Decimal("300000.00"),
        term_years=20,
        method="equal_installment",
        annual_rate=Decimal("0.026"),
        first_due_date=date(2026, 12, 28),
    )
    principal = rules.loan_trial(
        amount=Decimal("300000.00"),
        term_years=20,
        method="equal_principal",
        annual_rate=Decimal("0.026"),
        first_due_date=date(2026, 12, 28),
    )
    assert installment.first_payment == Decimal("1604.36")
    assert principal.first_payment == Decimal("1900.00")
    assert principal.last_payment == Decimal("1252.71")
    assert principal.total_interest == Decimal("78325.20")
