"""What the commands that write interchange batches for books_import share
(seed_demo, seed_scale, core_simulate): the next batch number and the 截至 time."""

from datetime import date, datetime, time

from django.db.models import Max
from django.utils import timezone

from inquiry.models import ImportRun


def next_batch_no() -> int:
    """Batches apply in number order: the one after the last applied."""
    last = ImportRun.objects.filter(status=ImportRun.Status.APPLIED).aggregate(top=Max("batch_no"))["top"]
    return (last or 0) + 1


def end_of_day(day: date) -> datetime:
    """截至 of books as they stood at the end of `day` (local time)."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))
