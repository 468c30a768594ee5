"""Test data and readers shared by the URL walk, the fuzz and the leak tests:
two members with everything a member can have, the text of any response
(page, Excel download, PDF), and a snapshot of a member's rows."""

import io
import zipfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.db import models
from django.forms.models import model_to_dict

from inquiry.models import FundAccount, LoanContract, Member


@dataclass
class Person:
    user: object
    member: Member
    markers: list[str]  # strings only this member's data contains


def make_person(tag: str) -> Person:
    """A registered member with an account, ledger, a running loan with
    progress and repayments, and messages; `markers` name all of it."""
    from accounts.tests.factories import MemberUserFactory
    from inquiry.tests.factories import (
        FundAccountFactory,
        LedgerEntryFactory,
        LoanContractFactory,
        LoanProgressStepFactory,
        MemberFactory,
        RepaymentFactory,
    )
    from tasks.services import message_send

    member = MemberFactory(name=f"{tag}姓名甲")
    account = FundAccountFactory(member=member, account_no=f"88{tag}0000001")
    user = MemberUserFactory(member=member, password="Secret#2026a")
    LedgerEntryFactory(
        account=account, serial_no=f"SN{tag}000001", summary=f"{tag}汇缴摘要", booked_on=date(2025, 3, 15)
    )
    # Figures of this member only (the tag's letters in them), shown with thousands separators.
    amount = Decimal(f"{270000 + ord(tag[0]) * 100 + ord(tag[1])}.37")
    principal = Decimal(f"{3000 + ord(tag[0]) * 10 + ord(tag[1]) % 10}.71")
    loan = LoanContractFactory(member=member, contract_no=f"HT{tag}000001", amount=amount)
    LoanProgressStepFactory(contract=loan, order=1, name=f"{tag}受理节点")
    RepaymentFactory(contract=loan, repaid_on=date(2025, 3, 1), principal=principal)
    message_send(member=member, business=f"{tag}业务名称", content=f"{tag}消息内容秘密")
    certificate_add(member, tag)
    markers = [
        member.id_number,
        member.phone,
        member.name,
        account.account_no,
        loan.contract_no,
        f"SN{tag}000001",
        f"{tag}汇缴摘要",
        f"{tag}消息内容秘密",
        f"{amount:,.2f}",
        f"{tag}受理节点",
        f"{principal:,.2f}",
    ]
    return Person(user=user, member=member, markers=markers)


def certificate_add(member: Member, tag: str):
    """An issued certificate of the member's, as the issuing service stores it
    but unsigned (the walks need one to look at, not a signer)."""
    import uuid
    from datetime import timedelta

    import weasyprint
    from django.utils import timezone

    from inquiry.models import Certificate, CertificatePDF

    pdf = weasyprint.HTML(string=f"<p>缴存证明 {member.name} {tag}证明正文</p>").write_pdf()
    certificate = Certificate.objects.create(
        member=member,
        kind=Certificate.Kind.DEPOSIT,
        title="缴存证明",
        purpose=Certificate.Purpose.LOAN,
        code_hash=f"{tag}".encode().hex().ljust(64, "0"),
        code_hint=f"{tag}AA-****-****-****-BBBB",
        form_token=uuid.uuid4(),
        facts=[["姓名", member.name]],
        pdf_sha256="0" * 64,
        valid_until=timezone.now() + timedelta(days=30),
    )
    CertificatePDF.objects.create(certificate=certificate, data=pdf)
    return certificate


def response_text(response) -> str:
    """What a person would read in the response: HTML, the cells of an .xlsx
    (a zip of XML) or the text of a PDF."""
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    if content.startswith(b"%PDF"):
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    return content.decode("utf-8", "replace")


def owned_rows(member: Member) -> dict[str, list[dict]]:
    """Every row that belongs to `member`: the member, and each row of any
    model pointing at the member, the fund account or a loan contract (found
    through the models' foreign keys, so a new model is included)."""
    owners = {
        Member: [member.pk],
        FundAccount: list(FundAccount.objects.filter(member=member).values_list("pk", flat=True)),
        LoanContract: list(LoanContract.objects.filter(member=member).values_list("pk", flat=True)),
    }
    rows = {"inquiry.Member": [model_to_dict(member)]}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey | models.OneToOneField) and field.related_model in owners:
                found = model._default_manager.filter(**{f"{field.name}__in": owners[field.related_model]})
                rows[f"{model._meta.label}.{field.name}"] = [model_to_dict(row) for row in found.order_by("pk")]
    return rows


def owned_pks(member: Member) -> set[int]:
    """The primary keys of everything `member` owns (candidates for URL arguments)."""
    return {row["id"] for group in owned_rows(member).values() for row in group if isinstance(row.get("id"), int)}
