"""What each certificate says, read from the member's records: the facts (as
printed and as /verify/ shows them, ID number masked), the template that draws
them and how long the certificate is valid. A certificate the records do not
allow is refused here with the reason, before anything is rendered.

Every builder starts from the member (their account, their contracts): there is
no way to name someone else's records.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from inquiry import selectors
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
from zzgjj_portal.masking import mask_id_number
from zzgjj_portal.money import format_money

NO_ACCOUNT = "您尚未开立住房公积金账户,无法开具缴存证明"
ACCOUNT_STATUS_REFUSED = "您的个人账户状态为【{status}】,只有正常或封存状态的账户可以开具缴存证明"
ACCOUNT_CHECKING = "您的账户数据正在核对中,暂不能开具证明,请稍后再试"

LOAN_NONE = "无"
LOAN_UNSETTLED = "有未结清贷款"
LOAN_SETTLED = "已结清"


class CertificateRefused(Exception):
    """The records do not allow this certificate; `message` says why (shown to the member)."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Document:
    """A certificate to issue: what it says and how it is drawn."""

    kind: str
    title: str
    subject: str
    # (label, value) as printed; /verify/ shows the same list.
    facts: list[tuple[str, str]]
    template: str
    valid_days: int
    # Whatever else the template draws (rows, totals).
    context: dict = field(default_factory=dict)
    purpose: str = ""
    purpose_text: str = ""


def _percent(rate) -> str:
    return f"{(rate * 100).normalize():f}%"


def _period_text(period: str) -> str:
    return f"{period[:4]}年{period[4:]}月" if len(period) == 6 else ""


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
    account = selectors.member_fund_account(member=member)
    if account is None:
        raise CertificateRefused(NO_ACCOUNT, code="no_account")
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
        ("姓名", member.name),
        ("身份证号", mask_id_number(member.id_number)),
        ("个人账号", account.account_no),
        ("单位名称", account.employer.name),
        ("账户状态", account.get_status_display()),
        ("开户日期", account.opened_on.strftime("%Y-%m-%d")),
        ("缴存基数", f"{format_money(account.deposit_base)} 元"),
        ("单位缴存比例", _percent(account.employer_rate)),
        ("个人缴存比例", _percent(account.personal_rate)),
        ("月缴存额", f"{format_money(account.monthly_deposit)} 元"),
        ("缴至年月", _period_text(account.paid_through) or "—"),
        ("连续缴存月数", f"{consecutive_months(periods, through=account.paid_through)} 个月"),
        ("账户余额", f"{format_money(account.balance)} 元(截至 {today:%Y-%m-%d})"),
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
