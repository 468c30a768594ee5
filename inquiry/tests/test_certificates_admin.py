"""电子证明 in admin (issue 19): read-only and masked, filtered by kind and
state, found by name, ID number, 个人账号 or a whole 核验码, each with what
/verify/ shows and its verification log, never the PDF or the code's hash;
作废 by the staff allowed to, audited, and read by the member on 我的证明."""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import StaffUserFactory
from conftest import log_in_staff
from inquiry.certificates import services
from inquiry.models import Certificate, CertificateKind, CertificateVerification
from inquiry.tests.certificate_rows import FAKE_PDF, certificate_make
from inquiry.tests.factories import FundAccountFactory, MemberFactory
from zzgjj_portal.models import AuditEvent

pytestmark = pytest.mark.django_db
LIST = reverse("admin:inquiry_certificate_changelist")


def change_url(certificate) -> str:
    return reverse("admin:inquiry_certificate_change", args=[certificate.pk])


def void_url(certificate) -> str:
    return reverse("admin:inquiry_certificate_void", args=[certificate.pk])


def staff_in(client, group: str):
    user = StaffUserFactory(is_superuser=False, name=f"{group}王")
    user.groups.add(Group.objects.get(name=group))
    client.staff = user
    return log_in_staff(client, user)


@pytest.fixture
def clerk(client):
    return staff_in(client, "大厅柜员")


@pytest.fixture
def reviewer(client):
    return staff_in(client, "审核员")


@pytest.fixture
def holder():
    return FundAccountFactory(
        member=MemberFactory(name="赵一鸣", id_number="370402199001011238", phone="13911112222")
    ).member


def rows_html(response) -> str:
    page = response.content.decode()
    return page[page.index("<tbody>") : page.index("</tbody>")]


def test_certificate_roles_view_and_only_the_reviewer_voids():
    def codenames(group):
        return set(Group.objects.get(name=group).permissions.values_list("codename", flat=True))

    assert {"view_certificate"} <= codenames("大厅柜员") and "void_certificate" not in codenames("大厅柜员")
    assert {"view_certificate", "void_certificate"} <= codenames("审核员")
    for group in ("受理员", "审批员"):
        assert not {"view_certificate", "void_certificate"} & codenames(group), group
    # Nobody gets to add, change or delete a certificate in admin.
    for group in Group.objects.all():
        assert not {"add_certificate", "change_certificate", "delete_certificate"} & codenames(group.name)


def test_certificate_list_shows_each_certificate_masked_with_its_state(clerk, holder):
    valid, _ = certificate_make(holder, verify_count=3, last_verified_at=timezone.now())
    certificate_make(holder, kind=CertificateKind.LEDGER, subject="2000-01-01 至 2026-11-30", valid_days=90)
    certificate_make(holder, issued_days_ago=40)
    certificate_make(holder, voided_at=timezone.now(), void_reason="本人作废")

    response = clerk.get(LIST)

    assert response.status_code == HTTPStatus.OK
    html = rows_html(response)
    assert holder.id_number not in html and "370402********1238" in html and "赵一鸣" in html
    first, *_, last = valid.code_hint.split("-")
    assert f"{first}…{last}" in html and "用途:贷款" in html
    assert "缴存明细" in html and "2000-01-01 至 2026-11-30" in html
    states = [row.state_label for row in response.context["cl"].result_list]
    assert sorted(states) == sorted(["有效", "有效", "已过期", "已作废"])
    for state in ("有效", "已过期", "已作废"):
        assert f'<td class="field-state_shown">{state}</td>' in html
    issued = timezone.localtime(valid.issued_at)
    assert f'{issued:%Y-%m-%d %H:%M}<br><span class="quiet">至 ' in html
    assert '<td class="field-verified_shown">3<br><span class="quiet">' in html


