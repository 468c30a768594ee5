"""Every admin page, as every staff role: no full ID number, phone or bank
account number without the full-identity permission, and none anywhere
without an audit row.

The walk takes its pages from admin.site's registry, so a model registered
tomorrow is walked too; it must get one object in `seed_every_admin_model`,
or test_admin_walk_seeds_every_registered_model fails and says which.
"""

import json
import re
import uuid
from datetime import timedelta
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import SmsLog, SmsPurpose
from accounts.tests.factories import MemberUserFactory, StaffUserFactory
from conftest import log_in_staff, staff_totp_device
from inquiry import services as records
from inquiry.models import CertificateVerification, ImportReject, ImportRun
from inquiry.tests.certificate_rows import certificate_make
from inquiry.tests.factories import (
    FundAccountFactory,
    LedgerEntryFactory,
    LoanContractFactory,
    LoanProgressStepFactory,
    MemberFactory,
    RepaymentFactory,
)
from tasks.models import Broadcast, ChannelToken, DecisionExport
from tasks.models.applications import Application, ApplicationStep
from tasks.tests.factories import CompletedApplicationFactory, DecisionFactory, MessageFactory
from zzgjj_portal.audit import audit_record
from zzgjj_portal.masking import mask_phone
from zzgjj_portal.models import AuditEvent

pytestmark = pytest.mark.django_db

BANK_ACCOUNT = "6217000101000012345"
# A co-borrower is a person, not necessarily a member of ours: no Member row.
CO_BORROWER_ID = "370402198507070012"


def seed_every_admin_model() -> set[str]:
    """One or more objects of every model admin shows, made of two members'
    records; returns the numbers no page may show in full (ID numbers,
    phones, bank account numbers)."""
    staff = StaffUserFactory(name="王柜员")
    staff_totp_device(staff)  # otp_totp.TOTPDevice
    account = FundAccountFactory(bank_account_no=BANK_ACCOUNT)  # Employer, Member, FundAccount
    member = account.member
    other = FundAccountFactory(member=MemberFactory(phone="")).member
    MemberUserFactory(member=member)
    records.member_phone_change(member=other, phone="13955556666", changed_by=staff)  # AuditEvent
    audit_record(kind=AuditEvent.Kind.LOGIN_FAILURE, member=member, detail=mask_phone(member.phone))
    LedgerEntryFactory(account=account, amount=Decimal("12345.67"), balance_after=Decimal("12345.67"))
    loan = LoanContractFactory(member=member, annual_rate=Decimal("0.02600"))
    LoanProgressStepFactory(contract=loan)
    RepaymentFactory(contract=loan)
    SmsLog.objects.create(
        created_at=timezone.now(),
        member=member,
        phone_masked=mask_phone(member.phone),
        purpose=SmsPurpose.REGISTER,
        backend="console",
        ok=True,
    )
    now = timezone.now() - timedelta(days=1)
    withdrawal = Application.objects.create(
        member=member,
        kind=Application.Kind.WITHDRAWAL,
        withdrawal_kind=Application.WithdrawalKind.RENT,
        amount=Decimal("1234.56"),
        bank_account_no=BANK_ACCOUNT,
        submitted_at=now,
        current_step=Application.Step.ACCEPT,
        form_token=uuid.uuid4(),
    )
    loan_application = Application.objects.create(
        member=member,
        kind=Application.Kind.LOAN,
        amount=Decimal("300000.00"),
        term_years=20,
        repayment_method="equal_installment",
        annual_rate=Decimal("0.02600"),
        property_address="枣庄市市中区光明路1号",
        property_price=Decimal("600000.00"),
        co_borrower_name="李华",
        co_borrower_id_number=CO_BORROWER_ID,
        submitted_at=now,
        current_step=Application.Step.ACCEPT,
        form_token=uuid.uuid4(),
    )
    for application in (withdrawal, loan_application):
        ApplicationStep.objects.create(
            application=application, order=1, step=Application.Step.ACCEPT, state=ApplicationStep.State.CURRENT
        )
    DecisionFactory(  # a withdrawal approved and sent to the core (发件箱)
        application=CompletedApplicationFactory(member=member, bank_account_no=BANK_ACCOUNT),
        account_no=account.account_no,
        bank_account_no=BANK_ACCOUNT,
        amount=Decimal("2345.67"),
    )
    DecisionExport.objects.create(batch_no=1, exported_at=timezone.now(), folder="/srv/exchange/out/1", rows=1)
    MessageFactory(member=member, content="您的提取申请已办结。")
    Broadcast.objects.create(sent_by=staff, business="通知", content="服务大厅国庆假期安排。", recipient_count=2)
    ChannelToken.objects.create(channel="counter", name="柜台", token_hash="0" * 64, created_by=staff)
    run = ImportRun.objects.create(
        batch_no=1,
        kind=ImportRun.Kind.DELTA,
        folder="/srv/batches/1",
        status=ImportRun.Status.APPLIED,
        started_at=now,
        finished_at=now + timedelta(seconds=3),
        rows_total=10,
        rows_applied=9,
        rows_rejected=1,
    )
    ImportReject.objects.create(run=run, table="GRMX", line_no=5, key="GRMX0005", reason="FSE 金额最多两位小数: 1.005")
    certificate, _ = certificate_make(member, subject=account.account_no, verify_count=1, last_verified_at=now)
    CertificateVerification.objects.create(certificate=certificate, method="code", ip_masked="203.0.113.*")
    certificate_make(member, voided_at=now, void_reason="证明内容有误", voided_by=staff)
    numbers = {CO_BORROWER_ID, BANK_ACCOUNT}
    for person in (member, other):
        numbers |= {person.id_number, person.phone}
    return {number for number in numbers if number}


