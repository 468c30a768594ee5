"""Reads of certificates: the member's list, one of theirs (or 404), one by
its 核验码 (for /verify/), and a certificate's stored PDF."""

from django.http import Http404

from inquiry.certificates import codes
from inquiry.certificates.digest import code_digest
from inquiry.models import Certificate, CertificatePDF, Member


def member_certificates(*, member: Member) -> list[Certificate]:
    """我的证明: the member's certificates, newest first."""
    return list(Certificate.objects.for_member(member).order_by("-issued_at", "-id"))


def certificate_get_for_member(*, member: Member, pk) -> Certificate:
    """The member's certificate `pk`; anything else (another member's, not a
    number, none) is a 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    certificate = Certificate.objects.for_member(member).filter(pk=pk).first()
    if certificate is None:
        raise Http404
    return certificate


def certificate_by_code(typed: str | None) -> Certificate | None:
    """The certificate whose 核验码 someone typed, or None. A malformed code
    and an unknown one both give None: the caller cannot tell them apart."""
    code = codes.code_normalize(typed)
    # A malformed code is hashed and looked up too (under the digest of "",
    # which no 20-character code has), so it costs what an unknown one does.
    certificate = Certificate.objects.filter(code_hash=code_digest(code or "")).first()
    return certificate if code is not None else None


def certificate_pdf_bytes(*, certificate: Certificate) -> bytes:
    """The stored PDF: the exact bytes whose SHA-256 was recorded at issue."""
    return bytes(CertificatePDF.objects.values_list("data", flat=True).get(certificate=certificate))
