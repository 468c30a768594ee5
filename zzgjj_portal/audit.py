"""Writing to the security audit trail (any app may call it)."""

from django.http import HttpRequest
from django.utils import timezone

from zzgjj_portal.models import AuditEvent
from zzgjj_portal.net import client_ip

# The whole trail, or only the phone changes (AuditEvent.Meta.permissions).
AUDIT_ALL_PERMISSION = "zzgjj_portal.view_auditevent"
PHONE_CHANGES_PERMISSION = "zzgjj_portal.view_phone_changes"


def sees_phone_changes(user) -> bool:
    """Whether `user` may read the record of reserved-phone changes."""
    return user.has_perm(AUDIT_ALL_PERMISSION) or user.has_perm(PHONE_CHANGES_PERMISSION)


def audit_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    member=None,
    actor=None,
    detail: str = "",
) -> AuditEvent:
    """Append one security event. `detail` must already be masked: the trail
    outlives its purpose and staff read it."""
    ip = client_ip(request) if request is not None else None
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    return AuditEvent.objects.create(
        kind=kind,
        member=member,
        actor=actor,
        ip=ip,
        user_agent=user_agent,
        detail=detail[:300],
        created_at=timezone.now(),
    )
