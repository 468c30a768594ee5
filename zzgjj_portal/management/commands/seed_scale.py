"""`manage.py seed_scale`: a large, realistic data set for load tests.

    manage.py seed_scale --members 100000      # ~23M ledger rows (bench's scale set)
    manage.py seed_scale --members 90          # ~20,000 ledger rows (the comparison set)

Members are loaded in chunks of CHUNK, each in one transaction, so a run that
is stopped keeps every finished chunk and the next run does only the rest
(idempotent: a finished chunk is never loaded twice). On PostgreSQL rows go in
with COPY from two worker processes; on SQLite (tests) with executemany.
At the end it reconciles a sample of balances with their ledgers and says so.
"""

import multiprocessing
import os
import random
import time
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from tqdm import tqdm

from accounts.models import User
from inquiry import versioning
from inquiry.models import Employer, FundAccount, LedgerEntry, LoanContract, LoanProgressStep, Member, Repayment
from tasks.models import Message
from zzgjj_portal.management.commands import _scale_rows as rows

CHUNK = 1000
EMPLOYERS = 2000
INDUSTRIES = ["机械制造", "建设投资", "商贸", "物流", "医药", "矿业", "教育咨询", "餐饮管理", "电力", "纺织"]
NULL = "\\N"


def default_as_of() -> date:
    """The last day of the previous month (local time): a closed month of data."""
    return timezone.localdate().replace(day=1) - timedelta(days=1)


def _columns(model, names: list[str]) -> tuple[str, list[str]]:
    return model._meta.db_table, [model._meta.get_field(name).column for name in names]


MEMBER_COLS = _columns(Member, ["id", "name", "id_number", "phone", "created_at"])
ACCOUNT_COLS = _columns(
    FundAccount,
    [
        "id",
        "member",
        "account_no",
        "employer",
        "deposit_base",
        "employer_rate",
        "personal_rate",
        "balance",
        "opened_on",
        "status",
        "bank_account_no",
    ],
)
LEDGER_COLS = _columns(
    LedgerEntry,
    ["account", "booked_on", "kind", "period", "amount", "balance_after", "summary", "withdrawal_reason", "serial_no"],
)
LOAN_COLS = _columns(
    LoanContract,
    [
        "id",
        "member",
        "contract_no",
        "amount",
        "term_months",
        "annual_rate",
        "repayment_method",
        "disbursed_on",
        "status",
        "outstanding_principal",
        "monthly_payment",
        "applied_on",
        "remaining_months",
        "next_due_on",
    ],
)
STEP_COLS = _columns(LoanProgressStep, ["contract", "order", "name", "state", "handled_at"])
REPAYMENT_COLS = _columns(
    Repayment,
    ["contract", "repaid_on", "principal", "interest", "principal_to_date", "interest_to_date", "outstanding_after"],
)
# COPY writes every NOT NULL column itself: a model field's default is
# Python-side, not the database's, so a column left out would be NULL.
USER_COLS = _columns(
    User,
    ["username", "name", "member", "password", "is_staff", "is_active", "is_superuser", "date_joined", "last_login"]
    + ["sound_on"],
)
MESSAGE_COLS = _columns(Message, ["member", "business", "content", "channel", "sent_at", "read_at", "idempotency_key"])


def _text(value) -> str:
    if value is None:
        return NULL
    if value is True or value is False:
        return "1" if value else "0"
    return str(value)


def _write(cursor, table_cols: tuple[str, list[str]], data: list[tuple], all_text: bool = False) -> int:
    """Append `data` to a table: COPY on PostgreSQL, executemany elsewhere.

    Values never contain tabs, newlines or backslashes (we make them), so the
    COPY text format needs no escaping; `all_text` rows skip the per-value
    conversion, which matters for the ledger's millions of rows."""
    if not data:
        return 0
    table, cols = table_cols
    quoted = ", ".join(connection.ops.quote_name(col) for col in cols)
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            if all_text:
                copy.write("".join("\t".join(row) + "\n" for row in data))
            else:
                copy.write("".join("\t".join(map(_text, row)) + "\n" for row in data))
    else:
        marks = ", ".join(["%s"] * len(cols))
        # Table and column names come from the models, never from input.
        cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", data)  # noqa: S608
    return len(data)


