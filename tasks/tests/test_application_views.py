"""Member pages of applications (提取申请, 贷款申请 with 贷款试算, 我发起的,
查看, 撤回) and the staff workflow in admin, through real URLs."""

import uuid
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.tests.factories import MemberUserFactory
from conftest import log_in_staff
from tasks.models import Application
from tasks.selectors import applications as selectors
from tasks.services import applications as services
from zzgjj_portal.models import AuditEvent

pytestmark = pytest.mark.django_db
WITHDRAWAL = reverse("tasks:withdrawal_apply")
LOAN = reverse("tasks:loan_apply")


def rent_form(token=None, amount="3000.00"):
    return {"form_token": str(token or uuid.uuid4()), "withdrawal_kind": "rent", "amount": amount}


def loan_form(action="submit", **overrides):
    data = {
        "form_token": str(uuid.uuid4()),
        "amount": "300000",
        "term_years": "15",
        "repayment_method": "equal_installment",
        "property_address": "枣庄市市中区光明路1号",
        "property_price": "500000",
        "co_borrower_name": "",
        "co_borrower_id_number": "",
        "action": action,
    }
    return {**data, **overrides}


def make_application(member, **fields):
    return services.withdrawal_submit(
        member=member, withdrawal_kind=fields.get("kind", "rent"), amount=Decimal("1000.00"), form_token=uuid.uuid4()
    ).application


# 提取申请 ------------------------------------------------------------------


def test_withdrawal_page_shows_balance_rules_and_the_bank_account_masked(member_client, member):
    response = member_client.get(WITHDRAWAL)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "6217 **** **** 0001" in html and "6217000101000000001" not in html
    assert "24,000.00" in html and "12,000.00" in html
    assert 'name="form_token"' in html and "csrfmiddlewaretoken" in html
    assert "no-store" in response["Cache-Control"]


def test_withdrawal_page_while_the_account_is_checked_shows_no_balance_and_takes_no_application(
    member_client, member, account
):
    account.discrepancy = "GRZHYE 25,000.00 ≠ 明细合计 24,000.00"
    account.save(update_fields=["discrepancy"])
    html = member_client.get(WITHDRAWAL).content.decode()
    assert "数据核对中,请稍后查看" in html and "24,000.00" not in html
    assert "数据核对中,暂不能办理此业务" in html and 'data-testid="withdrawal-form"' not in html
    member_client.post(WITHDRAWAL, rent_form())
    assert not Application.objects.filter(member=member).exists()


def test_withdrawal_submit_redirects_to_the_application(member_client, member, member_user):
    response = member_client.post(WITHDRAWAL, rent_form())
    application = Application.objects.get(member=member)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.APPLICATION_SUBMITTED)
    assert (event.member, event.actor) == (member, member_user)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("tasks:application_detail", args=[application.pk])


def test_withdrawal_posted_twice_creates_one_application_and_shows_it(member_client, member):
    data = rent_form()
    first = member_client.post(WITHDRAWAL, data)
    second = member_client.post(WITHDRAWAL, data, follow=True)
    assert Application.objects.filter(member=member).count() == 1
    assert second.redirect_chain[-1][0] == first["Location"]
    assert "该申请已提交,请勿重复提交" in second.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "abc"}, "请输入正确的金额"),
        ({"amount": "10.123"}, "金额最多保留两位小数"),
        ({"amount": "0"}, "金额须大于0"),
        ({"amount": ""}, "请填写提取金额"),
        ({"withdrawal_kind": "lottery"}, "请选择提取类型"),
        ({"amount": "12000.01"}, "租房提取每年最多12,000.00元"),
        ({"amount": "99999999999999999999"}, "金额过大"),
        ({"form_token": "not-a-token"}, "页面已过期,请重新填写"),
    ],
)
def test_withdrawal_bad_input_gets_a_chinese_message_and_saves_nothing(member_client, member, data, message):
    response = member_client.post(WITHDRAWAL, {**rent_form(), **data})
    assert response.status_code == HTTPStatus.OK
    assert message in response.content.decode()
    assert not Application.objects.exists()


# 贷款申请 and 贷款试算 -------------------------------------------------------


