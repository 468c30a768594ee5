"""Jobs of the center's records (found by Celery's autodiscovery, see
zzgjj_portal/celery.py): thin wrappers around idempotent services."""

import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings

from inquiry.certificates.throttle import verify_throttles_prune
from inquiry.interchange.importing import books_import
from inquiry.interchange.inbox import inbox_import

log = logging.getLogger(__name__)


@shared_task(name="inquiry.books_import")
def books_import_job(folder: str) -> str:
    """Import the core system's batch in `folder` (a scheduled run, or one
    queued by staff). Idempotent: a batch already applied is refused as
    such and nothing changes; a run killed midway left nothing behind and
    this applies it. Returns the run's status."""
    run = books_import(folder=Path(folder))
    log.info("books import batch %s: %s %s", run.batch_no, run.status, run.message)
    return run.status


@shared_task(name="inquiry.books_inbox_import")
def books_inbox_import_job() -> list[str]:
    """The scheduled import: the next batches of INQUIRY_IMPORT_INBOX, in
    number order (inquiry/interchange/inbox.py). Returns their statuses."""
    if not settings.INQUIRY_IMPORT_INBOX:
        return []
    return [run.status for run in inbox_import(inbox=Path(settings.INQUIRY_IMPORT_INBOX))]


@shared_task(name="inquiry.verify_throttles_prune")
def verify_throttles_prune_job() -> int:
    """Delete /verify/'s per-IP counters whose hour has ended (daily).
    Idempotent: a second run finds nothing. Returns how many."""
    deleted = verify_throttles_prune()
    if deleted:
        log.info("verify throttles pruned: %s", deleted)
    return deleted
