"""`manage.py seed_demo`: a deterministic, idempotent demo data set.

Members are keyed by ID number: a member already present is left untouched,
so running the command twice changes nothing. A composition point: it lives in
zzgjj_portal because it fills every app's tables, each through that app's own
demo module (inquiry.demo: records; accounts.demo: logins; tasks.demo: messages).
"""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_logins_create
from inquiry.demo import MemberSpec, build_members
from inquiry.demo.records import employers_create, member_records_create
from inquiry.models import Member
from tasks.demo import demo_messages, demo_messages_create


def default_as_of() -> date:
    """The last day of the previous month (local time): a closed month of data."""
    return timezone.localdate().replace(day=1) - timedelta(days=1)


class Command(BaseCommand):
    help = "Create the demo employers, members, ledgers, loans, messages and logins (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Date the demo data runs to (YYYY-MM-DD); default: end of last month.")
        parser.add_argument("--members", type=int, default=60, help="How many members (at least 50 recommended).")

    def handle(self, *args, **options):
        try:
            as_of = date.fromisoformat(options["as_of"]) if options["as_of"] else default_as_of()
        except ValueError as exc:
            raise CommandError("--as-of must be YYYY-MM-DD") from exc
        specs = build_members(as_of, count=max(options["members"], 2))
        created = seed(specs, as_of=as_of)
        self.stdout.write(f"seed_demo: {created} new members, {len(specs) - created} already present (as of {as_of}).")


@transaction.atomic
def seed(specs: list[MemberSpec], *, as_of: date) -> int:
    """Write the members of `specs` not yet present; return how many."""
    employers = employers_create()
    existing = set(
        Member.objects.filter(id_number__in=[s.id_number for s in specs]).values_list("id_number", flat=True)
    )
    created, registered = 0, []
    for spec in specs:
        if spec.id_number in existing:
            continue
        member = member_records_create(spec, employers)
        demo_messages_create(member, demo_messages(spec, as_of))
        if spec.registered:
            registered.append(member)
        created += 1
    demo_logins_create(registered)
    return created
