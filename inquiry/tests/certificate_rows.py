"""Certificates made straight in the database (no PDF rendered, no signer):
for the pages that only read the rows (admin, lists). Returns the code too,
which only the PDF carries otherwise."""

import uuid
from datetime import timedelta

from django.utils import timezone

from inquiry.certificates import codes
from inquiry.certificates.digest import code_digest
from inquiry.models import Certificate, CertificateKind, CertificatePDF, CertificateVerification, Member
from zzgjj_portal.masking import mask_id_number

FAKE_PDF = b"%PDF-1.7 stand-in bytes of a certificate"


def certificate_make(
    member: Member,
    *,
    kind: str = CertificateKind.DEPOSIT,
    subject: str = "",
    issued_days_ago: int = 1,
    valid_days: int = 30,
    **fields,
) -> tuple[Certificate, str]:
    """An issued certificate of `member` and its 核验码 as printed (dashed).
    `verify_count` / `last_verified_at`: that many looks in its verification
    log, the last one then (the counts are read from the log)."""
    looks = fields.pop("verify_count", 0)
    last_look = fields.pop("last_verified_at", None) or timezone.now()
    code = codes.code_generate()
    issued_at = (timezone.now() - timedelta(days=issued_days_ago)).replace(microsecond=0)
    deposit = kind == CertificateKind.DEPOSIT
    default_facts = [
        ["姓名", member.name],
        ["身份证号", mask_id_number(member.id_number)],
        ["账户余额", "12,345.67 元"],
    ]
    certificate = Certificate.objects.create(
        member=member,
        kind=kind,
        title=CertificateKind(kind).label,
        purpose=fields.pop("purpose", Certificate.Purpose.LOAN if deposit else ""),
        subject=subject,
        code_hash=code_digest(code),
        code_hint=codes.code_hint(code),
        form_token=uuid.uuid4(),
        facts=fields.pop("facts", None) or default_facts,
        pdf_sha256="ab" * 32,
        pdf_size=len(FAKE_PDF),
        issued_at=issued_at,
        valid_until=issued_at + timedelta(days=valid_days),
        **fields,
    )
    CertificatePDF.objects.create(certificate=certificate, data=FAKE_PDF)
    CertificateVerification.objects.bulk_create(
        CertificateVerification(
            certificate=certificate,
            verified_at=last_look - timedelta(minutes=index),
            method=CertificateVerification.Method.CODE,
            ip_masked="203.0.113.*",
        )
        for index in range(looks)
    )
    return certificate, codes.code_display(code)
