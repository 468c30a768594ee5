"""The portal's own background jobs: the heartbeat that `/readyz/` watches."""

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from zzgjj_portal.logs import JOB_SENT_AT_HEADER
from zzgjj_portal.models import JobHeartbeat

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
