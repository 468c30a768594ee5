"""Jobs of the task area (celery beat; see zzgjj_portal/celery.py).

Thin wrappers over idempotent services: a second run does nothing twice.
"""

import logging

from celery import shared_task

from tasks.services.decisions import decisions_expire as decisions_expire_service

log = logging.getLogger(__name__)


@shared_task(name="tasks.decisions_expire")
def decisions_expire() -> int:
    """Fail the decisions the core has not booked in TASKS_DECISION_BOOKING_DAYS (hourly)."""
    failed = decisions_expire_service()
    if failed:
        log.info("decisions not booked in time: %s failed", failed)
    return failed
