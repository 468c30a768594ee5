"""What the task area does when the center's records tell it something.

The records (`inquiry`) never import this app: they send signals inside their
transactions, and these receivers, connected in TasksConfig.ready, write the
messages to the outbox in that same transaction (delivered after its commit).
"""

from django.dispatch import receiver

from inquiry.signals import decisions_settled, loan_disbursed, member_phone_changed
from tasks import services
from tasks.services.decisions import decisions_settle
from zzgjj_portal.masking import mask_phone
from zzgjj_portal.money import format_money

PHONE_CHANGED_BUSINESS = "预留手机号变更"
PHONE_CHANGED_TEXT = "您在中心预留的手机号码已变更为{phone}。如非本人办理,请立即联系服务大厅或拨打12329。"
LOAN_DISBURSED_BUSINESS = "贷款发放"
LOAN_DISBURSED_TEXT = "您的借款合同【{contract_no}】贷款{amount}元已于{day}发放,首期应还日期{due},月还款额{payment}元。"
PHONE_REMOVED_TEXT = "您在中心预留的手机号码已注销。如非本人办理,请立即联系服务大厅或拨打12329。"


@receiver(member_phone_changed, dispatch_uid="tasks_message_on_phone_change")
def on_member_phone_changed(sender, *, member, old_phone: str, new_phone: str, **kwargs):
    # Masked: a message is shown on screen, possibly on a shared PC.
    content = PHONE_CHANGED_TEXT.format(phone=mask_phone(new_phone)) if new_phone else PHONE_REMOVED_TEXT
    services.message_send_on_commit(member=member, business=PHONE_CHANGED_BUSINESS, content=content)


@receiver(loan_disbursed, dispatch_uid="tasks_message_on_loan_disbursed")
def on_loan_disbursed(sender, *, member, contract, **kwargs):
    content = LOAN_DISBURSED_TEXT.format(
        contract_no=contract.contract_no,
        amount=format_money(contract.amount),
        day=f"{contract.disbursed_on:%Y-%m-%d}",
        due=f"{contract.next_due_on:%Y-%m-%d}",
        payment=format_money(contract.monthly_payment),
    )
    services.message_send_on_commit(member=member, business=LOAN_DISBURSED_BUSINESS, content=content)


@receiver(decisions_settled, dispatch_uid="tasks_settle_decisions")
def on_decisions_settled(sender, *, booked: list[str], refused: dict[str, str], **kwargs):
    # In the import's transaction: the decisions settle with the books they
    # answer, and the members' messages go out only if it commits.
    decisions_settle(booked=list(booked), refused=dict(refused))