def test_loan_trial_shows_the_figures_and_saves_nothing(member_client, member):
    response = member_client.post(LOAN, loan_form("trial", property_address="", property_price=""))
    assert response.status_code == HTTPStatus.OK
    trial = response.context["trial"]
    expected = selectors.loan_trial(amount=Decimal("300000"), term_years=15, method="equal_installment")
    assert trial == expected
    html = response.content.decode()
    assert "月还款额" in html and f"{expected.first_payment:,.2f}" in html and "2.60%" in html
    # The typed values come back, and the property fields are not errors yet.
    assert 'value="300000"' in html and "请填写房屋坐落" not in html
    assert not Application.objects.exists()


def test_loan_trial_equal_principal_shows_first_and_last_month(member_client, member):
    response = member_client.post(LOAN, loan_form("trial", repayment_method="equal_principal"))
    html = response.content.decode()
    assert "首月还款额" in html and "末月还款额" in html


def test_loan_trial_with_bad_input_says_why(member_client, member):
    response = member_client.post(LOAN, loan_form("trial", amount="-1", term_years="40"))
    html = response.content.decode()
    assert "金额须大于0" in html and "贷款年限须为1至30的整数" in html
    assert response.context["trial"] is None


def test_loan_submit_creates_the_application(member_client, member):
    response = member_client.post(LOAN, loan_form())
    application = Application.objects.get(member=member, kind="loan")
    assert response["Location"] == reverse("tasks:application_detail", args=[application.pk])
    assert application.property_price == Decimal("500000.00")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "450000"}, "贷款金额不能超过房屋总价的80%,即400,000.00元"),
        ({"co_borrower_name": "张三"}, "共同借款人的姓名和身份证号须同时填写"),
        ({"co_borrower_name": "张三", "co_borrower_id_number": "370402198001011234"}, "身份证号"),
        ({"property_address": ""}, "请填写房屋坐落"),
    ],
)
def test_loan_refusals_and_bad_input_are_shown(member_client, member, data, message):
    response = member_client.post(LOAN, loan_form(**data))
    assert response.status_code == HTTPStatus.OK
    assert message in response.content.decode()
    assert not Application.objects.exists()


def test_loan_pane_button_and_no_loan_notice_lead_to_loan_application(member_client, member):
    home = member_client.get(reverse("tasks:home")).content.decode()
    assert f'href="{LOAN}"' in home and 'aria-disabled="true"' not in home
    assert f'href="{WITHDRAWAL}"' in home
    progress = member_client.get(reverse("inquiry:loan_progress")).content.decode()
    assert "您未办理贷款业务" in progress and f'href="{LOAN}"' in progress


# 我发起的 ---------------------------------------------------------------------


def test_home_tab_lists_the_members_applications_newest_first(member_client, member):
    first = make_application(member)
    services.application_withdraw(member=member, pk=first.pk)
    second = make_application(member)
    response = member_client.get(reverse("tasks:home"))
    assert [a.pk for a in response.context["applications"]] == [second.pk, first.pk]
    html = response.content.decode()
    assert "租房提取" in html and "已撤回" in html and "受理" in html and "更多" in html


def test_application_list_pages_twenty_a_page(member_client, member):
    for _ in range(21):
        services.application_withdraw(member=member, pk=make_application(member).pk)
    page_one = member_client.get(reverse("tasks:applications"))
    assert len(page_one.context["page_obj"].object_list) == 20
    assert member_client.get(reverse("tasks:applications") + "?page=2").status_code == HTTPStatus.OK
    assert member_client.get(reverse("tasks:applications") + "?page=3").status_code == HTTPStatus.NOT_FOUND


def test_detail_shows_chart_with_states_in_words_and_handled_steps(member_client, member, clerk):
    application = make_application(member)
    services.application_step_approve(application_id=application.pk, step="accept", actor=clerk, opinion="材料齐全")
    response = member_client.get(reverse("tasks:application_detail", args=[application.pk]))
    html = response.content.decode()
    assert "loan-progress__step--done" in html and "loan-progress__step--current" in html
    assert "已完成" in html and "办理中" in html and "未开始" in html
    assert "张受理" in html and "材料齐全" in html and "clerk" not in html
    assert response.context["can_withdraw"] is False
    assert reverse("tasks:application_withdraw", args=[application.pk]) not in html


