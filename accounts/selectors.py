"""Reads behind the accounts pages."""

import math
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import SmsCode


def sms_cooldown_left(*, phone: str) -> int:
    """Seconds until this phone may get another code (0 when it may now);
    the send button counts them down."""
    if not phone:
        return 0
    last = SmsCode.objects.filter(phone=phone).order_by("-created_at").values_list("created_at", flat=True).first()
    if last is None:
        return 0
    left = (last + timedelta(seconds=settings.ACCOUNTS_SMS_COOLDOWN) - timezone.now()).total_seconds()
    return max(0, math.ceil(left))
