"""Project-wide jobs: outbox delivery and relay, the daily cleanup.

Jobs are thin: each calls a service that is idempotent, so a second run (a
redelivered message, the relay, a retry) does nothing twice.
"""

import logging

from celery import shared_task
from django.core.management import call_command

from zzgjj_portal import outbox

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
