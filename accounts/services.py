"""Writes of the accounts app: the security audit trail."""

from django.conf import settings
from django.http import HttpRequest

from accounts.models import AuditEvent


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, unless TRUSTED_PROXY_COUNT proxies
    stand in front, in which case the address they saw. Taking the leftmost
    X-Forwarded-For blindly would let a client forge its own address."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    member=None,
    actor=None,
    detail: str = "",
) -> AuditEvent:
    """Append one security event. `detail` must already be masked."""
    ip = client_ip(request) if request is not None else None
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    return AuditEvent.objects.create(kind=kind, member=member, actor=actor, ip=ip, user_agent=user_agent, detail=detail)
