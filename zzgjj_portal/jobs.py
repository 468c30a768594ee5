"""Project-wide jobs: outbox delivery and relay, the daily cleanup, and the
heartbeat that `/readyz/` watches.

Jobs are thin: each calls a service that is idempotent, so a second run (a
redelivered message, the relay, a retry) does nothing twice.
"""

import logging
from datetime import datetime

from celery import shared_task
from django.core.management import call_command
from django.utils import timezone

from zzgjj_portal import outbox
from zzgjj_portal.logs import JOB_SENT_AT_HEADER
from zzgjj_portal.models import JobHeartbeat

log = logging.getLogger(__name__)


@shared_task(bind=True, name="zzgjj_portal.outbox_deliver")
def outbox_deliver(self, pk: int) -> str:
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    result = outbox.outbox_deliver(pk, redelivered=redelivered)
    log.info("outbox item %s: %s", pk, result)
    return result


@shared_task(name="zzgjj_portal.outbox_relay")
def outbox_relay() -> int:
    offered = outbox.outbox_relay()
    if offered:
        log.info("outbox relay offered %s pending items again", offered)
    return offered


@shared_task(name="zzgjj_portal.portal_cleanup")
def portal_cleanup() -> None:
    """The daily retention run (celery beat; `manage.py portal_cleanup` by hand)."""
    call_command("portal_cleanup")


HEARTBEAT_WORKER = "worker"
HEARTBEAT_BEAT = "beat"


def _parse(value) -> datetime | None:
    try:
        stamp = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if stamp is not None and timezone.is_naive(stamp):
        stamp = timezone.make_aware(stamp, timezone.get_default_timezone())
    return stamp


@shared_task(bind=True, name="zzgjj_portal.jobs.heartbeat", ignore_result=True)
def heartbeat(self, sent_at_iso: str | None = None) -> None:
    """Stamp `worker` with now and `beat` with when this job was sent (beat's
    schedule gives no argument: the time comes from the message header the
    publishing process wrote). Idempotent: running it twice only restamps."""
    now = timezone.now()
    sent_at = _parse(sent_at_iso) or _parse(getattr(self.request, JOB_SENT_AT_HEADER, None)) or now
    # A stamp never goes backwards (an old message redelivered after a crash).
    for name, stamp in ((HEARTBEAT_WORKER, now), (HEARTBEAT_BEAT, min(sent_at, now))):
        updated = JobHeartbeat.objects.filter(name=name, seen_at__lt=stamp).update(seen_at=stamp)
        if not updated:
            JobHeartbeat.objects.get_or_create(name=name, defaults={"seen_at": stamp})
