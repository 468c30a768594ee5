"""seed_scale on a tiny N: every status, engine-made repayments, reconciled, resumable."""

import json
from collections import Counter
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from inquiry import amortization
from inquiry.interchange import reader, schema
from inquiry.models import AccountStatus, FundAccount, LedgerEntry, LoanContract, Member
from tasks.models import Message
from zzgjj_portal.management.commands import _scale_rows
from zzgjj_portal.management.commands import seed_scale as command

pytestmark = pytest.mark.django_db
AS_OF = "2026-10-31"
MEMBERS = 120


@pytest.fixture
def seeded(monkeypatch):
    # Small chunks so that a tiny N still crosses chunk boundaries.
    monkeypatch.setattr(command, "CHUNK", 50)
    out = StringIO()
    call_command("seed_scale", members=MEMBERS, as_of=AS_OF, sample=MEMBERS, stdout=out)
    return out.getvalue()


def test_seed_scale_reconciles_every_balance_and_says_so(seeded):
    assert f"reconciled: {MEMBERS} sampled accounts" in seeded
    for account in FundAccount.objects.prefetch_related("entries"):
        amounts = [e.amount for e in account.entries.all()]
        assert sum(amounts, Decimal("0.00")) == account.balance
        running = Decimal("0.00")
        for entry in sorted(account.entries.all(), key=lambda e: (e.booked_on, e.id)):
            running += entry.amount
            assert entry.balance_after == running

    # One seeding checked several ways: each run costs about a second on SQLite.
    _covers_every_status_and_entry_kind()
    _repayments_follow_the_amortization_engine()


def _covers_every_status_and_entry_kind():
    assert Member.objects.count() == MEMBERS
    statuses = set(LoanContract.objects.values_list("status", flat=True))
    assert statuses == set(LoanContract.Status.values)
    kinds = set(LedgerEntry.objects.values_list("kind", flat=True))
    assert {LedgerEntry.Kind.MONTHLY_DEPOSIT, LedgerEntry.Kind.INTEREST, LedgerEntry.Kind.WITHDRAWAL} <= kinds
    assert AccountStatus.SEALED in set(FundAccount.objects.values_list("status", flat=True))
    users = User.objects.filter(member__isnull=False)
    assert 0 < users.count() < MEMBERS
    # One precomputed hash for every scale login, and it is the published password.
    assert users.values("password").distinct().count() == 1
    assert users.first().check_password(_scale_rows.SCALE_PASSWORD)
    assert Message.objects.filter(member__user__isnull=False).exists()


def _repayments_follow_the_amortization_engine():
    for loan in LoanContract.objects.filter(status=LoanContract.Status.ACTIVE):
        first_due = amortization.add_months(loan.disbursed_on, 1)
        plan = amortization.schedule(loan.repayment_method, loan.amount, loan.annual_rate, loan.term_months, first_due)
        repayments = list(loan.repayments.order_by("repaid_on"))
        assert repayments, loan.contract_no
        assert [(r.repaid_on, r.principal, r.interest) for r in repayments] == [
            (row.due_date, row.principal, row.interest) for row in plan[: len(repayments)]
        ]
        assert repayments[-1].outstanding_after == loan.outstanding_principal
        assert loan.next_due_on == plan[len(repayments)].due_date


def test_seed_scale_second_run_loads_nothing_and_a_lost_chunk_is_reloaded(seeded, monkeypatch):
    before = Counter({m.__name__: m.objects.count() for m in (Member, LedgerEntry, LoanContract, User, Message)})
    out = StringIO()
    call_command("seed_scale", members=MEMBERS, as_of=AS_OF, stdout=out)
    assert "3 chunks already loaded, 0 to go" in out.getvalue()
    assert (
        Counter({m.__name__: m.objects.count() for m in (Member, LedgerEntry, LoanContract, User, Message)}) == before
    )
    # Simulate a run stopped before the last chunk committed: drop that chunk.
    last = Member.objects.filter(id_number__in=[_scale_rows.id_number(i) for i in range(100, MEMBERS)])
    ledger_before = LedgerEntry.objects.count()
    lost = LedgerEntry.objects.filter(account__member__in=last).count()
    for model, lookup in (
        (Message, "member__in"),
        (User, "member__in"),
        (LedgerEntry, "account__member__in"),
        (FundAccount, "member__in"),
    ):
        model.objects.filter(**{lookup: last}).delete()
    for loan in LoanContract.objects.filter(member__in=last):
        loan.repayments.all().delete()
        loan.delete()
    last.delete()
    call_command("seed_scale", members=MEMBERS, as_of=AS_OF, stdout=StringIO())
    assert lost > 0
    assert LedgerEntry.objects.count() == ledger_before


@pytest.mark.django_db(databases=[])
def test_seed_scale_ledger_line_is_a_grmx_line_in_the_schema_order():
    by_hand = _scale_rows.ledger_line("880000000001", "2026-10-15", "11", "100.00", "S1", "", "提取", "07")
    assert by_hand == _scale_rows.line(
        schema.LEDGER,
        GRZH="880000000001",
        JZRQ="2026-10-15",
        GJHTQYWLX="11",
        FSE="100.00",
        TQYY="07",
        TQFS="02",
        YWLSH="S1",
        ZY="提取",
    )


@pytest.mark.django_db(databases=[])
def test_seed_scale_batch_reads_back_without_a_reject(tmp_path, monkeypatch):
    """The hand-formatted lines pass the interchange reader's every rule, the
    manifest's counts and checksums match, and every member is there."""
    monkeypatch.setattr(command, "CHUNK", 50)
    portal = command.batch_write(
        tmp_path, batch_no=1, kind="full", as_of=date(2026, 10, 31), chunks=[0, 1, 2], total=MEMBERS, workers=1
    )
    assert len(portal) == MEMBERS
    manifest = reader.batch_open(tmp_path)
    assert set(manifest.files) == {"DWXX", *_scale_rows.TABLES}
    for name, entry in manifest.files.items():
        rows = list(reader.rows_read(tmp_path, manifest, name))
        assert [r for r in rows if isinstance(r, reader.RowReject)] == [], name
        assert len(rows) == entry.rows > 0, name
    people = list(reader.rows_read(tmp_path, manifest, "GRXX"))
    assert [r.values["ZJHM"] for r in people] == [_scale_rows.id_number(i) for i in range(MEMBERS)]


def test_seed_scale_imports_a_kept_batch_again_under_the_next_number(tmp_path, monkeypatch):
    """--write-only's folder, found in --batch-dir, is imported as it is: not
    written again, only renumbered after the batches already applied."""
    monkeypatch.setattr(command, "CHUNK", 50)
    folder = tmp_path / f"scale-{MEMBERS}-20261031-full"
    call_command("seed_scale", members=MEMBERS, as_of=AS_OF, write_only=str(folder), stdout=StringIO())
    written = (folder / "GRMX.csv").stat().st_mtime_ns
    call_command("seed_demo", as_of=AS_OF, members=2, stdout=StringIO())  # batch 1
    out = StringIO()
    call_command("seed_scale", members=MEMBERS, as_of=AS_OF, batch_dir=str(tmp_path), sample=10, stdout=out)
    assert "batch 2 (full)" in out.getvalue()
    assert (folder / "GRMX.csv").stat().st_mtime_ns == written
    assert json.loads((folder / "manifest.json").read_text())["batch_no"] == 2
    assert Member.objects.count() == MEMBERS + 2
    assert User.objects.filter(member__id_number=_scale_rows.id_number(0)).exists()