def test_certificate_list_costs_the_same_queries_for_one_row_or_twenty(clerk):
    certificate_make(FundAccountFactory().member)
    clerk.get(LIST)  # sessions, content types and permissions cached as after any first page
    with CaptureQueriesContext(connection) as one:
        clerk.get(LIST)
    for _ in range(19):
        certificate_make(FundAccountFactory().member, verify_count=2, last_verified_at=timezone.now())
    with CaptureQueriesContext(connection) as twenty:
        response = clerk.get(LIST)
    assert len(response.context["cl"].result_list) == 20
    assert len(twenty.captured_queries) == len(one.captured_queries)


@pytest.mark.parametrize(
    ("query", "expected"),
    [({"state": "valid"}, {"valid"}), ({"state": "expired"}, {"expired"}), ({"state": "void"}, {"void"})],
)
def test_certificate_list_filters_by_state(clerk, holder, query, expected):
    certificate_make(holder)
    certificate_make(holder, issued_days_ago=31)
    certificate_make(holder, voided_at=timezone.now(), void_reason="本人作废")
    response = clerk.get(LIST, query)
    assert {c.state for c in response.context["cl"].result_list} == expected


def test_certificate_list_filters_by_kind(clerk, holder):
    certificate_make(holder)
    ledger, _ = certificate_make(holder, kind=CertificateKind.LEDGER, subject="2020-01-01 至 2026-11-30")
    response = clerk.get(LIST, {"kind__exact": "ledger"})
    assert list(response.context["cl"].result_list) == [ledger]


def test_certificate_search_by_name_full_id_number_account_or_whole_code(clerk, holder):
    account_no = holder.fund_account.account_no
    mine, code = certificate_make(holder, subject=account_no)
    other, _ = certificate_make(FundAccountFactory(member=MemberFactory(name="钱二")).member)

    def found(term):
        return list(clerk.get(LIST, {"q": term}).context["cl"].result_list)

    assert found("赵一鸣") == [mine]
    assert found(holder.id_number) == [mine]
    assert found(account_no) == [mine]
    # The whole code, as a verifier reads it out: dashes, spaces and case do not matter.
    assert found(code) == [mine] and found(code.replace("-", " ").lower()) == [mine]
    # Fragments of numbers find nothing: staff look a member up, they do not browse.
    assert found(holder.id_number[:10]) == [] and found(code[:9]) == []
    assert other not in found("赵一鸣")


@pytest.mark.parametrize("who", ["clerk", "superuser"])
def test_certificate_admin_is_read_only_even_for_superusers(client, holder, who):
    user = StaffUserFactory(is_superuser=who == "superuser")
    if who == "clerk":
        user.groups.add(Group.objects.get(name="大厅柜员"))
    log_in_staff(client, user)
    certificate, _ = certificate_make(holder)
    assert client.get(reverse("admin:inquiry_certificate_add")).status_code == HTTPStatus.FORBIDDEN
    html = client.get(change_url(certificate)).content.decode()
    assert 'name="void_reason"' not in html and 'name="valid_until' not in html and "deletelink-box" not in html
    client.post(change_url(certificate), {"void_reason": "改", "valid_until_0": "2099-01-01", "verify_count": "0"})
    delete = client.post(reverse("admin:inquiry_certificate_delete", args=[certificate.pk]), {"post": "yes"})
    assert delete.status_code == HTTPStatus.FORBIDDEN
    refreshed = Certificate.objects.get(pk=certificate.pk)
    assert (refreshed.void_reason, refreshed.valid_until) == ("", certificate.valid_until)


