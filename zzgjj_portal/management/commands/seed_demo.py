"""`manage.py seed_demo`: a deterministic, idempotent demo data set.

The center's books (employers, members, accounts, ledgers, loans) come in
through the door the core system's own come through: the demo members not yet
present are written as an interchange batch (inquiry/demo/interchange.py) in a
temporary folder and loaded with books_import, which numbers it after the last
applied batch; the folder is removed afterwards (the same `--as-of` always
gives the same batch, so nothing is lost). `--batch-dir` keeps it instead.
The portal's own rows stay the apps' business: logins (accounts.demo) and
messages (tasks.demo) of the new members are written after the import.

Members are keyed by ID number: a member already present is left untouched
(not even sent again), so running the command twice changes nothing and
writes no second batch. A composition point: it lives in zzgjj_portal because
it fills every app's tables.
"""

import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_logins_create
from inquiry.demo import MemberSpec, build_members
from inquiry.demo.interchange import batch_tables
from inquiry.interchange.importing import books_import
from inquiry.interchange.writer import batch_write
from inquiry.models import ImportRun, Member
from tasks.demo import demo_messages, demo_messages_create
from zzgjj_portal.management.commands._batches import end_of_day, next_batch_no


def default_as_of() -> date:
    """The last day of the previous month (local time): a closed month of data."""
    return timezone.localdate().replace(day=1) - timedelta(days=1)


class Command(BaseCommand):
    help = "Create the demo employers, members, ledgers, loans (through books_import), messages and logins."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Date the demo data runs to (YYYY-MM-DD); default: end of last month.")
        parser.add_argument("--members", type=int, default=60, help="How many members (at least 50 recommended).")
        parser.add_argument("--batch-dir", help="Keep the demo's interchange batch in this folder.")

    def handle(self, *args, **options):
        try:
            as_of = date.fromisoformat(options["as_of"]) if options["as_of"] else default_as_of()
        except ValueError as exc:
            raise CommandError("--as-of must be YYYY-MM-DD") from exc
        specs = build_members(as_of, count=max(options["members"], 2))
        created = seed(specs, as_of=as_of, batch_dir=options["batch_dir"])
        self.stdout.write(f"seed_demo: {created} new members, {len(specs) - created} already present (as of {as_of}).")


def seed(specs: list[MemberSpec], *, as_of: date, batch_dir: str | None = None) -> int:
    """Import the members of `specs` not yet present, then give them their
    logins and messages; return how many were new."""
    existing = set(
        Member.objects.filter(id_number__in=[s.id_number for s in specs]).values_list("id_number", flat=True)
    )
    new = [s for s in specs if s.id_number not in existing]
    if not new:
        return 0
    batch_no = next_batch_no()
    folder = Path(batch_dir) / f"demo-{batch_no:06d}" if batch_dir else Path(tempfile.mkdtemp(prefix="seed_demo-"))
    try:
        batch_write(
            folder,
            batch_no=batch_no,
            kind="delta",
            as_of=end_of_day(as_of),
            tables=batch_tables(new),
        )
        run = books_import(folder=folder)
    finally:
        if not batch_dir:
            shutil.rmtree(folder, ignore_errors=True)
    if run.status != ImportRun.Status.APPLIED or run.rows_rejected:
        status = run.get_status_display()
        raise CommandError(f"the demo batch {batch_no} was not applied cleanly ({status}): {run.message}")
    portal_rows_create(new, as_of=as_of)
    return len(new)


@transaction.atomic
def portal_rows_create(specs: list[MemberSpec], *, as_of: date) -> None:
    """The portal's own rows of newly imported demo members: messages, and a
    login for each one registered online."""
    members = {m.id_number: m for m in Member.objects.filter(id_number__in=[s.id_number for s in specs])}
    registered = []
    for spec in specs:
        member = members[spec.id_number]
        demo_messages_create(member, demo_messages(spec, as_of))
        if spec.registered:
            registered.append(member)
    demo_logins_create(registered)