def _reserve_ids(cursor, model, count: int) -> list[int]:
    """`count` fresh primary keys for rows that others point at."""
    if count == 0:
        return []
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]
    # SQLite has one writer at a time and no sequences: continue after the max.
    start = (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    return list(range(start, start + count))


def load_chunk(chunk: int, total: int, as_of: date, employer_ids: list[int], password_hash: str) -> dict[str, int]:
    """Generate and load members [chunk*CHUNK, …) in one transaction."""
    specs = [
        rows.build_member(i, as_of, len(employer_ids)) for i in range(chunk * CHUNK, min(total, (chunk + 1) * CHUNK))
    ]
    counts = dict.fromkeys(["members", "ledger", "loans", "repayments", "users", "messages"], 0)
    created = f"{as_of:%Y-%m-%d} 00:00:00"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Test data that can be regenerated: no need to wait for the WAL flush.
            cursor.execute("SET LOCAL synchronous_commit = off")
            # New members only: none has a cached page, so their data versions
            # need not be raised row set by row set (inquiry/versioning.py).
            cursor.execute(versioning.DEFER_SQL)
        member_ids = _reserve_ids(cursor, Member, len(specs))
        account_ids = _reserve_ids(cursor, FundAccount, len(specs))
        counts["members"] = _write(
            cursor,
            MEMBER_COLS,
            [(mid, s.name, s.id_number, s.phone, created) for mid, s in zip(member_ids, specs, strict=True)],
        )
        _write(
            cursor,
            ACCOUNT_COLS,
            [
                (aid, mid, s.account_no, employer_ids[s.employer], s.deposit_base, s.rate, s.rate,
                 rows.money(s.balance_cents), s.opened_on, s.status, f"6217000{s.account_no}")
                for aid, mid, s in zip(account_ids, member_ids, specs, strict=True)
            ],
        )  # fmt: skip
        ledger = []
        for aid, s in zip(account_ids, specs, strict=True):
            account = str(aid)
            ledger.extend((account, *entry) for entry in s.ledger)
        counts["ledger"] = _write(cursor, LEDGER_COLS, ledger, all_text=True)
        loans = [(mid, loan) for mid, s in zip(member_ids, specs, strict=True) for loan in s.loans]
        loan_ids = _reserve_ids(cursor, LoanContract, len(loans))
        counts["loans"] = _write(
            cursor,
            LOAN_COLS,
            [
                (lid, mid, loan["contract_no"], loan["amount"], loan["term_months"], loan["annual_rate"],
                 loan["repayment_method"], loan["disbursed_on"], loan["status"], loan["outstanding_principal"],
                 loan["monthly_payment"], loan["applied_on"], loan["remaining_months"], loan["next_due_on"])
                for lid, (mid, loan) in zip(loan_ids, loans, strict=True)
            ],
        )  # fmt: skip
        _write(
            cursor,
            STEP_COLS,
            [(lid, *step) for lid, (_, loan) in zip(loan_ids, loans, strict=True) for step in loan["steps"]],
        )
        counts["repayments"] = _write(
            cursor,
            REPAYMENT_COLS,
            [(lid, *r) for lid, (_, loan) in zip(loan_ids, loans, strict=True) for r in loan["repayments"]],
        )
        counts["users"] = _write(
            cursor,
            USER_COLS,
            [
                (f"member-{mid}", "", mid, password_hash, False, True, False, created, None, True)
                for mid, s in zip(member_ids, specs, strict=True)
                if s.registered
            ],
        )
        counts["messages"] = _write(
            cursor,
            MESSAGE_COLS,
            [(mid, *m, "") for mid, s in zip(member_ids, specs, strict=True) for m in s.messages],
        )
    return counts


def _load_chunk_in_worker(args) -> dict[str, int]:
    try:
        return load_chunk(*args)
    finally:
        connections.close_all()


def reconcile_sample(size: int, seed: int = 0) -> tuple[int, int]:
    """(checked, mismatched) for a random sample of accounts: the balance
    must equal the sum of the account's ledger and its last running balance."""
    ids = list(FundAccount.objects.filter(account_no__startswith="8800").values_list("id", flat=True))
    sample = random.Random(seed).sample(ids, min(size, len(ids)))
    bad = 0
    for account in FundAccount.objects.filter(id__in=sample):
        entries = LedgerEntry.objects.filter(account=account)
        if connection.vendor == "postgresql":
            total = entries.aggregate(total=Sum("amount"))["total"]
        else:
            # SQLite's SUM() of decimals goes through float: add in Python.
            total = sum(entries.values_list("amount", flat=True))
        last = entries.order_by("-booked_on", "-id").values_list("balance_after", flat=True).first()
        if total != account.balance or (last is not None and last != account.balance):
            bad += 1
    return len(sample), bad


class Command(BaseCommand):
    help = "Load a large realistic data set (members, 30 years of ledgers, loans) for load tests; resumable."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=100_000)
        parser.add_argument("--as-of", help="Date the data runs to (YYYY-MM-DD); default: end of last month.")
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="Loader processes (PostgreSQL).")
        parser.add_argument("--sample", type=int, default=500, help="Accounts to reconcile at the end.")

    def handle(self, *args, **options):
        try:
            as_of = date.fromisoformat(options["as_of"]) if options["as_of"] else default_as_of()
        except ValueError as exc:
            raise CommandError("--as-of must be YYYY-MM-DD") from exc
        total = options["members"]
        started = time.monotonic()
        employer_ids = self._employers()
        chunks = range((total + CHUNK - 1) // CHUNK)
        # A chunk is atomic, so its first member's presence means it is done.
        firsts = {rows.id_number(c * CHUNK): c for c in chunks}
        done = {firsts[n] for n in Member.objects.filter(id_number__in=firsts).values_list("id_number", flat=True)}
        todo = [c for c in chunks if c not in done]
        self.stdout.write(
            f"seed_scale: {total} members as of {as_of}; {len(done)} chunks already loaded, {len(todo)} to go"
        )
        # One Argon2 hash for every scale login: hashing 30,000 would take longer than the data.
        password_hash = make_password(rows.SCALE_PASSWORD)
        jobs = [(c, total, as_of, employer_ids, password_hash) for c in todo]
        totals: dict[str, int] = {}
        workers = max(1, options["workers"]) if connection.vendor == "postgresql" else 1
        if connection.in_atomic_block:
            # Inside a caller's transaction (tests): forked workers could not see it.
            workers = 1
        with tqdm(total=total, initial=total - sum(min(CHUNK, total - c * CHUNK) for c in todo), unit="member") as bar:
            if workers == 1 or len(jobs) < 2:
                results = map(lambda job: load_chunk(*job), jobs)
                self._collect(results, totals, bar)
            else:
                connections.close_all()  # never share a connection with forked children
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    self._collect(pool.imap_unordered(_load_chunk_in_worker, jobs), totals, bar)
        loaded = time.monotonic() - started
        if not jobs:
            self.stdout.write("seed_scale: nothing to load")
            self._reconcile(options["sample"])
            return
        if connection.vendor == "postgresql" and jobs:
            with connection.cursor() as cursor:
                for model in (Member, FundAccount, LedgerEntry, LoanContract, Repayment, User, Message):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
        elapsed = time.monotonic() - started
        written = sum(totals.values())
        self.stdout.write(
            "loaded "
            + ", ".join(f"{v:,} {k}" for k, v in totals.items())
            + f" in {elapsed:.0f} s ({written / max(loaded, 1e-9):,.0f} rows/s; analyze {elapsed - loaded:.0f} s)"
        )
        self._reconcile(options["sample"])

    def _reconcile(self, sample: int) -> None:
        checked, bad = reconcile_sample(sample)
        if bad:
            raise CommandError(f"reconciliation FAILED: {bad} of {checked} sampled accounts differ from their ledger")
        self.stdout.write(f"reconciled: {checked} sampled accounts, balance = sum of ledger = last running balance")

    def _collect(self, results, totals: dict[str, int], bar) -> None:
        for counts in results:
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
            bar.update(counts["members"])
            bar.set_postfix(ledger=f"{totals['ledger']:,}")

    def _employers(self) -> list[int]:
        numbers = [rows.employer_account_no(k) for k in range(EMPLOYERS)]
        Employer.objects.bulk_create(
            [
                Employer(account_no=n, name=f"枣庄{INDUSTRIES[k % len(INDUSTRIES)]}{k:04d}有限公司")
                for k, n in enumerate(numbers)
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        ids = dict(Employer.objects.filter(account_no__in=numbers).values_list("account_no", "id"))
        return [ids[n] for n in numbers]