def test_withdraw_asks_first_then_withdraws_on_post(member_client, member):
    application = make_application(member)
    url = reverse("tasks:application_withdraw", args=[application.pk])
    confirm = member_client.get(url)
    assert confirm.status_code == HTTPStatus.OK and "确定撤回" in confirm.content.decode()
    application.refresh_from_db()
    assert application.status == "in_progress"  # a GET changes nothing
    response = member_client.post(url, follow=True)
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert "申请已撤回" in response.content.decode()


def test_withdraw_after_staff_acted_is_refused_with_a_message(member_client, member, clerk):
    application = make_application(member)
    services.application_step_approve(application_id=application.pk, step="accept", actor=clerk)
    url = reverse("tasks:application_withdraw", args=[application.pk])
    response = member_client.post(url, follow=True)
    assert services.CANNOT_WITHDRAW in response.content.decode()
    assert member_client.get(url).status_code == HTTPStatus.FOUND
    application.refresh_from_db()
    assert application.status == "in_progress"


@pytest.mark.parametrize(
    ("whose", "method", "url_name", "expected"),
    [
        ("own", "get", "tasks:application_detail", HTTPStatus.OK),
        ("other", "get", "tasks:application_detail", HTTPStatus.NOT_FOUND),
        ("missing", "get", "tasks:application_detail", HTTPStatus.NOT_FOUND),
        ("own", "get", "tasks:application_withdraw", HTTPStatus.OK),
        ("other", "get", "tasks:application_withdraw", HTTPStatus.NOT_FOUND),
        ("other", "post", "tasks:application_withdraw", HTTPStatus.NOT_FOUND),
        ("missing", "post", "tasks:application_withdraw", HTTPStatus.NOT_FOUND),
    ],
)
def test_application_ownership_gate(member_client, member, whose, method, url_name, expected):
    other_member = MemberUserFactory().member
    other_member.fund_account.bank_account_no = "6217000000000000002"
    other_member.fund_account.save()
    from tasks.tests.conftest import deposit_months

    deposit_months(other_member.fund_account, 1)
    pk = {
        "own": lambda: make_application(member).pk,
        "other": lambda: make_application(other_member).pk,
        "missing": lambda: 999999,
    }[whose]()
    response = getattr(member_client, method)(reverse(url_name, args=[pk]))
    assert response.status_code == expected
    if whose == "other":
        assert Application.objects.get(pk=pk).status == "in_progress"


def test_application_get_for_member_raises_404_for_others(member):
    from django.http import Http404

    other = MemberUserFactory().member
    application = make_application(member)
    assert selectors.application_get_for_member(member=member, pk=application.pk) == application
    for pk in (application.pk, "x", None):
        with pytest.raises(Http404):
            selectors.application_get_for_member(member=other, pk=pk)


def test_application_pages_need_a_member_login(client):
    for name in ("tasks:applications", "tasks:withdrawal_apply", "tasks:loan_apply"):
        response = client.get(reverse(name))
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")


# Staff in admin ---------------------------------------------------------------


def act(client, application, step, decision="approve", opinion="同意"):
    url = reverse("admin:tasks_application_act", args=[application.pk])
    return client.post(url, {"step": step, "decision": decision, "opinion": opinion}, follow=True)


def test_admin_clerk_approves_accept_and_the_member_sees_it(client, member, clerk, django_capture_on_commit_callbacks):
    application = make_application(member)
    log_in_staff(client, clerk)
    page = client.get(reverse("admin:tasks_application_change", args=[application.pk]))
    assert page.status_code == HTTPStatus.OK and "办理当前环节:受理" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = act(client, application, "accept", opinion="材料齐全")
    assert "【受理】已通过" in response.content.decode()
    application.refresh_from_db()
    assert application.current_step == "review"
    assert member.messages.filter(content__contains="材料齐全").exists()


def test_admin_refuses_a_wrong_role_and_a_stale_step_and_audits_it(client, member, clerk, reviewer):
    application = make_application(member)
    log_in_staff(client, reviewer)
    response = act(client, application, "accept")
    assert "您没有【受理】环节的办理权限" in response.content.decode()
    log_in_staff(client, clerk)
    act(client, application, "accept")
    response = act(client, application, "accept")  # the same form posted again
    assert "不是该申请的当前环节" in response.content.decode()
    application.refresh_from_db()
    assert application.current_step == "review"
    assert application.steps.filter(approver__isnull=False).count() == 1
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.APPLICATION_REFUSED).count() == 2


