"""提前还款试算 page (/loans/prepay/): the form, its messages, the notices of
contracts it does not apply to, and that a trial books nothing."""

from datetime import date
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inquiry import amortization
from inquiry.models import LedgerEntry, LoanContract, Repayment
from inquiry.tests.factories import LoanContractFactory

pytestmark = pytest.mark.django_db
URL = reverse("inquiry:prepay_trial")
RANGE = "提前还款金额须大于0且小于贷款余额"


@pytest.fixture
def loan(member):
    return LoanContractFactory(
        member=member,
        contract_no="ZZPREPAY0001",
        outstanding_principal=Decimal("250000.00"),
        annual_rate=Decimal("0.0325"),
        remaining_months=180,
        next_due_on=date(2026, 12, 1),
    )


def expected(loan, mode, amount=None):
    return amortization.prepayment_trial(
        loan.repayment_method,
        loan.outstanding_principal,
        loan.annual_rate,
        loan.remaining_months,
        loan.next_due_on,
        mode=mode,
        amount=amount,
    )


def test_prepay_trial_first_view_shows_the_form_without_errors(member_client, loan):
    response = member_client.get(URL)
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert 'data-testid="prepay-form"' in html and 'role="alert"' not in html
    assert "prepay-result" not in html
    # Listed among the loan entries, current here; a form page is never cached by browsers.
    assert 'aria-current="page">提前还款试算<' in html
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("method", ["equal_installment", "equal_principal"])
@pytest.mark.parametrize("mode", ["shorten", "reduce"])
def test_prepay_trial_shows_the_engines_new_plan(member_client, loan, method, mode):
    LoanContract.objects.filter(pk=loan.pk).update(repayment_method=method)
    loan.refresh_from_db()
    response = member_client.get(URL, {"contract": loan.contract_no, "mode": mode, "amount": "50000"})
    trial = expected(loan, mode, Decimal("50000"))
    assert response.context["trial"] == trial
    html = response.content.decode()
    assert f'data-testid="interest-saved">{trial.interest_saved:,.2f} 元' in html
    assert f"{trial.months_after} 期(原 180 期)" in html
    assert f"{trial.payment_after:,.2f} 元(原 {trial.payment_before:,.2f} 元)" in html
    # The first 12 rows of the new plan, from the next due date.
    rows = html.split("<tbody>")[1].split("</tbody>")[0].count("<tr>")
    assert rows == 12 and "2026-12-01" in html
    if mode == "reduce":
        assert trial.months_after == 180 and trial.payment_after < trial.payment_before
    else:
        assert trial.months_after < 180


def test_prepay_trial_settle_needs_no_amount_and_saves_all_interest(member_client, loan):
    response = member_client.get(URL, {"contract": loan.contract_no, "mode": "settle", "amount": "junk"})
    trial = response.context["trial"]
    html = response.content.decode()
    assert trial == expected(loan, "settle")
    assert 'data-testid="prepay-amount">250,000.00 元' in html
    assert trial.interest_saved == trial.interest_before > 0
    assert "prepay-plan" not in html and 'role="alert"' not in html


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("", "请输入提前还款金额"),
        ("0", RANGE),
        ("-1", RANGE),
        ("-0", RANGE),
        ("250000", RANGE),
        ("250000.00", RANGE),
        ("1e9", RANGE),
        ("9" * 40, RANGE),
        ("1e999999", RANGE),
        ("1.005", "提前还款金额最多两位小数"),
        ("1e-9", "提前还款金额最多两位小数"),
        ("abc", "提前还款金额须为数字"),
        ("NaN", "提前还款金额须为数字"),
        ("Infinity", "提前还款金额须为数字"),
    ],
)
def test_prepay_trial_bad_amount_says_why_in_chinese(member_client, loan, amount, message):
    response = member_client.get(URL, {"contract": loan.contract_no, "mode": "shorten", "amount": amount})
    assert response.status_code == HTTPStatus.OK
    assert message in response.content.decode()
    assert response.context.get("trial") is None


@pytest.mark.parametrize("mode", ["", "later", "x" * 500])
def test_prepay_trial_bad_mode_says_why(member_client, loan, mode):
    response = member_client.get(URL, {"contract": loan.contract_no, "mode": mode, "amount": "100"})
    assert response.status_code == HTTPStatus.OK
    assert "请选择提前还款方式" in response.content.decode()


@pytest.mark.parametrize("query", [{"mode": "settle\x00"}, {"mode": "shorten", "amount": "12\x00"}])
def test_prepay_trial_with_a_nul_byte_is_the_portals_bad_request_page(member_client, loan, query):
    # BadInputMiddleware answers every NUL byte with its 400 page, before the view.
    response = member_client.get(URL, {"contract": loan.contract_no, **query})
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_prepay_trial_books_nothing(member_client, member, loan):
    def state():
        return (
            list(LoanContract.objects.order_by("pk").values()),
            list(Repayment.objects.order_by("pk").values()),
            list(LedgerEntry.objects.order_by("pk").values()),
        )

    before = state()
    with CaptureQueriesContext(connection) as queries:
        for mode in ("shorten", "reduce", "settle"):
            response = member_client.get(URL, {"contract": loan.contract_no, "mode": mode, "amount": "1000"})
            assert response.context["trial"] is not None
    assert state() == before
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert not [sql for sql in writes if "inquiry_" in sql or "tasks_" in sql]


def test_prepay_trial_of_another_members_contract_is_404(member_client, loan):
    other = LoanContractFactory(contract_no="ZZOTHERPRE01")
    response = member_client.get(URL, {"contract": other.contract_no, "mode": "settle"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert b"ZZOTHERPRE01" not in response.content


def test_prepay_trial_without_a_loan_says_so(member_client):
    response = member_client.get(URL, {"mode": "settle"})
    assert "您未办理贷款业务" in response.content.decode()
    assert "prepay-form" not in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"status": LoanContract.Status.NOT_DISBURSED}, "的贷款未发放"),
        (
            {"status": LoanContract.Status.SETTLED, "outstanding_principal": 0, "remaining_months": 0},
            "的贷款已结清",
        ),
        ({"status": LoanContract.Status.OVERDUE}, "的贷款已逾期"),
        ({"discrepancy": "贷款余额与还款明细不符"}, "数据核对中"),
        ({"next_due_on": None}, "暂无还款计划"),
    ],
)
def test_prepay_trial_of_a_contract_not_running_normally_says_why(member_client, loan, changes, words):
    LoanContract.objects.filter(pk=loan.pk).update(**changes)
    response = member_client.get(URL, {"contract": loan.contract_no, "mode": "settle"})
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert words in html
    assert "prepay-form" not in html and "prepay-result" not in html
