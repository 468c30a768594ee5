"""Writes of certificates: issuing (render, sign, store), voiding (by the
member or by staff), and recording a verification."""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.http import HttpRequest
from django.utils import timezone

from inquiry.certificates import codes
from inquiry.certificates.digest import code_digest
from inquiry.certificates.documents import CertificateRefused, Document
from inquiry.certificates.rendering import certificate_pdf, qr_svg, verify_url
from inquiry.models import Certificate, CertificatePDF, CertificateVerification, Member
from zzgjj_portal.audit import audit_record
from zzgjj_portal.masking import mask_ip
from zzgjj_portal.models import AuditEvent
from zzgjj_portal.naming import CENTER_NAME

ALREADY_VOID = "该证明已作废"
VOID_REASON_BY_MEMBER = "本人作废"


@dataclass(frozen=True)
class Issued:
    certificate: Certificate
    # False when the form token had already issued it (a double click).
    created: bool


def certificate_issue(
    *, member: Member, document: Document, form_token: uuid.UUID, request: HttpRequest | None = None
) -> Issued:
    """Issue `document` for `member`: a new 核验码, the PDF rendered, signed
    and stored with its SHA-256, in one transaction.

    One certificate per form token, decided by the (member, form_token)
    constraint: a double click that gets past the first look renders twice
    but stores once, and both clicks get the same certificate. Raises
    zzgjj_portal.signing.SignerUnavailable when the PDF cannot be signed;
    nothing is stored then."""
    existing = Certificate.objects.filter(member=member, form_token=form_token).first()
    if existing is not None:
        return Issued(existing, False)
    code = codes.code_generate()
    shown = codes.code_display(code)
    issued_at = timezone.now().replace(microsecond=0)
    valid_until = issued_at + timedelta(days=document.valid_days)
    context = {
        **document.context,
        "center_name": CENTER_NAME,
        "title": document.title,
        "facts": document.facts,
        "code": shown,
        "qr_svg": qr_svg(verify_url(shown)),
        "verify_address": f"{settings.PORTAL_BASE_URL}/verify/",
        "issued_at": timezone.localtime(issued_at),
        "valid_until": timezone.localtime(valid_until),
    }
    pdf = certificate_pdf(template=document.template, context=context, title=document.title)
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                member=member,
                kind=document.kind,
                title=document.title,
                purpose=document.purpose,
                purpose_text=document.purpose_text,
                subject=document.subject,
                code_hash=code_digest(code),
                code_hint=codes.code_hint(code),
                form_token=form_token,
                facts=[list(fact) for fact in document.facts],
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                pdf_size=len(pdf),
                issued_at=issued_at,
                valid_until=valid_until,
            )
            CertificatePDF.objects.create(certificate=certificate, data=pdf)
            audit_record(
                kind=AuditEvent.Kind.CERTIFICATE_ISSUED,
                request=request,
                member=member,
                detail=f"{document.title} {certificate.code_hint}",
            )
    except IntegrityError:
        existing = Certificate.objects.filter(member=member, form_token=form_token).first()
        if existing is None:
            raise
        return Issued(existing, False)
    return Issued(certificate, True)


def certificate_void(
    *, certificate: Certificate, reason: str = VOID_REASON_BY_MEMBER, staff=None, request: HttpRequest | None = None
) -> Certificate:
    """作废: from now on /verify/ says 已作废. By the member (no staff, the
    reason 本人作废) or by staff with the permission (the view checks it;
    their reason is shown to the member). Voiding twice is refused: the
    first reason stands. The row is locked so two voids cannot both win."""
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.voided_at is not None:
            raise CertificateRefused(ALREADY_VOID, code="already_void")
        locked.voided_at = timezone.now()
        locked.void_reason = reason.strip()[:100]
        locked.voided_by = staff
        locked.save(update_fields=["voided_at", "void_reason", "voided_by"])
        audit_record(
            kind=AuditEvent.Kind.CERTIFICATE_VOIDED,
            request=request,
            member=locked.member,
            actor=staff,
            detail=f"{locked.title} {locked.code_hint}:{locked.void_reason}",
        )
    return locked


def verification_record(
    *, certificate: Certificate, method: str, ip: str | None, file_matches: bool | None = None
) -> datetime:
    """One look at `certificate` on /verify/: logged with the masked address.
    The member's 核验次数 and 最近核验时间 are read from this log
    (Certificate.objects.with_verifications), so a look is this one INSERT."""
    now = timezone.now()
    # The INSERT written out, not Model.objects.create(): compiling it was a
    # sixth of a /verify/ request's CPU (measured against the anonymous floor
    # in make bench). The values go through the backend's own adapters.
    connection = connections[router.db_for_write(CertificateVerification)]
    with connection.cursor() as cursor:
        cursor.execute(
            _VERIFICATION_INSERT,
            [
                certificate.pk,
                connection.ops.adapt_datetimefield_value(now),
                method,
                mask_ip(ip),
                file_matches,
            ],
        )
    return now


_VERIFICATION_INSERT = (
    f"INSERT INTO {CertificateVerification._meta.db_table} "  # noqa: S608 - names from the model, values as parameters
    "(certificate_id, verified_at, method, ip_masked, file_matches) VALUES (%s, %s, %s, %s, %s)"
)
