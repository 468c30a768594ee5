"""What members and staff see of a decision: 我发起的 (list, home tab and
查看) says 待入账 / 已入账 / 入账失败 with the core's reason; staff see the
outbox read-only, the bank account masked without the full-identity right."""

import uuid
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.urls import reverse

from conftest import log_in_staff
from tasks.models import Decision
from tasks.services import applications as services
from tasks.services.decisions import decisions_expire, decisions_settle

pytestmark = pytest.mark.django_db
LIST = reverse("tasks:applications")


@pytest.fixture
def approved(member, clerk, reviewer, approver):
    application = services.withdrawal_submit(
        member=member, withdrawal_kind="rent", amount=Decimal("3000.00"), form_token=uuid.uuid4()
    ).application
    for step, actor in (("accept", clerk), ("review", reviewer), ("approve", approver)):
        application = services.application_step_approve(application_id=application.pk, step=step, actor=actor)
    return application


def booking_of(html: str) -> str:
    start = html.index('data-testid="booking-state">') + len('data-testid="booking-state">')
    return html[start : html.index("<", start)]


def test_my_applications_show_each_booking_state(member_client, approved, clock):
    detail = reverse("tasks:application_detail", args=[approved.pk])
    serial = approved.decision.serial_no
    for url in (LIST, reverse("tasks:home"), detail):
        html = member_client.get(url).content.decode()
        assert "已办结" in html and booking_of(html) == "待入账", url
    assert f'data-testid="serial-no">{serial}<' in member_client.get(detail).content.decode()

    decisions_settle(booked=[serial], refused={})
    for url in (LIST, detail):
        assert booking_of(member_client.get(url).content.decode()) == "已入账", url


@pytest.mark.parametrize("how", ["refused", "timeout"])
def test_my_applications_show_a_failure_with_its_reason(member_client, approved, clock, how):
    serial = approved.decision.serial_no
    if how == "refused":
        decisions_settle(booked=[], refused={serial: "收款账户户名不符"})
        reason = "收款账户户名不符"
    else:
        started = clock.now
        clock.advance(days=6)
        decisions_expire(now=clock.now)
        clock.now = started  # the member's session would have ended six days later
        reason = "业务系统5日内未入账"
    for url in (LIST, reverse("tasks:application_detail", args=[approved.pk])):
        html = member_client.get(url).content.decode()
        assert booking_of(html) == "入账失败", url
        assert f'data-testid="booking-reason">原因:{reason}<' in html, url


def test_an_application_in_progress_has_no_booking_state(member_client, member):
    services.withdrawal_submit(member=member, withdrawal_kind="rent", amount=Decimal("10.00"), form_token=uuid.uuid4())
    assert 'data-testid="booking-state"' not in member_client.get(LIST).content.decode()


def test_admin_outbox_is_read_only_and_masks_the_bank_account_without_the_right(client, approved, clerk):
    from django.contrib.auth.models import Permission

    decision = approved.decision
    clerk.user_permissions.add(Permission.objects.get(codename="view_decision"))
    staff = log_in_staff(client, clerk)
    changelist = reverse("admin:tasks_decision_changelist")
    html = staff.get(changelist).content.decode()
    assert decision.serial_no in html and "6217 **** **** 0001" in html and "6217000101000000001" not in html
    page = staff.get(reverse("admin:tasks_decision_change", args=[decision.pk])).content.decode()
    assert "6217000101000000001" not in page and "待入账" in page
    assert 'name="_save"' not in page
    # Filters by state and by acknowledgement.
    assert list(staff.get(changelist, {"state__exact": "booked"}).context["cl"].result_list) == []
    assert list(staff.get(changelist, {"acked": "no"}).context["cl"].result_list) == [decision]
    assert list(staff.get(changelist, {"acked": "yes"}).context["cl"].result_list) == []
    assert staff.post(reverse("admin:tasks_decision_delete", args=[decision.pk])).status_code == HTTPStatus.FORBIDDEN


def test_admin_application_page_shows_its_booking_state(staff_client, approved):
    decisions_settle(booked=[], refused={approved.decision.serial_no: "账户冻结"})
    page = staff_client.get(reverse("admin:tasks_application_change", args=[approved.pk])).content.decode()
    assert f"入账失败 · 业务流水号{approved.decision.serial_no}(账户冻结)" in page
    listing = staff_client.get(reverse("admin:tasks_application_changelist")).content.decode()
    assert "入账失败" in listing
    changelist = reverse("admin:tasks_application_changelist")
    assert list(staff_client.get(changelist, {"decision__state": "failed"}).context["cl"].result_list) == [approved]
    assert list(staff_client.get(changelist, {"decision__state": "pending"}).context["cl"].result_list) == []
    assert Decision.objects.get().state == "failed"


def test_admin_outbox_page_shows_a_withdrawal_without_loan_terms(staff_client, approved):
    page = staff_client.get(reverse("admin:tasks_decision_change", args=[approved.decision.pk])).content.decode()
    # The reason in words, no loan terms, and never a Python 「None」 for an empty rate.
    assert "07 房租超出家庭工资收入的规定比例" in page
    assert "年利率" not in page and "贷款期数" not in page and ">None<" not in page
    assert reverse("admin:tasks_application_change", args=[approved.pk]) in page


def test_admin_outbox_page_shows_a_loan_decision_in_words(staff_client):
    from tasks.tests.factories import CompletedApplicationFactory, DecisionFactory

    application = CompletedApplicationFactory(kind="loan", withdrawal_kind="", term_years=20)
    decision = DecisionFactory(
        application=application,
        kind=Decision.Kind.LOAN,
        bank_account_no="",
        withdrawal_reason="",
        term_months=240,
        annual_rate=Decimal("0.02600"),
        repayment_method="equal_installment",
    )
    page = staff_client.get(reverse("admin:tasks_decision_change", args=[decision.pk])).content.decode()
    assert "2.60%" in page and "等额本息" in page and "equal_installment" not in page
    assert "收款银行账号" not in page and "提取原因" not in page


def test_admin_outbox_page_links_the_application_only_for_staff_who_may_open_it(client, approved):
    from django.contrib.auth.models import Permission

    from accounts.tests.factories import StaffUserFactory

    hall = StaffUserFactory(is_superuser=False, name="赵柜员")
    hall.user_permissions.add(Permission.objects.get(codename="view_decision"))
    page = log_in_staff(client, hall).get(reverse("admin:tasks_decision_change", args=[approved.decision.pk]))
    html = page.content.decode()
    assert f"租房提取 申请编号{approved.pk}" in html
    assert reverse("admin:tasks_application_change", args=[approved.pk]) not in html


def test_admin_number_column_shows_an_empty_value_as_a_dash():
    # A read-only page prints what a callable returns: None would read 「None」.
    from django.contrib import admin

    column = admin.site._registry[Decision].fmt_annual_rate
    assert column(Decision(annual_rate=None)) == "-"
    assert column(Decision(annual_rate=Decimal("0.031"))) == "3.10%"
