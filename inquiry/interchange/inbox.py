"""The scheduled import: the core system drops numbered batch folders into an
inbox (INQUIRY_IMPORT_INBOX); a beat job imports the next ones in number
order, so a center needs no cron of its own and no one types books_import.

Only manifest.json's batch number is read to choose (hashing happens in the
import): a folder numbered at or below the last applied batch was done
before and is left alone; the first one refused stops the run, so a gap or a
bad batch waits for staff (导入批次 says why) instead of being skipped.
"""

import json
import logging
from pathlib import Path

from django.db.models import Max

from inquiry.interchange.importing import books_import
from inquiry.models import ImportRun

log = logging.getLogger(__name__)


def _batch_no(folder: Path) -> int | None:
    """The manifest's batch number, or None for a folder that is not (yet) a
    batch: the core writes manifest.json last, so a folder still being
    copied has none and is picked up on a later run."""
    try:
        number = json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("batch_no")
    except (OSError, ValueError, AttributeError):
        return None
    return number if isinstance(number, int) and not isinstance(number, bool) and number > 0 else None


def inbox_pending(*, inbox: Path) -> list[tuple[int, Path]]:
    """(batch number, folder) of the inbox's batches not yet applied, in number order."""
    if not inbox.is_dir():
        return []
    last = ImportRun.objects.filter(status=ImportRun.Status.APPLIED).aggregate(last=Max("batch_no"))["last"] or 0
    found = ((_batch_no(folder), folder) for folder in inbox.iterdir() if folder.is_dir())
    return sorted((number, folder) for number, folder in found if number is not None and number > last)


def inbox_import(*, inbox: Path) -> list[ImportRun]:
    """Import the inbox's pending batches in number order, stopping at the
    first that is not applied. Returns the runs made (empty: nothing new)."""
    runs = []
    for number, folder in inbox_pending(inbox=inbox):
        run = books_import(folder=folder)
        runs.append(run)
        log.info("inbox batch %s: %s", number, run.status)
        if run.status != ImportRun.Status.APPLIED:
            break
    return runs