def test_certificate_page_shows_the_facts_and_the_log_never_the_pdf_or_the_hash(clerk, holder):
    certificate, code = certificate_make(holder)
    CertificateVerification.objects.create(
        certificate=certificate, method=CertificateVerification.Method.CODE, ip_masked="203.0.113.*"
    )
    CertificateVerification.objects.create(
        certificate=certificate,
        method=CertificateVerification.Method.UPLOAD,
        ip_masked="2001:db8::*",
        file_matches=False,
    )

    response = clerk.get(change_url(certificate))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "<th scope='row'>账户余额</th><td>12,345.67 元</td>" in html
    assert "370402********1238" in html and holder.id_number not in html
    assert "核验记录(最近50次)" in html and "203.0.113.*" in html and "2001:db8::*" in html and "上传文件" in html
    files = [" ".join(cell.split()) for cell in re.findall(r'field-file_shown">(.*?)</td>', html, re.S)]
    assert sorted(files) == ["<p>-</p>", "<p>不一致</p>"]
    assert certificate.code_hash not in html and code not in html and code.replace("-", "") not in html
    assert FAKE_PDF.decode() not in html
    # Nothing of it reaches staff without the full-identity permission, so nothing is audited.
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.FULL_IDENTITY_VIEWED).exists()


def test_certificate_page_shows_the_full_id_number_only_with_the_permission_and_audits_it(clerk, holder):
    certificate, _ = certificate_make(holder)
    clerk.staff.user_permissions.add(Permission.objects.get(codename="view_full_identity"))
    html = clerk.get(change_url(certificate)).content.decode()
    assert holder.id_number in html
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.FULL_IDENTITY_VIEWED)
    assert event.member == holder and event.actor == clerk.staff and certificate.code_hint in event.detail
    # The list masks for everyone.
    assert holder.id_number not in rows_html(clerk.get(LIST))


def test_certificate_page_lists_the_newest_50_verifications(clerk, holder):
    certificate, _ = certificate_make(holder)
    start = timezone.now() - timedelta(days=1)
    CertificateVerification.objects.bulk_create(
        CertificateVerification(
            certificate=certificate,
            verified_at=start + timedelta(minutes=i),
            method=CertificateVerification.Method.CODE,
            ip_masked=f"198.51.{i}.*",
        )
        for i in range(60)
    )
    html = clerk.get(change_url(certificate)).content.decode()
    assert "198.51.59.*" in html and "198.51.10.*" in html and "198.51.9.*" not in html


def test_staff_without_the_void_permission_see_no_button_and_get_403(clerk, holder):
    certificate, _ = certificate_make(holder)
    assert "void-certificate" not in clerk.get(change_url(certificate)).content.decode()
    assert clerk.get(void_url(certificate)).status_code == HTTPStatus.FORBIDDEN
    assert clerk.post(void_url(certificate), {"reason": "误开"}).status_code == HTTPStatus.FORBIDDEN
    assert Certificate.objects.get(pk=certificate.pk).voided_at is None


@pytest.mark.parametrize("group", ["受理员", "审批员"])
def test_application_roles_do_not_reach_certificates(client, holder, group):
    staff_in(client, group)
    certificate, _ = certificate_make(holder)
    assert client.get(LIST).status_code == HTTPStatus.FORBIDDEN
    assert client.get(change_url(certificate)).status_code == HTTPStatus.FORBIDDEN
    assert client.get(void_url(certificate)).status_code == HTTPStatus.FORBIDDEN


def test_reviewer_voids_with_a_reason_audited_and_the_member_reads_it(reviewer, member_user):
    certificate, _ = certificate_make(member_user.member)
    page = reviewer.get(change_url(certificate)).content.decode()
    assert f'href="{void_url(certificate)}"' in page

    form = reviewer.get(void_url(certificate))
    assert form.status_code == HTTPStatus.OK and certificate.code_hint in form.content.decode()
    response = reviewer.post(void_url(certificate), {"reason": " 缴存基数已由业务系统更正 "})

    assert response.status_code == HTTPStatus.FOUND and response.url == change_url(certificate)
    certificate.refresh_from_db()
    assert certificate.state == Certificate.State.VOID and certificate.voided_by == reviewer.staff
    assert certificate.void_reason == "缴存基数已由业务系统更正"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.CERTIFICATE_VOIDED)
    assert event.actor == reviewer.staff and event.member == member_user.member
    assert "缴存基数已由业务系统更正" in event.detail and certificate.code_hint in event.detail
    assert LogEntry.objects.get(object_id=str(certificate.pk)).user == reviewer.staff
    page = reviewer.get(change_url(certificate)).content.decode()
    assert "void-certificate" not in page and "审核员王" in page and "缴存基数已由业务系统更正" in page

    member = Client()
    member.force_login(member_user)
    member_page = member.get(reverse("inquiry:certificates")).content.decode()
    assert "已作废" in member_page and "作废原因:缴存基数已由业务系统更正" in member_page


