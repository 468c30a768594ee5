"""Reads of certificates: what the member can issue, the member's list, one
of theirs (or 404), one by its 核验码 (for /verify/), and a certificate's
stored PDF."""

from dataclasses import dataclass
from datetime import date

from django.http import Http404

from inquiry import selectors as records
from inquiry.certificates import codes
from inquiry.certificates.digest import code_digest
from inquiry.models import Certificate, CertificatePDF, FundAccount, LoanContract, LoanStatus, Member
from inquiry.statements import AnnualStatement
from zzgjj_portal.compiled import CompiledRead


@dataclass(frozen=True)
class LoanOffer:
    """A contract on 我的证明's 开具贷款结清证明 list."""

    loan: LoanContract
    settled_on: date | None

    @property
    def settled(self) -> bool:
        return self.loan.status == LoanStatus.SETTLED

    @property
    def issuable(self) -> bool:
        # What loan_settled_document accepts; it says why for the rest.
        return self.settled and not self.loan.discrepancy and self.settled_on is not None


@dataclass(frozen=True)
class Offers:
    """What 我的证明 offers besides the 缴存证明: the member's contracts and,
    newest first, their 缴存年度 (none while the account is being checked:
    its figures are not shown anywhere then)."""

    account: FundAccount | None
    loans: list[LoanOffer]
    statements: list[AnnualStatement]


def certificate_offers(*, member: Member, today: date) -> Offers:
    """The contracts and 缴存年度 of 我的证明's issuing sections: four queries
    (account, contracts, their settlement dates, the ledger's five columns)."""
    account = records.member_fund_account(member=member)
    loans = records.member_loan_list(member=member)
    any_settled = any(loan.status == LoanStatus.SETTLED for loan in loans)
    settled = records.loan_settled_dates(member=member) if any_settled else {}
    statements = []
    if account is not None and not account.discrepancy:
        statements = records.annual_statements(member=member, today=today)[::-1]
    return Offers(
        account=account,
        loans=[LoanOffer(loan, settled.get(loan.pk)) for loan in loans],
        statements=statements,
    )


def member_certificates(*, member: Member) -> list[Certificate]:
    """我的证明: the member's certificates, newest first."""
    return list(Certificate.objects.for_member(member).with_verifications().order_by("-issued_at", "-id"))


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


# /verify/ reads one certificate by its digest on every try (make bench
# measures it against the anonymous floor): SQL compiled once per process.
_by_digest = CompiledRead(lambda code_hash: Certificate.objects.filter(code_hash=code_hash)[:1], code_hash=str)


def certificate_by_code(typed: str | None) -> Certificate | None:
    """The certificate whose 核验码 someone typed, or None. A malformed code
    and an unknown one both give None: the caller cannot tell them apart."""
    code = codes.code_normalize(typed)
    # A malformed code is hashed and looked up too (under the digest of "",
    # which no 20-character code has), so it costs what an unknown one does.
    found = _by_digest(code_hash=code_digest(code or ""))
    return found[0] if found and code is not None else None


def certificate_pdf_bytes(*, certificate: Certificate) -> bytes:
    """The stored PDF: the exact bytes whose SHA-256 was recorded at issue."""
    return bytes(CertificatePDF.objects.values_list("data", flat=True).get(certificate=certificate))
