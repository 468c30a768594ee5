"""贷款进度查询, 贷款信息, 还款明细 and the loan messages of chapter 3."""

from datetime import date
from http import HTTPStatus

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
NO_LOAN = "您未办理贷款业务,如需办理贷款业务,请回到主页面进行贷款申请"
LOAN_PAGES = ["inquiry:loan_progress", "inquiry:loan_info", "inquiry:repayments", "inquiry:plan"]


@pytest.mark.parametrize("name", LOAN_PAGES)
def test_loan_pages_without_a_loan_show_the_manual_message(member_client, name):
    response = member_client.get(reverse(name))
    assert response.status_code == HTTPStatus.OK
    assert NO_LOAN in response.content.decode()


def test_loan_progress_shows_nodes_with_state_words(member_client, loans):
    _, _, pending = loans
    response = member_client.get(reverse("inquiry:loan_progress"), {"contract": pending.contract_no})
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    for state in ("done", "current", "pending"):
        assert f"loan-progress__step--{state}" in html
    # Colour is not the only cue: each node also says its state in words.
    states = [html.count(f'class="loan-progress__state">{word}<') for word in ("已完成", "办理中", "未开始")]
    assert states == [2, 1, 3]
    assert 'aria-current="step"' in html
    # The day of each node: the books record the day a step was done.
    assert "2020-07-01" in html and "10:30" not in html
    assert [s.name for s in response.context["steps"]] == ["申请受理", "审核", "审批", "签订合同", "抵押登记", "放款"]


def test_loan_progress_shows_the_day_each_step_was_done_in_the_core(member_client, loans):
    from datetime import datetime

    from django.utils import timezone

    from inquiry.models import LoanProgressName as Name

    _, _, pending = loans  # 申请受理 and 审核 done on 2020-07-01 and 07-02, applied 2026-10-01
    days = {Name.APPROVE: date(2026, 10, 9), Name.SIGN: date(2026, 10, 15)}
    days |= {Name.MORTGAGE: date(2026, 10, 22), Name.DISBURSE: date(2026, 11, 2)}
    # As the core's 贷款进度 file brings them: each node done on its day.
    for name, day in days.items():
        pending.progress_steps.filter(name=name).update(
            state="done", handled_at=timezone.make_aware(datetime.combine(day, datetime.min.time()))
        )
    response = member_client.get(reverse("inquiry:loan_progress"), {"contract": pending.contract_no})
    times = [t.strip() for t in response.content.decode().split('class="loan-progress__time">')[1:]]
    assert [t[: t.index("<")] for t in times] == [
        "2020-07-01",
        "2020-07-02",
        "2026-10-09",
        "2026-10-15",
        "2026-10-22",
        "2026-11-02",
    ]


def test_loan_progress_dropdown_lists_every_contract_and_defaults_to_the_running_one(member_client, loans):
    settled, active, pending = loans
    response = member_client.get(reverse("inquiry:loan_progress"))
    html = response.content.decode()
    assert response.context["loan"] == active
    for loan in loans:
        assert f'<option value="{loan.contract_no}"' in html
    assert f'<option value="{active.contract_no}" selected>' in html


def test_loan_info_shows_the_contract(member_client, loans):
    _, active, _ = loans
    html = member_client.get(reverse("inquiry:loan_info"), {"contract": active.contract_no}).content.decode()
    for text in [
        "借款合同编号",
        "ZZ2020000002",
        "300,000.00",
        "20年",
        "3.25%",
        "等额本息",
        "2020-08-01",
        "1,701.59",
        "297,325.50",
        "正常",
    ]:
        assert text in html, text


def test_loan_info_of_a_contract_not_disbursed_says_so(member_client, loans):
    _, _, pending = loans
    html = member_client.get(reverse("inquiry:loan_info"), {"contract": pending.contract_no}).content.decode()
    assert "此合同【ZZ2026000003】的贷款未发放" in html
    assert "贷款余额" not in html


def test_repayments_list_the_contract_rows(member_client, loans):
    _, active, _ = loans
    response = member_client.get(reverse("inquiry:repayments"), {"contract": active.contract_no})
    html = response.content.decode()
    for text in ["还款日期", "偿还本金", "偿还利息", "放款金额", "已还本金", "已还利息", "贷款余额"]:
        assert text in html
    assert [r.repaid_on for r in response.context["page_obj"]] == [
        date(2020, 9, 1),
        date(2020, 10, 1),
        date(2020, 11, 1),
    ]
    assert "2,674.50" in html  # 已还本金 after three payments
    assert "297,325.50" in html


def test_repayments_filter_by_date_range(member_client, loans):
    _, active, _ = loans
    response = member_client.get(
        reverse("inquiry:repayments"), {"contract": active.contract_no, "start": "2020-10-01", "end": "2020-10-31"}
    )
    assert [r.repaid_on for r in response.context["page_obj"]] == [date(2020, 10, 1)]


def test_repayments_bad_range_gets_a_message(member_client, loans):
    response = member_client.get(reverse("inquiry:repayments"), {"start": "2021-01-01", "end": "2020-01-01"})
    assert response.status_code == HTTPStatus.OK
    assert "开始日期不能晚于结束日期" in response.content.decode()


def test_repayments_of_a_contract_not_disbursed_says_so(member_client, loans):
    _, _, pending = loans
    html = member_client.get(reverse("inquiry:repayments"), {"contract": pending.contract_no}).content.decode()
    assert "此合同【ZZ2026000003】的贷款未发放" in html


def test_home_links_each_contract_and_the_ledger(member_client, loans):
    html = member_client.get(reverse("tasks:home")).content.decode()
    assert f'href="{reverse("inquiry:ledger")}"' in html and "【查询更多】" in html
    for loan in loans:
        for name in LOAN_PAGES:
            assert f'href="{reverse(name)}?contract={loan.contract_no}"' in html
    assert "贷款申请" in html
    assert 'data-testid="balance"' in html