def staff_roles() -> dict[str, Client]:
    """A logged-in client per role: a superuser, and a plain staff account in
    each group that exists (大厅柜员, 受理员, 审核员, 审批员 and any added later)."""
    users = {"superuser": StaffUserFactory(name="超级管理员")}
    # Made by data migrations; a walk without them would prove little.
    assert {"大厅柜员", "受理员", "审核员", "审批员"} <= set(Group.objects.values_list("name", flat=True))
    for group in Group.objects.order_by("name"):
        users[group.name] = StaffUserFactory(is_superuser=False, name=f"{group.name}甲")
        users[group.name].groups.add(group)
    clients = {}
    for role, user in users.items():
        clients[role] = log_in_staff(Client(), user)
        clients[role].staff = user
    return clients


def admin_pages() -> list[tuple[str, str]]:
    """(what, url) of every registered changelist and of each object's change page."""
    pages = []
    for model in admin.site._registry:
        opts = model._meta
        pages.append((f"{opts.label} 列表", reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")))
        for obj in model._default_manager.all()[:5]:
            try:
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            except NoReverseMatch:
                continue
            pages.append((f"{opts.label} {obj.pk}", url))
    return pages


def full_numbers_in(html: str, numbers: set[str]) -> list[str]:
    return sorted(number for number in numbers if number in html)


def test_admin_walk_seeds_every_registered_model():
    seed_every_admin_model()
    empty = [model._meta.label for model in admin.site._registry if not model._default_manager.exists()]
    assert empty == [], f"seed_every_admin_model 未为这些模型建对象,管理页面遍历无法检查它们:{empty}"


def test_admin_every_page_hides_full_numbers_from_staff_without_the_permission():
    numbers = seed_every_admin_model()
    clients = staff_roles()
    pages = admin_pages()
    seen = 0
    for role, client in clients.items():
        if role == "superuser":
            continue
        assert not client.staff.has_perm(records.FULL_IDENTITY_PERMISSION), role
        for what, url in pages:
            response = client.get(url)
            # Not this role's page, or an object its list leaves out (admin sends it to the index).
            if response.status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.FOUND):
                continue
            assert response.status_code == HTTPStatus.OK, (role, what, response.status_code)
            seen += 1
            assert full_numbers_in(response.content.decode(), numbers) == [], (role, what)
    # Each role reached pages (the walk is not empty), the hall clerk most.
    assert seen > 20


def test_admin_full_numbers_only_with_the_permission_and_each_view_audited():
    numbers = seed_every_admin_model()
    client = staff_roles()["superuser"]
    shown = set()
    for what, url in admin_pages():
        before = AuditEvent.objects.filter(kind=AuditEvent.Kind.FULL_IDENTITY_VIEWED).count()
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK, (what, response.status_code)
        found = full_numbers_in(response.content.decode(), numbers)
        audited = AuditEvent.objects.filter(kind=AuditEvent.Kind.FULL_IDENTITY_VIEWED).count() - before
        if "列表" in what:
            # Lists mask for everyone: a list shows many people at once.
            assert found == [], what
        elif found:
            assert audited == 1, f"{what} 显示了完整号码 {found} 却没有写安全审计"
        shown |= set(found)
    # The superuser does see every number somewhere (member, account, application pages).
    assert shown == numbers


UNFORMATTED_MONEY = re.compile(r"(?<![\d,.])\d{4,}\.\d{2}(?!\d)")
RAW_RATE = re.compile(r"(?<![\d.])0\.\d{4,5}(?!\d)")


def test_admin_every_page_shows_money_grouped_and_rates_as_percentages():
    seed_every_admin_model()
    client = staff_roles()["superuser"]
    for what, url in admin_pages():
        html = client.get(url).content.decode()
        assert UNFORMATTED_MONEY.findall(html) == [], what
        assert RAW_RATE.findall(html) == [], what


ENGLISH = (
    "Can add",
    "Can change",
    "Can delete",
    "Can view",
    "TOTP device",
    "captcha store",
    "four_eyes",
    "no_role",
    "confirmed",
    "last used at",
    "Last used at",
    "Created at",
    "arrow button",
    "After you",
    "Model name",
)


def visible_text(html: str) -> str:
    """What a reader sees of a page: no scripts, styles, tags or attributes."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_admin_every_page_names_models_and_permissions_in_chinese():
    seed_every_admin_model()
    client = staff_roles()["superuser"]
    group = Group.objects.get(name="大厅柜员")
    extra = [
        ("首页", reverse("admin:index")),
        ("组", reverse("admin:auth_group_change", args=[group.pk])),
        ("新组", reverse("admin:auth_group_add")),
        ("新工作人员", reverse("admin:accounts_user_add")),
    ]
    for what, url in admin_pages() + extra:
        text = visible_text(client.get(url).content.decode())
        assert [word for word in ENGLISH if word in text] == [], what
    assert "动态口令设备" in client.get(reverse("admin:index")).content.decode()


def test_permissions_have_chinese_names_after_migrate():
    from django.contrib.auth.models import Permission

    assert not Permission.objects.filter(name__startswith="Can ").exists()
    assert Permission.objects.get(codename="add_totpdevice").name == "可添加动态口令设备"
    assert Permission.objects.get(codename="view_member").name == "可查看缴存职工"
    assert Permission.objects.get(codename="view_full_identity").name == "可查看完整身份证号、手机号码和银行账号"


def test_admin_javascript_pickers_speak_chinese(staff_client):
    # The group and user pages' permission pickers take their help from
    # admin's JavaScript catalog, where Django's zh_Hans lacks these strings.
    script = staff_client.get(reverse("admin:jsi18n")).content.decode()
    catalog = json.loads(
        script[script.index("const newcatalog = ") + 19 : script.index(";", script.index("newcatalog"))]
    )
    for english in ('Choose %s by selecting them and then select the "Choose" arrow button.', "Choose all %s"):
        assert re.search("[\u4e00-\u9fff]", catalog.get(english, "")), english


def test_admin_loan_page_labels_its_rows_without_database_ids(staff_client):
    loan = LoanContractFactory()
    LoanProgressStepFactory(contract=loan, order=1, name="申请受理")
    RepaymentFactory(contract=loan)
    html = staff_client.get(reverse("admin:inquiry_loancontract_change", args=[loan.pk])).content.decode()
    assert "1. 申请受理" in html and "2020-09-01 还款" in html
    assert f"{loan.pk} 1. 申请受理" not in html
