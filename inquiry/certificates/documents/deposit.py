"""缴存证明: the account as it stands on the day of issue."""

from datetime import date

from django.conf import settings

from inquiry.certificates.documents.base import (
    ACCOUNT_CHECKING,
    CertificateRefused,
    Document,
    account_for,
    day,
    holder_facts,
    yuan,
)
from inquiry.certificates.figures import consecutive_months
from inquiry.models import (
    UNSETTLED_LOAN_STATUSES,
    AccountStatus,
    CertificateKind,
    CertificatePurpose,
    LedgerEntry,
    LoanContract,
    LoanStatus,
    Member,
)
from zzgjj_portal.money import format_rate


def _period_text(period: str) -> str:
    # 缴至年月 as the certificate has always printed it (2026年04月), not
    # zzgjj_portal.periods.format_period's 2026年4月: issued certificates and
    # their verification pages keep one form.
    return f"{period[:4]}年{period[4:]}月" if len(period) == 6 else ""


ACCOUNT_STATUS_REFUSED = "您的个人账户状态为【{status}】,只有正常或封存状态的账户可以开具缴存证明"

LOAN_NONE = "无"
LOAN_UNSETTLED = "有未结清贷款"
LOAN_SETTLED = "已结清"


def _loan_situation(member: Member) -> str:
    statuses = set(LoanContract.objects.filter(member=member).values_list("status", flat=True))
    if statuses & set(UNSETTLED_LOAN_STATUSES):
        return LOAN_UNSETTLED
    if LoanStatus.SETTLED in statuses:
        return LOAN_SETTLED
    return LOAN_NONE


def deposit_document(*, member: Member, purpose: str, purpose_text: str = "", today: date) -> Document:
    """缴存证明: the account as it stands today. Only for a 正常 or 封存
    account whose figures reconcile (an account being checked says so)."""
    account = account_for(member, title=CertificateKind.DEPOSIT.label)
    if account.status not in (AccountStatus.NORMAL, AccountStatus.SEALED):
        raise CertificateRefused(
            ACCOUNT_STATUS_REFUSED.format(status=account.get_status_display()), code="account_status"
        )
    if account.discrepancy:
        raise CertificateRefused(ACCOUNT_CHECKING, code="checking")
    # 连续缴存月数 counts booked 汇缴/补缴 months only: a 待入账 entry may yet be refused.
    periods = set(
        LedgerEntry.objects.filter(
            account=account,
            kind__in=(LedgerEntry.Kind.MONTHLY_DEPOSIT, LedgerEntry.Kind.BACK_PAYMENT),
            pending=False,
        )
        .exclude(period="")
        .values_list("period", flat=True)
        .distinct()
    )
    purpose_label = CertificatePurpose(purpose).label
    if purpose == CertificatePurpose.OTHER:
        purpose_label = f"其他({purpose_text})"
    facts = [
        *holder_facts(member, account),
        ("账户状态", account.get_status_display()),
        ("开户日期", day(account.opened_on)),
        ("缴存基数", yuan(account.deposit_base)),
        ("单位缴存比例", format_rate(account.employer_rate)),
        ("个人缴存比例", format_rate(account.personal_rate)),
        ("月缴存额", yuan(account.monthly_deposit)),
        ("缴至年月", _period_text(account.paid_through) or "—"),
        ("连续缴存月数", f"{consecutive_months(periods, through=account.paid_through)} 个月"),
        ("账户余额", f"{yuan(account.balance)}(截至 {day(today)})"),
        ("贷款情况", _loan_situation(member)),
        ("用途", purpose_label),
    ]
    return Document(
        kind=CertificateKind.DEPOSIT,
        title=CertificateKind.DEPOSIT.label,
        subject=account.account_no,
        facts=facts,
        template="inquiry/certificates/deposit_pdf.html",
        valid_days=settings.INQUIRY_CERTIFICATE_VALID_DAYS,
        purpose=purpose,
        purpose_text=purpose_text if purpose == CertificatePurpose.OTHER else "",
    )
