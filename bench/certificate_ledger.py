"""The 30-year 缴存明细 as a certificate, timed in-process (run by
bench/certificates.py against the bench database; prints JSON).

The member with the oldest account whose figures reconcile; 30 years of its
ledger up to today, as the member would ask for them: the document built
(documents.ledger_document: the ledger read, the rows and totals), rendered,
signed and stored (services.certificate_issue), all in a transaction that is
then rolled back, so the bench's data keeps no certificate. A warm-up first
(fonts, templates, the signing key), as the prints pool's workers have; then
REPEAT issues, each timed (wall-clock and this process's CPU)."""

import json
import os
import sys
import time
import uuid
from datetime import date

import django

REPEAT = 3
YEARS = 30


class _RolledBack(Exception):
    """Raised inside the transaction to undo the issue."""


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def measure(member, *, today: date, repeat: int = REPEAT) -> dict:
    """Issue the 30-year 缴存明细 of `member` `repeat` times (rolled back
    each time); the figures, or why nothing was measured."""
    from django.db import transaction

    from inquiry.certificates import documents, rendering, services
    from zzgjj_portal.signing import signer

    build = documents.ledger_document
    start = years_before(today, YEARS)
    figures = {"start": start.isoformat(), "end": today.isoformat(), "opened_on": None}
    account = getattr(member, "fund_account", None)
    if account is not None:
        figures["opened_on"] = account.opened_on.isoformat()
    rendering.warm_up()
    signer()
    walls, cpus, pdf_bytes, rows = [], [], 0, 0
    for _ in range(repeat + 1):  # the first is a warm-up of the code path itself
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            with transaction.atomic():
                document = build(member=member, start=start, end=today)
                issued = services.certificate_issue(member=member, document=document, form_token=uuid.uuid4())
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
                pdf_bytes = issued.certificate.pdf_size
                rows = len(document.context.get("rows", ()) or ())
                raise _RolledBack
        except _RolledBack:
            pass
        except documents.CertificateRefused as exc:
            return figures | {"skipped": f"refused for the member: {exc.message}"}
    return figures | {"seconds": walls[1:], "cpu_seconds": cpus[1:], "pdf_bytes": pdf_bytes, "rows": rows}


def main() -> None:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.utils import timezone

    from inquiry.models import AccountStatus, Member

    member = (
        Member.objects.filter(
            fund_account__status__in=(AccountStatus.NORMAL, AccountStatus.SEALED), fund_account__discrepancy=""
        )
        .select_related("fund_account")
        .order_by("fund_account__opened_on", "id")
        .first()
    )
    if member is None:
        print(json.dumps({"skipped": "no member whose account may have a certificate"}))
        return
    print(json.dumps(measure(member, today=timezone.localdate())))


if __name__ == "__main__":
    main()
