"""Demo messages for `manage.py seed_demo`: the demo member's inbox, made from
their own records (a deposit, the yearly interest, a loan disbursed, a loan
settled), two read and two unread."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from inquiry.demo import DEMO_ID_NUMBER, MemberSpec
from inquiry.demo.loans import at, aware
from inquiry.models import LedgerEntry, Member
from tasks.models import Message
from zzgjj_portal.money import format_money
from zzgjj_portal.periods import format_period

# A read message was read two hours after it came.
READ_AFTER = timedelta(hours=2)


@dataclass
class MessageSpec:
    business: str
    content: str
    channel: Message.Channel
    sent_at: datetime  # naive local time
    read: bool


def demo_messages(spec: MemberSpec, as_of: date) -> list[MessageSpec]:
    """The messages of the demo member (none for the others)."""
    if spec.id_number != DEMO_ID_NUMBER:
        return []
    settled_loan, active = spec.loans[0], spec.loans[1]
    deposit_kinds = (LedgerEntry.Kind.MONTHLY_DEPOSIT, LedgerEntry.Kind.BACK_PAYMENT)
    last_deposit = next(e for e in reversed(spec.entries) if e.kind in deposit_kinds)
    # The latest June 30 settlement, announced on July 1.
    settled_year = as_of.year if as_of.month >= 7 else as_of.year - 1
    return [
        MessageSpec(
            "汇缴到账",
            f"您{format_period(last_deposit.period)}的住房公积金{format_money(last_deposit.amount)}元已汇缴到账。",
            Message.Channel.SMS,
            at(last_deposit.booked_on, 16),
            False,
        ),
        MessageSpec(
            "年度结息",
            f"您的住房公积金账户{settled_year}年度结息已完成,请登录网上服务大厅查询。",
            Message.Channel.PORTAL,
            at(date(settled_year, 7, 1), 9),
            False,
        ),
        MessageSpec(
            "贷款发放",
            f"您的借款合同【{active.contract_no}】贷款{format_money(active.amount)}元已于{active.disbursed_on:%Y-%m-%d}发放。",
            Message.Channel.COUNTER,
            at(active.disbursed_on, 15),
            True,
        ),
        MessageSpec(
            "贷款结清",
            f"您的借款合同【{settled_loan.contract_no}】贷款已结清,请到服务大厅办理抵押注销。",
            Message.Channel.COUNTER,
            at(settled_loan.repayments[-1].repaid_on, 11),
            True,
        ),
    ]


def demo_messages_create(member: Member, messages: list[MessageSpec]) -> None:
    Message.objects.bulk_create(
        Message(
            member=member,
            business=m.business,
            content=m.content,
            channel=m.channel,
            sent_at=aware(m.sent_at),
            read_at=aware(m.sent_at) + READ_AFTER if m.read else None,
        )
        for m in messages
    )
