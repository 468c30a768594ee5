"""deploy/backup.sh and deploy/restore_drill.sh against the test database
(PostgreSQL only: they drive pg_dump, pg_restore and createdb)."""

import os
import subprocess
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from inquiry.models import FundAccount
from inquiry.tests.factories import FundAccountFactory, LedgerEntryFactory

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="backups are pg_dump of PostgreSQL"),
]


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _run(script: str, backup_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": _database_url(), "BACKUP_DIR": str(backup_dir), "BACKUP_KEEP": "2"}
    return subprocess.run(  # noqa: S603 - our own scripts
        [str(DEPLOY / script)], env=env, capture_output=True, text=True, timeout=300
    )


def _books():
    for amount in (Decimal("1000.00"), Decimal("250.50")):
        account = FundAccountFactory(balance=amount)
        LedgerEntryFactory(account=account, amount=amount, balance_after=amount)


def test_backup_keeps_the_newest_dumps_and_the_restore_drill_passes_on_the_latest(tmp_path):
    _books()
    for _ in range(3):
        result = _run("backup.sh", tmp_path)
        assert result.returncode == 0, result.stderr
    dumps = sorted(tmp_path.glob("zzgjj-*.dump"))
    assert len(dumps) == 2 and not list(tmp_path.glob("*.partial"))

    result = _run("restore_drill.sh", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ledger_reconcile: 2 accounts, 2 ledger entries, 0 mismatches" in result.stdout
    assert "inquiry_fundaccount" in result.stdout and "restore drill: passed in" in result.stdout
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", [f"{connection.settings_dict['NAME']}_restore_drill"]
        )
        assert cursor.fetchone()[0] == 0  # the scratch database is gone


def test_restore_drill_fails_when_the_dumped_books_do_not_reconcile(tmp_path):
    _books()
    FundAccount.objects.filter(pk=FundAccount.objects.order_by("pk").first().pk).update(balance=Decimal("999.99"))
    assert _run("backup.sh", tmp_path).returncode == 0
    result = _run("restore_drill.sh", tmp_path)
    assert result.returncode != 0
    assert "1 mismatches" in result.stdout and "restore drill: FAILED" in result.stderr
