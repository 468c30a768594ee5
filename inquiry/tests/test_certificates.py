"""我的证明 and the 缴存证明 (issue 19): issuing is one POST per click, the PDF
is signed, stored and served again byte for byte, 作废 takes effect at once,
and nobody reaches another member's certificate."""

import hashlib
import uuid
from datetime import timedelta
from decimal import Decimal
from http import HTTPStatus
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from inquiry.certificates import codes
from inquiry.certificates.digest import code_digest
from inquiry.certificates.figures import consecutive_months
from inquiry.models import AccountStatus, Certificate, CertificatePDF, LedgerEntry, LoanContract
from inquiry.tests.factories import LedgerEntryFactory, LoanContractFactory, MemberFactory
from zzgjj_portal.models import AuditEvent

pytestmark = pytest.mark.django_db
LIST = reverse("inquiry:certificates")
ISSUE = reverse("inquiry:certificate_deposit")


def issue(client, *, purpose="loan", purpose_text="", token=None):
    return client.post(
        ISSUE, {"form_token": str(token or uuid.uuid4()), "purpose": purpose, "purpose_text": purpose_text}
    )


def pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_consecutive_months_counts_back_from_paid_through_until_a_gap():
    periods = {"202401", "202402", "202404", "202405", "202406"}
    assert consecutive_months(periods, through="202406") == 3
    assert consecutive_months(periods, through="202402") == 2
    assert consecutive_months(periods, through="202403") == 0
    assert consecutive_months(periods, through="") == 0
    # Across a year end.
    assert consecutive_months({"202311", "202312", "202401"}, through="202401") == 3


def test_codes_carry_at_least_80_bits_without_look_alikes():
    code = codes.code_generate()
    assert len(code) == codes.LENGTH and codes.LENGTH * 4.954 >= 80  # log2(31) = 4.954
    assert not set("01ILO") & set(codes.ALPHABET)
    shown = codes.code_display(code)
    assert shown.count("-") == 4 and codes.code_normalize(shown.lower().replace("-", " - ")) == code
    assert codes.code_normalize(shown[:-1]) is None and codes.code_normalize("O" * 20) is None
    hint = codes.code_hint(code)
    assert hint.startswith(shown[:4]) and hint.endswith(shown[-4:]) and shown[5:9] not in hint


def test_issue_deposit_certificate_stores_the_signed_pdf_and_serves_the_same_bytes(
    member_client, member, account, center_signer
):
    account.paid_through = "202611"
    account.save()
    for month in range(1, 12):
        LedgerEntryFactory(account=account, kind=LedgerEntry.Kind.MONTHLY_DEPOSIT, period=f"2026{month:02d}")

    response = issue(member_client, purpose="other", purpose_text="银行开户")

    assert response.status_code == HTTPStatus.FOUND and response.url == LIST
    certificate = Certificate.objects.get(member=member)
    assert certificate.kind == Certificate.Kind.DEPOSIT and certificate.purpose_label == "其他(银行开户)"
    facts = dict(certificate.facts)
    assert facts["身份证号"] == member.id_number[:6] + "********" + member.id_number[-4:]
    assert facts["连续缴存月数"] == "11 个月" and facts["缴至年月"] == "2026年11月"
    assert facts["贷款情况"] == "无"
    assert certificate.valid_until - certificate.issued_at == timedelta(days=30)
    stored = CertificatePDF.objects.get(certificate=certificate).data
    assert hashlib.sha256(stored).hexdigest() == certificate.pdf_sha256

    page = member_client.get(LIST)
    html = page.content.decode()
    assert certificate.code_hint in html and "有效" in html and "其他(银行开户)" in html
    download = member_client.get(reverse("inquiry:certificate_pdf", args=[certificate.pk]))
    assert download.status_code == HTTPStatus.OK and download["Content-Type"] == "application/pdf"
    assert download.content == bytes(stored)
    assert "no-store" in download["Cache-Control"]
    text = pdf_text(download.content)
    assert "缴存证明" in text and member.name in text and member.id_number not in text
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CERTIFICATE_ISSUED, member=member).count() == 1


def test_the_code_on_the_pdf_is_the_one_stored_as_a_keyed_hash(member_client, member, center_signer):
    issue(member_client)
    certificate = Certificate.objects.get(member=member)
    text = pdf_text(bytes(certificate.document.data)).replace(" ", "")
    shown = text.split("核验码:")[1][:24]
    code = codes.code_normalize(shown)
    assert code is not None and certificate.code_hash == code_digest(code)
    # Not a plain hash: the key matters.
    assert certificate.code_hash != hashlib.sha256(code.encode()).hexdigest()


def test_a_double_click_issues_one_certificate(member_client, member, center_signer):
    token = uuid.uuid4()
    first = issue(member_client, token=token)
    second = issue(member_client, token=token)
    assert first.status_code == second.status_code == HTTPStatus.FOUND
    assert Certificate.objects.filter(member=member).count() == 1
    messages = [str(m) for m in second.wsgi_request._messages]
    assert messages[-1] == "该证明已开具,请勿重复提交"


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (AccountStatus.NORMAL, True),
        (AccountStatus.SEALED, True),
        (AccountStatus.FROZEN, False),
        (AccountStatus.CLOSED_WITHDRAWN, False),
    ],
)
def test_deposit_certificate_only_for_normal_or_sealed_accounts(
    member_client, member, account, center_signer, status, allowed
):
    account.status = status
    account.save()
    response = issue(member_client)
    assert Certificate.objects.filter(member=member).exists() is allowed
    if not allowed:
        assert response.status_code == HTTPStatus.OK
        assert f"您的个人账户状态为【{account.get_status_display()}】" in response.content.decode()


