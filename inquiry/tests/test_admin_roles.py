"""Least privilege in admin: the hall clerk role, masked identities, the
full-identity permission (audited), read-only books and the phone conflict."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.tests.factories import StaffUserFactory
from conftest import log_in_staff
from inquiry.tests.factories import FundAccountFactory, LoanContractFactory, MemberFactory
from zzgjj_portal.models import AuditEvent

pytestmark = pytest.mark.django_db
INLINE = {
    "auditevent_set-TOTAL_FORMS": "0",
    "auditevent_set-INITIAL_FORMS": "0",
    "auditevent_set-MIN_NUM_FORMS": "0",
    "auditevent_set-MAX_NUM_FORMS": "1000",
}


@pytest.fixture
def clerk_client(client):
    """A hall clerk: staff, not superuser, in the 大厅柜员 group from the migration."""
    user = StaffUserFactory(is_superuser=False)
    user.groups.add(Group.objects.get(name="大厅柜员"))
    client.staff = user
    return log_in_staff(client, user)


@pytest.fixture
def member():
    return FundAccountFactory(
        member=MemberFactory(name="赵一鸣", id_number="370402199001011238", phone="13911112222")
    ).member


def test_hall_clerk_group_has_least_privilege():
    codenames = set(Group.objects.get(name="大厅柜员").permissions.values_list("codename", flat=True))
    assert {"view_member", "change_member", "add_message", "view_message"} <= codenames
    assert "view_full_identity" not in codenames
    # Sending messages includes broadcasts (one message to many members).
    assert {"add_broadcast", "view_broadcast"} <= codenames
    assert not any(
        c.startswith(("add_", "change_", "delete_")) and not c.endswith(("member", "message", "broadcast"))
        for c in codenames
    )
    assert "delete_member" not in codenames and "add_member" not in codenames


def test_admin_member_list_masks_numbers_and_still_finds_by_full_number(clerk_client, member):
    url = reverse("admin:inquiry_member_changelist")
    for query in (member.id_number, member.phone):
        response = clerk_client.get(url, {"q": query})
        # The search box and sort links echo what the clerk typed; the rows never show it.
        page = response.content.decode()
        html = page[page.index("<tbody>") : page.index("</tbody>")].replace(f"q%3D{query}", "")
        assert list(response.context["cl"].result_list) == [member]
        assert member.id_number not in html and member.phone not in html
        assert "370402********1238" in html and "139****2222" in html


def test_admin_member_list_masks_numbers_for_superusers_too(staff_client, member):
    response = staff_client.get(reverse("admin:inquiry_member_changelist"))
    html = response.content.decode()
    assert list(response.context["cl"].result_list) == [member]
    assert member.id_number not in html and member.phone not in html
    # The row is there, with the numbers in their masked form.
    assert "370402********1238" in html and "139****2222" in html


def test_admin_employer_cannot_be_changed_even_by_a_superuser(staff_client, member):
    employer = member.fund_account.employer
    url = reverse("admin:inquiry_employer_change", args=[employer.pk])
    html = staff_client.get(url).content.decode()
    assert employer.name in html and 'name="name"' not in html  # shown, not a form field
    staff_client.post(url, {"name": "改名单位", "account_no": employer.account_no})
    employer.refresh_from_db()
    assert employer.name != "改名单位"
    delete = staff_client.post(reverse("admin:inquiry_employer_delete", args=[employer.pk]))
    assert delete.status_code == HTTPStatus.FORBIDDEN


def test_admin_member_page_masks_numbers_without_permission_and_audits_nothing(clerk_client, member):
    html = clerk_client.get(reverse("admin:inquiry_member_change", args=[member.pk])).content.decode()
    assert member.id_number not in html and member.phone not in html
    assert "370402********1238" in html and "139****2222" in html
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.FULL_IDENTITY_VIEWED).exists()


def test_admin_member_page_shows_full_numbers_with_permission_and_audits_each_view(clerk_client, member):
    clerk_client.staff.user_permissions.add(Permission.objects.get(codename="view_full_identity"))
    url = reverse("admin:inquiry_member_change", args=[member.pk])
    for _ in range(2):
        html = clerk_client.get(url).content.decode()
        assert member.id_number in html and member.phone in html
    events = AuditEvent.objects.filter(kind=AuditEvent.Kind.FULL_IDENTITY_VIEWED, member=member)
    assert events.count() == 2 and events.first().actor == clerk_client.staff
    assert member.id_number not in events.first().detail


def test_hall_clerk_changes_the_phone_typed_in_full(clerk_client, member):
    url = reverse("admin:inquiry_member_change", args=[member.pk])
    response = clerk_client.post(url, {"new_phone": "13700005555", **INLINE})
    assert response.status_code == HTTPStatus.FOUND
    member.refresh_from_db()
    assert member.phone == "13700005555"
    assert AuditEvent.objects.get(kind=AuditEvent.Kind.PHONE_CHANGED).actor == clerk_client.staff


def test_hall_clerk_empty_new_phone_keeps_the_phone(clerk_client, member):
    clerk_client.post(reverse("admin:inquiry_member_change", args=[member.pk]), {"new_phone": "", **INLINE})
    member.refresh_from_db()
    assert member.phone == "13911112222"
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PHONE_CHANGED).exists()


@pytest.mark.parametrize("who", ["clerk", "superuser"])
def test_admin_phone_conflict_names_the_holder_masked(client, member, who):
    user = StaffUserFactory(is_superuser=(who == "superuser"))
    if who == "clerk":
        user.groups.add(Group.objects.get(name="大厅柜员"))
    log_in_staff(client, user)
    other = MemberFactory(phone="13800001111")
    field = "new_phone" if who == "clerk" else "phone"
    response = client.post(reverse("admin:inquiry_member_change", args=[other.pk]), {field: member.phone, **INLINE})
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "该手机号码已由缴存职工 赵一鸣(身份证号 370402********1238)登记" in html
    assert "member_phone_unique" not in html
    other.refresh_from_db()
    assert other.phone == "13800001111"


@pytest.mark.parametrize("model", ["employer", "fundaccount", "loancontract", "ledgerentry", "repayment"])
def test_admin_books_are_read_only_even_for_superusers(staff_client, model):
    assert staff_client.get(reverse(f"admin:inquiry_{model}_add")).status_code == HTTPStatus.FORBIDDEN


def test_admin_fund_account_and_loan_cannot_be_changed(staff_client):
    account = FundAccountFactory()
    loan = LoanContractFactory(member=account.member)
    balance = account.balance
    url = reverse("admin:inquiry_fundaccount_change", args=[account.pk])
    assert staff_client.get(url).status_code == HTTPStatus.OK  # viewable
    staff_client.post(url, {"deposit_base": "99999.00", "status": "06"})
    account.refresh_from_db()
    assert account.balance == balance and account.status != "06"
    url = reverse("admin:inquiry_loancontract_change", args=[loan.pk])
    html = staff_client.get(url).content.decode()
    assert 'name="amount"' not in html and "loanprogressstep_set-TOTAL_FORMS" not in html
    assert staff_client.post(reverse("admin:inquiry_loancontract_delete", args=[loan.pk])).status_code == (
        HTTPStatus.FORBIDDEN
    )


def test_hall_clerk_reaches_members_and_messages_and_nothing_of_staff_accounts(clerk_client, member):
    assert clerk_client.get(reverse("admin:inquiry_member_changelist")).status_code == HTTPStatus.OK
    assert clerk_client.get(reverse("admin:inquiry_member_change", args=[member.pk])).status_code == HTTPStatus.OK
    assert clerk_client.get(reverse("admin:tasks_message_add")).status_code == HTTPStatus.OK
    assert clerk_client.get(reverse("admin:inquiry_fundaccount_changelist")).status_code == HTTPStatus.OK
    for name in ("admin:accounts_user_changelist", "admin:auth_group_changelist", "admin:inquiry_member_add"):
        assert clerk_client.get(reverse(name)).status_code == HTTPStatus.FORBIDDEN, name


def test_hall_clerk_sees_the_phone_change_record_on_the_member_page(clerk_client, member):
    clerk_client.post(reverse("admin:inquiry_member_change", args=[member.pk]), {"new_phone": "13700005555", **INLINE})
    html = clerk_client.get(reverse("admin:inquiry_member_change", args=[member.pk])).content.decode()
    assert "预留手机号变更记录" in html and "139****2222 → 137****5555" in html


def test_hall_clerk_sees_phone_changes_in_the_audit_trail_and_nothing_else(clerk_client, member):
    from zzgjj_portal.audit import audit_record

    clerk_client.post(reverse("admin:inquiry_member_change", args=[member.pk]), {"new_phone": "13700005555", **INLINE})
    login = audit_record(kind=AuditEvent.Kind.LOGIN_FAILURE, member=member, detail="370402********1238")
    response = clerk_client.get(reverse("admin:zzgjj_portal_auditevent_changelist"))
    assert response.status_code == HTTPStatus.OK
    assert [event.kind for event in response.context["cl"].result_list] == [AuditEvent.Kind.PHONE_CHANGED]
    assert "登录失败" not in response.content.decode()  # neither a row nor a filter offers other kinds
    # Another kind of event is not reachable by its address either.
    other = clerk_client.get(reverse("admin:zzgjj_portal_auditevent_change", args=[login.pk]))
    assert other.status_code != HTTPStatus.OK
    assert "安全审计" in clerk_client.get(reverse("admin:index")).content.decode()
