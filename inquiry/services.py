"""Writes to the center's records that hall staff make."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from inquiry.models import Member, validate_phone
from inquiry.signals import member_phone_changed
from zzgjj_portal.audit import audit_record
from zzgjj_portal.masking import mask_phone
from zzgjj_portal.models import AuditEvent


@transaction.atomic
def member_phone_change(*, member: Member, phone: str, changed_by, request: HttpRequest | None = None) -> Member:
    """Register or change a member's reserved phone (staff only) and record who,
    when, and the old and new numbers, masked.

    Raises ValidationError when the number is not a mainland mobile or is
    already reserved by another member (it is a login name).
    """
    phone = (phone or "").strip()
    validate_phone(phone)
    locked = Member.objects.select_for_update().get(pk=member.pk)
    old = locked.phone
    if old == phone:
        return locked
    if phone and Member.objects.filter(phone=phone).exclude(pk=locked.pk).exists():
        raise ValidationError("该手机号码已被其他缴存职工登记", code="phone_taken")
    locked.phone = phone
    locked.save(update_fields=["phone"])
    audit_record(
        kind=AuditEvent.Kind.PHONE_CHANGED,
        request=request,
        member=locked,
        actor=changed_by,
        detail=f"{mask_phone(old) or '(无)'} → {mask_phone(phone) or '(无)'}",
    )
    # Other apps react after the commit (the task area messages the member),
    # so a rolled-back change never tells anyone anything.
    transaction.on_commit(
        lambda: member_phone_changed.send(sender=Member, member=locked, old_phone=old, new_phone=phone)
    )
    member.phone = phone
    return locked
