"""缴存明细: the 缴存支取信息 page's rows of a date range, as a certificate.

One read (selectors.ledger_entries), three formats: the page shows the same
range's rows and totals, the Excel file (数据下载) is built from the same
result by exports.ledger_sheet, and so are these rows, so the three can
never disagree (inquiry/tests/test_certificate_kinds.py compares them)."""

from datetime import date

from django.conf import settings

from inquiry import exports, selectors
from inquiry.certificates.documents.base import (
    ACCOUNT_CHECKING,
    CertificateRefused,
    Document,
    account_for,
    holder_facts,
    yuan,
)
from inquiry.models import CertificateKind, Member

LEDGER_EMPTY = "该日期范围内没有缴存支取记录,无需开具缴存明细"


def ledger_document(*, member: Member, start: date | None, end: date | None) -> Document:
    """缴存明细 of the member's entries booked between start and end
    (inclusive; None is open, as on the page), with the range's totals.
    The facts (what /verify/ shows) are the header, not the rows. 待入账
    entries are shown as the page shows them (摘要 【待入账】…)."""
    title = CertificateKind.LEDGER.label
    account = account_for(member, title=title)
    # As the page and its file: an account being reconciled shows no figures.
    if account.discrepancy:
        raise CertificateRefused(ACCOUNT_CHECKING, code="checking")
    result = selectors.ledger_entries(member=member, start=start, end=end)
    sheet = exports.ledger_sheet(member=member, start=start, end=end, result=result)
    if not sheet.rows:
        raise CertificateRefused(LEDGER_EMPTY, code="empty")
    range_text = exports.range_text(start, end)
    # The page's two charts, printed above the rows (one query).
    drawn = selectors.ledger_charts(member=member, start=start, end=end) if settings.INQUIRY_CHARTS else {}
    facts = [
        *holder_facts(member, account),
        ("查询日期", range_text),
        ("收入合计", yuan(result.income_total)),
        ("支出合计", yuan(result.outgo_total)),
        ("笔数", f"{len(sheet.rows)} 笔"),
    ]
    return Document(
        kind=CertificateKind.LEDGER,
        title=title,
        subject=range_text,
        facts=facts,
        template="inquiry/certificates/ledger_pdf.html",
        valid_days=settings.INQUIRY_CERTIFICATE_HISTORY_VALID_DAYS,
        context={
            "rows": sheet.rows,
            "income_total": result.income_total,
            "outgo_total": result.outgo_total,
            "has_pending": any(result.rows.column("pending")),
            **drawn,
        },
    )
