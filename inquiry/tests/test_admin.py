"""Hall staff in admin: find a member, register or change the reserved phone."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from inquiry.models import Member
from inquiry.tests.factories import FundAccountFactory, MemberFactory
from zzgjj_portal.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["name", "id_number", "phone"])
def test_admin_finds_member_by_name_id_or_phone(staff_client, field):
    member = FundAccountFactory(member=MemberFactory(name="赵一鸣", phone="13911112222")).member
    MemberFactory(name="钱二")
    response = staff_client.get(reverse("admin:inquiry_member_changelist"), {"q": getattr(member, field)})
    assert response.status_code == HTTPStatus.OK
    assert list(response.context["cl"].result_list) == [member]


def change_phone(staff_client, member, phone):
    url = reverse("admin:inquiry_member_change", args=[member.pk])
    data = {
        "phone": phone,
        "auditevent_set-TOTAL_FORMS": "0",
        "auditevent_set-INITIAL_FORMS": "0",
        "auditevent_set-MIN_NUM_FORMS": "0",
        "auditevent_set-MAX_NUM_FORMS": "1000",
    }
    return staff_client.post(url, data)


def test_admin_phone_change_is_saved_and_recorded_masked(staff_client):
    member = MemberFactory(phone="13800001111")
    response = change_phone(staff_client, member, "13999998888")
    assert response.status_code == HTTPStatus.FOUND
    member.refresh_from_db()
    assert member.phone == "13999998888"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PHONE_CHANGED, member=member)
    assert event.actor == staff_client.staff
    assert event.detail == "138****1111 → 139****8888"
    assert "13800001111" not in event.detail and "13999998888" not in event.detail


def test_admin_phone_registration_on_member_without_phone_is_recorded(staff_client):
    member = MemberFactory(phone="")
    change_phone(staff_client, member, "13712345678")
    assert AuditEvent.objects.get(member=member, kind=AuditEvent.Kind.PHONE_CHANGED).detail == "(无) → 137****5678"


def test_admin_phone_change_shows_history_on_member_page(staff_client):
    member = MemberFactory(phone="13800001111")
    change_phone(staff_client, member, "13999998888")
    html = staff_client.get(reverse("admin:inquiry_member_change", args=[member.pk])).content.decode()
    assert "预留手机号变更记录" in html and "138****1111 → 139****8888" in html


@pytest.mark.parametrize(("phone", "message"), [("12345", "手机号码应为11位大陆手机号"), ("taken", "手机号码")])
def test_admin_phone_change_refuses_bad_or_taken_number(staff_client, phone, message):
    MemberFactory(phone="13600001111")
    member = MemberFactory(phone="13800001111")
    response = change_phone(staff_client, member, "13600001111" if phone == "taken" else phone)
    assert response.status_code == HTTPStatus.OK  # the form again, with the error
    assert message in response.content.decode()
    member.refresh_from_db()
    assert member.phone == "13800001111"
    assert not AuditEvent.objects.filter(member=member).exists()


def test_admin_unchanged_phone_records_nothing(staff_client):
    member = MemberFactory(phone="13800001111")
    change_phone(staff_client, member, "13800001111")
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PHONE_CHANGED).exists()


def test_admin_new_member_with_phone_is_recorded(staff_client):
    data = {
        "name": "孙三",
        "id_number": "370402199001011238",
        "phone": "13700001111",
        "auditevent_set-TOTAL_FORMS": "0",
        "auditevent_set-INITIAL_FORMS": "0",
        "auditevent_set-MIN_NUM_FORMS": "0",
        "auditevent_set-MAX_NUM_FORMS": "1000",
    }
    response = staff_client.post(reverse("admin:inquiry_member_add"), data)
    assert response.status_code == HTTPStatus.FOUND
    member = Member.objects.get(id_number="370402199001011238")
    assert member.phone == "13700001111"
    assert AuditEvent.objects.get(member=member, kind=AuditEvent.Kind.PHONE_CHANGED).detail == "(无) → 137****1111"


def test_admin_user_page_never_shows_password(staff_client, member_user):
    response = staff_client.get(reverse("admin:accounts_user_change", args=[member_user.pk]))
    html = response.content.decode()
    # The account's own page, with its fields: only the password is missing.
    assert response.status_code == HTTPStatus.OK
    assert f'value="{member_user.username}"' in html and 'name="name"' in html
    shown = {name for _, options in response.context["adminform"].fieldsets for name in options["fields"]}
    assert {"username", "name"} <= shown and "password" not in shown
    # Neither the hash nor Django's summary of it (algorithm, salt, masked hash).
    algorithm, _, _ = member_user.password.partition("$")
    assert member_user.password not in html and algorithm not in html
    assert "read_only_password_hash" not in html and "哈希" not in html


@pytest.mark.parametrize(
    "name",
    [
        "admin:inquiry_member_changelist",
        "admin:inquiry_fundaccount_changelist",
        "admin:inquiry_ledgerentry_changelist",
        "admin:inquiry_loancontract_changelist",
        "admin:inquiry_repayment_changelist",
        "admin:tasks_message_changelist",
        "admin:zzgjj_portal_auditevent_changelist",
        "admin:accounts_user_changelist",
    ],
)
def test_admin_changelists_open(staff_client, member_user, name):
    assert staff_client.get(reverse(name)).status_code == HTTPStatus.OK


def test_admin_member_page_links_to_account_ledger_and_loans(staff_client):
    from inquiry.tests.factories import LedgerEntryFactory, LoanContractFactory

    entry = LedgerEntryFactory()
    LedgerEntryFactory(serial_no="OTHERENTRY01")  # another member's entry
    member = entry.account.member
    loan = LoanContractFactory(member=member)
    LoanContractFactory(contract_no="OTHERLOAN01")
    html = staff_client.get(reverse("admin:inquiry_member_change", args=[member.pk])).content.decode()
    ledger_url = reverse("admin:inquiry_ledgerentry_changelist") + f"?account__id__exact={entry.account.pk}"
    loans_url = reverse("admin:inquiry_loancontract_changelist") + f"?member__id__exact={member.pk}"
    assert ledger_url.replace("&", "&amp;") in html and loans_url in html
    assert list(staff_client.get(ledger_url).context["cl"].result_list) == [entry]
    assert list(staff_client.get(loans_url).context["cl"].result_list) == [loan]


def test_admin_ledger_list_marks_an_entry_the_core_has_not_booked(staff_client):
    from decimal import Decimal

    from inquiry.tests.factories import LedgerEntryFactory

    account = FundAccountFactory()
    LedgerEntryFactory(account=account, amount=Decimal("100.00"), balance_after=Decimal("100.00"), summary="汇缴")
    LedgerEntryFactory(
        account=account, amount=Decimal("-30.00"), balance_after=Decimal("70.00"), summary="网上租房提取", pending=True
    )
    page = staff_client.get(reverse("admin:inquiry_ledgerentry_changelist")).content.decode()
    assert "【待入账】网上租房提取" in page and "【待入账】汇缴" not in page
