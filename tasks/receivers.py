"""What the task area does when the center's records tell it something.

The records (`inquiry`) never import this app: they send signals, and these
receivers, connected in TasksConfig.ready, turn them into messages.
"""

from django.dispatch import receiver

from inquiry.signals import member_phone_changed
from tasks import services
from zzgjj_portal.masking import mask_phone

PHONE_CHANGED_BUSINESS = "预留手机号变更"
PHONE_CHANGED_TEXT = "您在中心预留的手机号码已变更为{phone}。如非本人办理,请立即联系服务大厅或拨打12329。"
PHONE_REMOVED_TEXT = "您在中心预留的手机号码已注销。如非本人办理,请立即联系服务大厅或拨打12329。"


@receiver(member_phone_changed, dispatch_uid="tasks_message_on_phone_change")
def on_member_phone_changed(sender, *, member, old_phone: str, new_phone: str, **kwargs):
    # Masked: a message is shown on screen, possibly on a shared PC.
    content = PHONE_CHANGED_TEXT.format(phone=mask_phone(new_phone)) if new_phone else PHONE_REMOVED_TEXT
    services.message_send(member=member, business=PHONE_CHANGED_BUSINESS, content=content)