def test_admin_reject_without_opinion_is_refused(client, member, clerk):
    application = make_application(member)
    log_in_staff(client, clerk)
    response = act(client, application, "accept", decision="reject", opinion="")
    assert services.OPINION_REQUIRED in response.content.decode()
    response = act(client, application, "accept", decision="bogus")
    assert "请选择通过或不通过" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "in_progress"


def test_admin_act_is_post_only_and_needs_view_permission(client, member):
    from tasks.tests.conftest import staff_in

    application = make_application(member)
    url = reverse("admin:tasks_application_act", args=[application.pk])
    log_in_staff(client, staff_in(None, username="nobody"))
    assert client.post(url, {"step": "accept", "decision": "approve"}).status_code == HTTPStatus.FORBIDDEN
    assert client.get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_admin_lists_filters_and_finds_by_exact_id_number(client, member, clerk):
    application = make_application(member)
    other = MemberUserFactory().member
    log_in_staff(client, clerk)
    changelist = reverse("admin:tasks_application_changelist")
    response = client.get(changelist, {"q": member.id_number})
    assert list(response.context["cl"].result_list) == [application]
    assert list(client.get(changelist, {"q": member.id_number[:10]}).context["cl"].result_list) == []
    assert list(client.get(changelist, {"q": other.id_number}).context["cl"].result_list) == []
    for params in ({"status__exact": "in_progress"}, {"current_step__exact": "accept"}, {"kind__exact": "withdrawal"}):
        assert list(client.get(changelist, params).context["cl"].result_list) == [application]
    assert list(client.get(changelist, {"status__exact": "completed"}).context["cl"].result_list) == []


def test_admin_pages_for_a_superuser_are_read_only_with_the_act_form(staff_client, member):
    application = make_application(member)
    response = staff_client.get(reverse("admin:tasks_application_change", args=[application.pk]))
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "提交办理结果" in html and 'name="_save"' not in html
    assert staff_client.get(reverse("admin:tasks_application_add")).status_code == HTTPStatus.FORBIDDEN


def test_admin_shows_the_fields_of_the_applications_kind(staff_client, member):
    loan = services.loan_submit(
        member=member,
        amount=Decimal("300000.00"),
        term_years=15,
        repayment_method="equal_installment",
        property_address="枣庄市市中区光明路1号",
        property_price=Decimal("500000.00"),
        form_token=uuid.uuid4(),
    ).application
    withdrawal = make_application(member)
    loan_page = staff_client.get(reverse("admin:tasks_application_change", args=[loan.pk])).content.decode()
    withdrawal_page = staff_client.get(reverse("admin:tasks_application_change", args=[withdrawal.pk])).content.decode()
    assert "房屋坐落" in loan_page and "收款银行账号" not in loan_page
    assert "收款银行账号" in withdrawal_page and "房屋坐落" not in withdrawal_page


@pytest.mark.parametrize("count", [1, 30])
def test_application_pages_query_count_does_not_grow(member_client, member, count, django_assert_max_num_queries):
    for _ in range(count):
        services.application_withdraw(member=member, pk=make_application(member).pk)
    latest = Application.objects.filter(member=member).first()
    # session + user + member + loan menu, then the page's own reads.
    with django_assert_max_num_queries(6):
        assert member_client.get(reverse("tasks:applications")).status_code == HTTPStatus.OK
    with django_assert_max_num_queries(6):
        assert member_client.get(reverse("tasks:application_detail", args=[latest.pk])).status_code == HTTPStatus.OK


def test_withdrawal_page_says_up_front_why_no_withdrawal_is_possible(member_client, member):
    account = member.fund_account
    account.status = "02"
    account.save()
    html = member_client.get(WITHDRAWAL).content.decode()
    assert "您的公积金账户已封存" in html and 'data-testid="withdrawal-form"' not in html
    account.status, account.bank_account_no = "01", ""
    account.save()
    html = member_client.get(WITHDRAWAL).content.decode()
    assert "未登记收款银行账号" in html and 'data-testid="withdrawal-form"' not in html


def test_loan_page_states_the_members_blocker_but_keeps_the_trial(member_client, member):
    from inquiry.tests.factories import LoanContractFactory

    assert 'data-testid="loan-blocker"' not in member_client.get(LOAN).content.decode()
    LoanContractFactory(member=member)
    html = member_client.get(LOAN).content.decode()
    assert "您有尚未结清的住房公积金贷款" in html and 'data-testid="trial"' in html
