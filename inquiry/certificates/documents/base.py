"""What every certificate is made of: the Document to issue, the refusal, and
the facts and messages the kinds share."""

from dataclasses import dataclass, field

from inquiry import selectors
from inquiry.models import FundAccount, Member
from zzgjj_portal.masking import mask_id_number
from zzgjj_portal.money import format_money

NO_ACCOUNT_FOR = "您尚未开立住房公积金账户,无法开具{title}"
NO_ACCOUNT = NO_ACCOUNT_FOR.format(title="缴存证明")
ACCOUNT_CHECKING = "您的账户数据正在核对中,暂不能开具证明,请稍后再试"


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


def yuan(amount) -> str:
    """An amount as a certificate states it: `1,234.56 元`."""
    return f"{format_money(amount)} 元"


def day(value) -> str:
    return value.strftime("%Y-%m-%d")


def account_for(member: Member, *, title: str) -> FundAccount:
    """The member's fund account (with its employer) for a certificate of it;
    refused when the member has none."""
    account = selectors.member_fund_account(member=member)
    if account is None:
        raise CertificateRefused(NO_ACCOUNT_FOR.format(title=title), code="no_account")
    return account


def holder_facts(member: Member, account: FundAccount) -> list[tuple[str, str]]:
    """Whose account it is, as the account-based certificates open (ID number masked)."""
    return [
        ("姓名", member.name),
        ("身份证号", mask_id_number(member.id_number)),
        ("个人账号", account.account_no),
        ("单位名称", account.employer.name),
    ]
