"""books_import on PostgreSQL against other processes: a second import
while one runs is refused (the advisory lock), and an import killed with
SIGKILL in the middle of its merge leaves the records as they were; the next
run marks it interrupted and applies the batch. Skipped on SQLite (run with
DATABASE_URL=postgres://…)."""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from inquiry.interchange.importing import books_import, run
from inquiry.models import ImportRun, LedgerEntry
from inquiry.tests import batches as b
from inquiry.tests.test_books_import import applied, base_tables

ROOT = Path(settings.BASE_DIR)


@pytest.fixture(autouse=True)
def _postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")


def other_connection(**kwargs) -> psycopg.Connection:
    """A second session on the test database, as another process would have."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("server_side_binding", None)
    return psycopg.connect(**params, **kwargs)


def test_books_import_second_import_while_one_runs_is_refused(tmp_path):
    with other_connection(autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [run.LOCK_KEY])
        result = books_import(folder=b.batch(tmp_path, 1, "full", DWXX=[b.employer()]))
        assert (result.status, result.message) == ("refused", run.LOCKED)
        other.execute("SELECT pg_advisory_unlock(%s)", [run.LOCK_KEY])
    applied(b.batch(tmp_path, 1, "full", DWXX=[b.employer()]))


def _waiting_on(other: psycopg.Connection, table: str, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        waiting = other.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = %s::regclass", [table]
        ).fetchone()[0]
        if waiting:
            return True
        time.sleep(0.2)
    return False


def _lock_free(other: psycopg.Connection, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        held = other.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [run.LOCK_KEY & 0xFFFFFFFF],
        ).fetchone()[0]
        if not held:
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_books_import_killed_midway_leaves_the_records_and_a_rerun_applies(tmp_path):
    applied(b.batch(tmp_path, 1, "full", **base_tables()))
    folder = b.batch(
        tmp_path,
        2,
        GRZHXX=[b.account("G1", "2400.00")],
        GRMX=[b.posting("G1", "K1", date(2024, 5, 15), "600.00")],
        DKMX=[b.repayment("DK1", "R3", date(2024, 10, 1), "500.00", "809.50", period=3)],
    )
    before = list(LedgerEntry.objects.order_by("pk").values_list("serial_no", "balance_after"))
    params = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{params['NAME']}",
        "SECRET_KEY": "test-only-not-a-secret",
        "DEBUG": "false",
    }
    with other_connection() as blocker:
        # The merge writes the ledger, then the repayments: holding the
        # repayments' table stops it between the two, mid-transaction.
        blocker.execute("LOCK TABLE inquiry_repayment IN ACCESS EXCLUSIVE MODE")
        process = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", "books_import", str(folder), "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with other_connection(autocommit=True) as watcher:
                assert _waiting_on(watcher, "inquiry_repayment"), "the import never reached the repayments"
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
        blocker.rollback()
    with other_connection(autocommit=True) as watcher:
        # The killed client's server process ends when it next writes to it.
        assert _lock_free(watcher)
    assert list(LedgerEntry.objects.order_by("pk").values_list("serial_no", "balance_after")) == before
    interrupted = ImportRun.objects.get(batch_no=2)
    assert interrupted.status == ImportRun.Status.RUNNING
    applied(folder)
    interrupted.refresh_from_db()
    assert (interrupted.status, interrupted.message) == ("failed", run.INTERRUPTED)
    assert LedgerEntry.objects.get(serial_no="K1").balance_after == 2400


def _ledger_catalog() -> tuple[list, list, list]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = 'inquiry_ledgerentry'::regclass ORDER BY 1"
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'inquiry_ledgerentry'::regclass ORDER BY 1"
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'inquiry_ledgerentry'::regclass "
            "AND NOT tgisinternal ORDER BY 1"
        )
        triggers = cursor.fetchall()
    return indexes, constraints, triggers


def test_books_import_initial_load_puts_back_the_ledger_indexes_constraints_and_triggers(tmp_path):
    """A full batch into an empty ledger inserts it without its secondary
    indexes, constraints and version triggers: all are there again after,
    as they were, and hold (a repeated serial, an unknown account)."""
    before = _ledger_catalog()
    assert not LedgerEntry.objects.exists()
    applied(b.batch(tmp_path, 1, "full", **base_tables()))
    assert LedgerEntry.objects.count() == 4
    assert _ledger_catalog() == before
    entry = LedgerEntry.objects.order_by("id").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            account=entry.account,
            booked_on=entry.booked_on,
            kind=entry.kind,
            amount=1,
            balance_after=1,
            serial_no=entry.serial_no,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            account_id=entry.account_id + 10_000,
            booked_on=entry.booked_on,
            kind=entry.kind,
            amount=1,
            balance_after=1,
            serial_no="NEW-1",
        )
        connection.check_constraints()
    # The version triggers work again: a row written outside the import raises its member's version.
    member = entry.account.member
    version = member.data_version
    LedgerEntry.objects.create(
        account=entry.account, booked_on=entry.booked_on, kind=entry.kind, amount=1, balance_after=1, serial_no="NEW-2"
    )
    member.refresh_from_db()
    assert member.data_version > version