def test_purpose_other_needs_its_words_and_at_most_20(member_client, member, center_signer):
    assert "请填写用途说明" in issue(member_client, purpose="other").content.decode()
    assert "用途说明不能超过20个字" in issue(member_client, purpose="other", purpose_text="字" * 21).content.decode()
    assert "请选择用途" in issue(member_client, purpose="").content.decode()
    assert not Certificate.objects.exists()


def test_loan_situation_says_unsettled_or_settled(member_client, member, center_signer):
    LoanContractFactory(member=member, status=LoanContract.Status.SETTLED, outstanding_principal=Decimal("0"))
    issue(member_client)
    assert dict(Certificate.objects.get().facts)["贷款情况"] == "已结清"
    LoanContractFactory(member=member, contract_no="ZZOPEN", status=LoanContract.Status.ACTIVE)
    issue(member_client)
    assert dict(Certificate.objects.order_by("-id").first().facts)["贷款情况"] == "有未结清贷款"


def test_void_by_the_member_takes_effect_and_stops_downloads(member_client, member, center_signer):
    issue(member_client)
    certificate = Certificate.objects.get()
    confirm = member_client.get(reverse("inquiry:certificate_void", args=[certificate.pk]))
    assert "是" in confirm.content.decode() and "否" in confirm.content.decode()
    response = member_client.post(reverse("inquiry:certificate_void", args=[certificate.pk]))
    assert response.status_code == HTTPStatus.FOUND
    certificate.refresh_from_db()
    assert certificate.state == Certificate.State.VOID and certificate.void_reason == "本人作废"
    assert "已作废" in member_client.get(LIST).content.decode()
    download = member_client.get(reverse("inquiry:certificate_pdf", args=[certificate.pk]))
    assert download.status_code == HTTPStatus.FOUND
    again = member_client.post(reverse("inquiry:certificate_void", args=[certificate.pk]), follow=True)
    assert "该证明已作废" in again.content.decode()


def test_expired_certificates_say_so(member_client, member, center_signer):
    issue(member_client)
    Certificate.objects.update(
        issued_at=timezone.now() - timedelta(days=40), valid_until=timezone.now() - timedelta(days=10)
    )
    assert Certificate.objects.get().state == Certificate.State.EXPIRED
    assert "已过期" in member_client.get(LIST).content.decode()


@pytest.mark.parametrize("view", ["inquiry:certificate_pdf", "inquiry:certificate_void"])
def test_another_members_certificate_is_404(member_client, center_signer, client, view):
    other = MemberFactory()
    theirs = Certificate.objects.create(
        member=other,
        kind=Certificate.Kind.DEPOSIT,
        title="缴存证明",
        purpose="loan",
        code_hash="0" * 64,
        code_hint="AAAA-****-****-****-BBBB",
        form_token=uuid.uuid4(),
        pdf_sha256="0" * 64,
        valid_until=timezone.now() + timedelta(days=30),
    )
    assert member_client.get(reverse(view, args=[theirs.pk])).status_code == HTTPStatus.NOT_FOUND
    assert member_client.post(reverse("inquiry:certificate_void", args=[theirs.pk])).status_code == HTTPStatus.NOT_FOUND
    theirs.refresh_from_db()
    assert theirs.voided_at is None


def test_certificate_pages_need_a_login(client):
    for url in (LIST, reverse("inquiry:certificate_pdf", args=[1])):
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND and response.url.startswith("/?next=")


def test_signer_down_issues_nothing_and_says_so(member_client, member, settings):
    settings.CERTIFICATE_SIGNER_P12 = "/nonexistent/center.p12"
    response = issue(member_client)
    assert response.status_code == HTTPStatus.OK
    assert "证明签章服务暂不可用" in response.content.decode()
    assert not Certificate.objects.exists()


def test_issue_date_is_today_in_the_balance_line(member_client, member, account, center_signer):
    issue(member_client)
    assert f"截至 {timezone.localdate():%Y-%m-%d}" in dict(Certificate.objects.get().facts)["账户余额"]


def test_the_qr_code_opens_verify_with_the_printed_code_in_the_fragment(
    member_client, member, center_signer, monkeypatch
):
    from inquiry.certificates import rendering, services

    drawn = []
    real = rendering.qr_svg

    def recording(text):
        drawn.append(text)
        return real(text)

    monkeypatch.setattr(services, "qr_svg", recording)
    issue(member_client)
    certificate = Certificate.objects.get(member=member)
    text = pdf_text(bytes(certificate.document.data)).replace(" ", "")
    printed = text.split("核验码:")[1][:24]
    assert drawn == [f"https://gjj.example.cn/verify/#{printed}"]
    # The fragment never reaches a server: the code is in no request line or access log.
    assert "?" not in drawn[0]
    assert "<svg" in real(drawn[0]) and real(drawn[0]).startswith("<svg")
