"""年度对账单: one ended 缴存年度 (1 July – 30 June) of the member's account,
with the figures of inquiry.statements (opening + movements = closing)."""

from datetime import date

from django.conf import settings

from inquiry import selectors
from inquiry.certificates.documents.base import (
    ACCOUNT_CHECKING,
    CertificateRefused,
    Document,
    account_for,
    day,
    holder_facts,
    yuan,
)
from inquiry.models import CertificateKind, Member
from inquiry.statements import AnnualStatement

ANNUAL_NO_YEAR = "您的账户没有{year}-{next_year}缴存年度的记录"
ANNUAL_NOT_ISSUED = "{label}的年度对账单{status},不能开具"


def statement_facts(statement: AnnualStatement) -> list[tuple[str, str]]:
    """The year's figures in the order they add up (the PDF and /verify/)."""
    return [
        ("缴存年度", f"{statement.label}({day(statement.start)} 至 {day(statement.end)})"),
        ("上年结转余额", yuan(statement.opening)),
        ("本年汇缴", yuan(statement.deposits)),
        ("本年补缴", yuan(statement.back_payments)),
        ("本年提取", yuan(statement.withdrawals)),
        ("本年结息", yuan(statement.interest)),
        ("本年转入", yuan(statement.transfers_in)),
        ("本年转出", yuan(statement.transfers_out)),
        ("年末余额", yuan(statement.closing)),
    ]


def annual_document(*, member: Member, year: int, today: date) -> Document:
    """年度对账单 of the 缴存年度 that starts on 1 July `year`. Only a year
    whose statement is issued (statements.Status.ISSUED: ended, reconciled,
    nothing 待入账 in it); any other says its status."""
    title = CertificateKind.ANNUAL.label
    account = account_for(member, title=title)
    if account.discrepancy:
        raise CertificateRefused(ACCOUNT_CHECKING, code="checking")
    statement = next((s for s in selectors.annual_statements(member=member, today=today) if s.start.year == year), None)
    if statement is None:
        raise CertificateRefused(ANNUAL_NO_YEAR.format(year=year, next_year=year + 1), code="no_year")
    if not statement.issued:
        raise CertificateRefused(
            ANNUAL_NOT_ISSUED.format(label=statement.label, status=statement.status_label), code=statement.status
        )
    return Document(
        kind=CertificateKind.ANNUAL,
        title=title,
        subject=statement.label,
        facts=[*holder_facts(member, account), *statement_facts(statement)],
        template="inquiry/certificates/annual_pdf.html",
        valid_days=settings.INQUIRY_CERTIFICATE_HISTORY_VALID_DAYS,
        context={"statement": statement},
    )