def test_a_member_voiding_their_own_shows_no_staff_reason(member_client, member_user):
    certificate, _ = certificate_make(member_user.member)
    services.certificate_void(certificate=certificate)
    member_page = member_client.get(reverse("inquiry:certificates")).content.decode()
    assert "已作废" in member_page and "作废原因" not in member_page


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "请填写作废原因"), ("   ", "请填写作废原因"), ("字" * 101, "作废原因不能超过100个字(现为101个字)")],
)
def test_void_needs_a_reason_of_at_most_100_characters(reviewer, holder, reason, message):
    certificate, _ = certificate_make(holder)
    response = reviewer.post(void_url(certificate), {"reason": reason})
    assert response.status_code == HTTPStatus.OK and message in response.content.decode()
    assert Certificate.objects.get(pk=certificate.pk).voided_at is None
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.CERTIFICATE_VOIDED).exists()


def test_voiding_twice_says_so_and_keeps_the_first_reason(reviewer, holder):
    certificate, _ = certificate_make(holder)
    reviewer.post(void_url(certificate), {"reason": "第一次"})
    for response in (reviewer.post(void_url(certificate), {"reason": "第二次"}), reviewer.get(void_url(certificate))):
        assert response.status_code == HTTPStatus.FOUND and response.url == change_url(certificate)
        assert [str(m) for m in response.wsgi_request._messages][-1] == "该证明已作废"
    assert Certificate.objects.get(pk=certificate.pk).void_reason == "第一次"
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CERTIFICATE_VOIDED).count() == 1


def test_a_void_racing_another_says_so(reviewer, holder, monkeypatch):
    # The member voids between the form's check and the service's row lock.
    certificate, _ = certificate_make(holder)
    real = services.certificate_void

    def member_first(**kwargs):
        real(certificate=kwargs["certificate"])
        return real(**kwargs)

    monkeypatch.setattr(services, "certificate_void", member_first)
    response = reviewer.post(void_url(certificate), {"reason": "误开"})
    assert response.status_code == HTTPStatus.FOUND
    assert [str(m) for m in response.wsgi_request._messages][-1] == "该证明已作废"
    assert Certificate.objects.get(pk=certificate.pk).void_reason == services.VOID_REASON_BY_MEMBER


def test_void_of_a_certificate_that_is_not_there_is_404(reviewer):
    assert reviewer.get(reverse("admin:inquiry_certificate_void", args=[999999])).status_code == HTTPStatus.NOT_FOUND


def test_certificate_page_links_the_member_only_for_staff_who_may_open_it(client, holder):
    certificate, _ = certificate_make(holder)
    member_url = reverse("admin:inquiry_member_change", args=[holder.pk])
    staff_in(client, "审核员")
    assert member_url not in client.get(change_url(certificate)).content.decode()
    staff_in(client, "大厅柜员")
    assert member_url in client.get(change_url(certificate)).content.decode()


def test_loading_the_admin_does_not_import_weasyprint():
    # Every manage.py command imports the admin modules (autodiscover); the
    # PDF machinery (a second to import) is for the processes that draw PDFs.
    import subprocess
    import sys
    from pathlib import Path

    from django.conf import settings

    code = "import django, sys; django.setup(); sys.exit('weasyprint' in sys.modules)"
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], cwd=Path(settings.BASE_DIR), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
