"""Hall staff's application pages in admin: numbers masked unless permitted
(and then audited), a step needs the handler's 姓名, refusals audited in Chinese."""

import uuid
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.tests.factories import StaffUserFactory
from conftest import log_in_staff
from tasks.models.applications import Application
from tasks.services import applications as services
from tasks.tests.conftest import BANK_ACCOUNT, staff_in
from zzgjj_portal.models import AuditEvent

pytestmark = pytest.mark.django_db
CO_BORROWER_ID = "370402198507070012"


def withdrawal(member) -> Application:
    return services.withdrawal_submit(
        member=member, withdrawal_kind="rent", amount=Decimal("1000.00"), form_token=uuid.uuid4()
    ).application


def loan(member) -> Application:
    return services.loan_submit(
        member=member,
        amount=Decimal("200000.00"),
        term_years=20,
        repayment_method="equal_installment",
        property_address="枣庄市市中区光明路1号",
        property_price=Decimal("600000.00"),
        co_borrower_name="李华",
        co_borrower_id_number=CO_BORROWER_ID,
        form_token=uuid.uuid4(),
    ).application


def page(client, application) -> str:
    response = client.get(reverse("admin:tasks_application_change", args=[application.pk]))
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def test_admin_application_list_masks_id_numbers_for_everyone(client, member, clerk):
    withdrawal(member)
    for user in (clerk, StaffUserFactory(name="超级管理员")):
        html = log_in_staff(client, user).get(reverse("admin:tasks_application_changelist")).content.decode()
        assert member.id_number not in html
        assert f"{member.id_number[:6]}********{member.id_number[-4:]}" in html


def test_admin_application_page_masks_numbers_without_the_permission(client, member, clerk):
    log_in_staff(client, clerk)
    html = page(client, withdrawal(member)) + page(client, loan(member))
    for number in (member.id_number, BANK_ACCOUNT, CO_BORROWER_ID):
        assert number not in html
    assert f"{BANK_ACCOUNT[:4]} **** **** {BANK_ACCOUNT[-4:]}" in html and "370402********0012" in html
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.FULL_IDENTITY_VIEWED).exists()


def test_admin_application_page_shows_full_numbers_with_the_permission_and_audits_each_view(client, member, clerk):
    clerk.user_permissions.add(Permission.objects.get(codename="view_full_identity"))
    log_in_staff(client, clerk)
    application = loan(member)
    html = page(client, withdrawal(member)) + page(client, application)
    for number in (member.id_number, BANK_ACCOUNT, CO_BORROWER_ID):
        assert number in html
    events = AuditEvent.objects.filter(kind=AuditEvent.Kind.FULL_IDENTITY_VIEWED, member=member, actor=clerk)
    assert events.count() == 2
    assert f"业务申请{application.pk}的完整身份证号和银行账号" in events.first().detail
    assert member.id_number not in events.first().detail


def test_admin_refused_step_is_audited_in_chinese(client, member, clerk):
    application = withdrawal(member)
    log_in_staff(client, staff_in("审核员", name="李审核"))
    client.post(
        reverse("admin:tasks_application_act", args=[application.pk]),
        {"step": "accept", "decision": "approve", "opinion": ""},
    )
    detail = AuditEvent.objects.get(kind=AuditEvent.Kind.APPLICATION_REFUSED).detail
    assert detail == f"租房提取 申请编号{application.pk} 受理:您没有【受理】环节的办理权限"


def test_admin_staff_without_a_name_cannot_handle_a_step(client, member, django_capture_on_commit_callbacks):
    application = withdrawal(member)
    nameless = staff_in("受理员", name="  ")
    log_in_staff(client, nameless)
    assert services.STAFF_NAME_REQUIRED in page(client, application)
    assert 'form="step-act-form"' not in page(client, application)
    response = client.post(
        reverse("admin:tasks_application_act", args=[application.pk]),
        {"step": "accept", "decision": "approve", "opinion": ""},
        follow=True,
    )
    assert response.status_code == HTTPStatus.OK
    assert services.STAFF_NAME_REQUIRED in response.content.decode()
    application.refresh_from_db()
    assert application.current_step == "accept"
    assert not application.steps.filter(approver=nameless).exists()


def test_admin_application_steps_name_the_handler_as_members_read_it(client, member, clerk):
    application = withdrawal(member)
    services.application_step_approve(application_id=application.pk, step="accept", actor=clerk, opinion="材料齐全")
    html = page(log_in_staff(client, clerk), application)
    assert "张受理(clerk)" in html
