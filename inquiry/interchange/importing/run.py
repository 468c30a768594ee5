"""books_import: one interchange batch from the core system into the
records, all or nothing.

1. batch_open (the reader) checks the folder; a bad batch is refused before
   anything is written.
2. One import at a time: a PostgreSQL advisory lock held by the session (a
   lock file on SQLite); a second import started meanwhile is refused at once
   with a message saying so. A batch applies only as the next in number.
3. In one transaction: the rows go into staging tables (COPY), the references
   between rows and to the database are checked set-based, and unless the
   rejects exceed INQUIRY_IMPORT_REJECT_THRESHOLD the rows are applied by
   their natural keys, running balances computed, accounts and contracts
   reconciled, the members told (signals), and the run marked 已导入 — in the
   same commit as the data. Killed at any moment, the transaction is rolled
   back by the database; the run row stays 导入中 until the next import,
   which marks it 中断 and applies the batch.
4. After the commit: the data versions of exactly the members whose records
   changed are raised, in short batches.
"""

import csv
import fcntl
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from inquiry import versioning
from inquiry.interchange import reader, schema
from inquiry.interchange.importing.apply import Apply, Changes
from inquiry.interchange.importing.checks import Checks
from inquiry.interchange.importing.sql import Sql
from inquiry.interchange.importing.staging import STAGES, Context
from inquiry.models import FundAccount, ImportReject, ImportRun, LoanContract, Member
from inquiry.services import member_versions_defer, member_versions_raise
from inquiry.signals import accounts_closed, decisions_settled, loan_disbursed, member_phone_changed
from zzgjj_portal.audit import audit_record
from zzgjj_portal.masking import mask_phone
from zzgjj_portal.models import AuditEvent

log = logging.getLogger(__name__)

# The advisory lock's key: any constant the portal uses for nothing else.
LOCK_KEY = 7_220_230_617_001
# Rejects kept (staged, stored, reported); a batch with more is refused whatever the threshold.
REJECTS_KEPT = 100_000
PROGRESS_EVERY = 20_000
TABLE_ORDER = {table.name: index for index, table in enumerate(schema.TABLES)}
REPORT_HEADER = ("表", "行号", "关键字", "原因")

LOCKED = "另一个批次正在导入,本批次未导入,请待其完成后再导入"
FIRST = "批次号{batch_no}不连续:尚未导入过批次,第一个应为批次1"
ALREADY = "批次{batch_no}已导入,不重复导入"
OLDER = "批次号{batch_no}早于已导入的批次{last}"
SKIPPED = "批次号{batch_no}不连续:已导入到批次{last},下一个应为批次{next}"
TOO_MANY = "拒绝{rejected}行,占全部{total}行的{ratio},超过阈值{threshold}:整批未导入"
TOO_MANY_KEPT = "拒绝行超过{kept}行:整批未导入(报告只列前{kept}行)"
FAILED = "导入出错({error}),整批未导入,数据未改动"
INTERRUPTED = "导入中断(进程退出或连接断开),数据未改动,可重新导入"
APPLIED_FLAGGED = "核对不符:个人账户{accounts}个,借款合同{contracts}笔(已标记,职工页面显示数据核对中)"
PHONE_AUDIT = "{old} → {new}(业务系统)"
PHASE = "写入"

Progress = Callable[[str, int, int], None]


class _Refused(Exception):
    def __init__(self, message: str, rejects: list[tuple], rows_total: int, rows_rejected: int):
        super().__init__(message)
        self.message, self.rejects, self.rows_total, self.rows_rejected = message, rejects, rows_total, rows_rejected


@dataclass
class _Applied:
    changes: Changes


def books_import(*, folder: Path, progress: Progress | None = None) -> ImportRun:
    """Import the batch in `folder` (docs/interchange.md) and return its
    ImportRun: 已导入 (applied), or 已拒绝 (refused) / 失败 (failed) with its
    message, nothing written. `progress(step, done, total)` is called as rows
    are read (step: the table) and as the batch is written.

    Manages its own transactions: call it outside any (the command, the job)."""
    folder = Path(folder)
    started = timezone.now()
    try:
        manifest = reader.batch_open(folder)
    except reader.BatchRefused as refusal:
        return _run_closed(folder, None, started, ImportRun.Status.REFUSED, refusal.message)
    with _exclusive() as held:
        if not held:
            return _run_closed(folder, manifest, started, ImportRun.Status.REFUSED, LOCKED)
        # Under the lock no other import runs: a run still 导入中 was killed.
        ImportRun.objects.filter(status=ImportRun.Status.RUNNING).update(
            status=ImportRun.Status.FAILED, message=INTERRUPTED, finished_at=timezone.now()
        )
        message = _sequence_refusal(manifest.batch_no)
        if message:
            return _run_closed(folder, manifest, started, ImportRun.Status.REFUSED, message)
        run = ImportRun.objects.create(
            batch_no=manifest.batch_no,
            kind=manifest.kind,
            as_of=manifest.as_of,
            folder=str(folder)[:500],
            status=ImportRun.Status.RUNNING,
            started_at=started,
        )
        try:
            with transaction.atomic():
                applied = _BatchImport(folder, manifest, progress or _silent).execute(run)
        except reader.BatchRefused as refusal:
            # A file found wrong while reading it (its header): the batch is refused.
            _run_finish(run, ImportRun.Status.REFUSED, refusal.message)
            return run
        except _Refused as refused:
            _report_write(folder, refused.rejects)
            with transaction.atomic():
                _rejects_store(run, refused.rejects)
                _run_finish(
                    run,
                    ImportRun.Status.REFUSED,
                    refused.message,
                    rows_total=refused.rows_total,
                    rows_rejected=refused.rows_rejected,
                )
            return run
        except Exception as error:  # noqa: BLE001 - any fault: the batch is rolled back and the run says so
            # The type only: a database error's text may quote the row (an ID number).
            log.error("books import batch %s failed: %s", manifest.batch_no, type(error).__name__)
            if settings.DEBUG:
                log.exception("books import failure (DEBUG)")
            _run_finish(run, ImportRun.Status.FAILED, FAILED.format(error=type(error).__name__))
            return run
    # Committed: raise the versions of the members whose pages changed.
    member_versions_raise(member_ids=applied.changes.members)
    return run


def _silent(step: str, done: int, total: int) -> None:
    return None


def _sequence_refusal(batch_no: int) -> str:
    """Batches apply in number order from 1 (docs/interchange.md, 批次编号):
    each is the last applied + 1. A repeat of an applied one changes
    nothing: it is refused, as are a skip and an older number."""
    last = ImportRun.objects.filter(status=ImportRun.Status.APPLIED).aggregate(last=Max("batch_no"))["last"]
    if last is None:
        return "" if batch_no == 1 else FIRST.format(batch_no=batch_no)
    if ImportRun.objects.filter(status=ImportRun.Status.APPLIED, batch_no=batch_no).exists():
        return ALREADY.format(batch_no=batch_no)
    if batch_no < last:
        return OLDER.format(batch_no=batch_no, last=last)
    if batch_no > last + 1:
        return SKIPPED.format(batch_no=batch_no, last=last, next=last + 1)
    return ""


@contextmanager
def _exclusive() -> Iterator[bool]:
    """Whether this process may import now; held until the block ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            held = cursor.fetchone()[0]
        try:
            yield held
        finally:
            if held:
                try:
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
                except Exception:  # noqa: BLE001 - a lost connection released it already
                    log.warning("books import lock not released explicitly (connection gone)")
        return
    # SQLite: a lock file per database, taken without waiting.
    with open(lock_path(), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def lock_path() -> Path:
    """The SQLite lock file of the default database (tests take it to play a second import)."""
    name = str(connection.settings_dict["NAME"])
    if "mode=memory" in name or name == ":memory:":
        # An in-memory database lives in this process only (the tests', one
        # per pytest-xdist worker, all with the same name): so does its lock.
        name = f"{name}#{os.getpid()}"
    return Path(tempfile.gettempdir()) / f"zzgjj-books-import-{hashlib.sha256(name.encode()).hexdigest()[:16]}.lock"


def _run_closed(folder: Path, manifest, started, status: str, message: str) -> ImportRun:
    """A run refused before anything was written, recorded in its own transaction."""
    return ImportRun.objects.create(
        batch_no=manifest.batch_no if manifest else 0,
        kind=manifest.kind if manifest else "",
        as_of=manifest.as_of if manifest else None,
        folder=str(folder)[:500],
        status=status,
        message=message[:500],
        started_at=started,
        finished_at=timezone.now(),
    )


def _run_finish(run: ImportRun, status: str, message: str, **counts) -> None:
    run.status = status
    run.message = message[:500]
    run.finished_at = timezone.now()
    for name, value in counts.items():
        setattr(run, name, value)
    run.save()


def _rejects_store(run: ImportRun, rejects: list[tuple]) -> None:
    ImportReject.objects.bulk_create(
        [
            ImportReject(run=run, table=table, line_no=line_no, key=(key or "")[:80], reason=(reason or "")[:300])
            for table, line_no, key, reason in rejects
        ],
        batch_size=5000,
    )


def _cell(value) -> str:
    """A cell Excel will not take for a formula (a key or reason quoting the file)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _report_write(folder: Path, rejects: list[tuple]) -> None:
    """The reject report beside the batch (never inside it: the reader
    refuses a batch folder with a file its manifest does not list), UTF-8
    with a BOM so that Excel opens it as such. No rejects: no report."""
    path = reader.reject_report_path(folder)
    try:
        if not rejects:
            path.unlink(missing_ok=True)
            return
        with open(path, "w", encoding="utf-8-sig", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(REPORT_HEADER)
            writer.writerows([_cell(tbl), line_no, _cell(key), _cell(reason)] for tbl, line_no, key, reason in rejects)
    except OSError as error:
        # The rejects are in admin (导入批次) all the same.
        log.warning("reject report not written: %s", type(error).__name__)


class _BatchImport:
    def __init__(self, folder: Path, manifest: reader.Manifest, progress: Progress):
        self.folder = folder
        self.manifest = manifest
        self.progress = progress
        self.full = manifest.kind == ImportRun.Kind.FULL
        self.sql = Sql(connection)
        self.rejects: list[tuple] = []
        self.rejects_over = 0
        self.timings: list[str] = []  # each phase's seconds, for the log

    def execute(self, run: ImportRun) -> _Applied:
        sql = self.sql
        began = time.monotonic()
        # Member rows are not locked for the whole import: the versions are
        # raised after the commit, for exactly the members that changed.
        member_versions_defer()
        if sql.pg:
            # Hash joins over millions of staged rows, in this transaction only.
            sql.run("SET LOCAL work_mem = '256MB'")
            # The initial load builds the ledger's indexes over millions of rows.
            sql.run("SET LOCAL maintenance_work_mem = '512MB'")
        sql.table_create("imp_reject", (("tbl", "text"), ("line_no", "bigint"), ("rkey", "text"), ("reason", "text")))
        for stage in STAGES:
            sql.table_create(stage.name, (*stage.columns, ("reject", "text")))
        context = Context(flags=reader.czbz_flags(), pg=sql.pg)
        for stage in STAGES:
            if stage.table in self.manifest.files:
                self._load(stage, context)
        sql.load("imp_reject", ("tbl", "line_no", "rkey", "reason"), self.rejects)
        sql.index("imp_reject", "tbl, rkey")
        for stage in STAGES:
            sql.index(stage.name, "line_no")
            for column in stage.indexes:
                sql.index(stage.name, column)
            sql.analyze(stage.name)
        phases = iter(range(1, 7))
        self.progress(PHASE, next(phases), 6)
        self._timed("读入", began)
        mark = time.monotonic()
        Checks(sql, full=self.full).run()
        self._timed("核对引用", mark)
        rows_total = sum(entry.rows for entry in self.manifest.files.values())
        rows_rejected = sql.value("SELECT COUNT(*) FROM imp_reject") + self.rejects_over
        rejects = sorted(
            sql.rows("SELECT tbl, line_no, rkey, reason FROM imp_reject"),
            key=lambda r: (TABLE_ORDER.get(r[0], 99), r[1]),
        )
        threshold = settings.INQUIRY_IMPORT_REJECT_THRESHOLD
        if self.rejects_over:
            raise _Refused(TOO_MANY_KEPT.format(kept=REJECTS_KEPT), rejects, rows_total, rows_rejected)
        if rows_total and rows_rejected / rows_total > threshold:
            message = TOO_MANY.format(
                rejected=rows_rejected,
                total=rows_total,
                ratio=f"{rows_rejected / rows_total:.2%}",
                threshold=f"{threshold:.2%}",
            )
            raise _Refused(message, rejects, rows_total, rows_rejected)
        marks = [time.monotonic(), "写入准备"]

        def step(name: str) -> None:
            self._timed(marks[1], marks[0])
            marks[:] = [time.monotonic(), name]
            self.progress(PHASE, next(phases, 6), 6)

        changes = Apply(sql, full=self.full).run(step=step)
        step("通知")
        self._tell(changes)
        self._timed("通知", marks[0])
        run.status = ImportRun.Status.APPLIED
        run.finished_at = timezone.now()
        run.rows_total = rows_total
        run.rows_rejected = rows_rejected
        run.rows_applied = rows_total - rows_rejected
        run.members_changed = len(changes.members)
        run.accounts_flagged = changes.accounts_flagged
        if changes.accounts_flagged or changes.contracts_flagged:
            run.message = APPLIED_FLAGGED.format(accounts=changes.accounts_flagged, contracts=changes.contracts_flagged)
        run.save()
        _rejects_store(run, rejects)
        _report_write(self.folder, rejects)
        for name in ("imp_reject", *(s.name for s in STAGES)):
            sql.table_drop(name)
        self.progress(PHASE, 6, 6)
        log.info(
            "books import batch %s applied: %s rows, %s rejected, %s members changed, %.1f s (%s)",
            run.batch_no,
            rows_total,
            rows_rejected,
            len(changes.members),
            time.monotonic() - began,
            ", ".join(self.timings),
        )
        return _Applied(changes=changes)

    def _timed(self, phase: str, since: float) -> None:
        self.timings.append(f"{phase} {time.monotonic() - since:.1f}s")

    def _load(self, stage, context: Context) -> None:
        table = stage.table
        total = self.manifest.files[table].rows
        key_columns = schema.BY_NAME[table].key
        progress = self.progress
        rejects = self.rejects

        def reject(line_no: int, key: str, reason: str) -> None:
            if len(rejects) < REJECTS_KEPT:
                rejects.append((table, line_no, key, reason))
            else:
                self.rejects_over += 1

        def rows():
            convert = stage.convert
            done = 0
            for item in reader.rows_read(self.folder, self.manifest, table, flags=context.flags):
                done += 1
                if done % PROGRESS_EVERY == 0:
                    progress(table, done, total)
                if type(item) is reader.RowReject:
                    reject(item.line_no, item.key, item.reason)
                    continue
                row = convert(item.line_no, item.values, context)
                if type(row) is str:
                    reject(item.line_no, "/".join(str(item.values[k]) for k in key_columns), row)
                    continue
                yield row
            progress(table, done, total)

        self.sql.load(stage.name, stage.column_names, rows())

    def _tell(self, changes: Changes) -> None:
        """What concerns the members, told inside the transaction (receivers
        write their messages to an outbox in it). Their writes raise data
        versions as usual: the deferral ends here."""
        if connection.vendor == "postgresql":
            self.sql.run(f"SET LOCAL {versioning.DEFERRED} = 'off'")
        if changes.phones:
            members = Member.objects.in_bulk([member_id for member_id, _, _ in changes.phones])
            for member_id, old, new in changes.phones:
                member = members[member_id]
                audit_record(
                    kind=AuditEvent.Kind.PHONE_CHANGED,
                    member=member,
                    actor=None,
                    detail=PHONE_AUDIT.format(old=mask_phone(old) or "(无)", new=mask_phone(new) or "(无)"),
                )
                member_phone_changed.send(sender=Member, member=member, old_phone=old, new_phone=new)
        if changes.closed_members:
            accounts_closed.send(sender=FundAccount, member_ids=list(changes.closed_members))
        if changes.disbursed_contracts:
            contracts = LoanContract.objects.filter(pk__in=changes.disbursed_contracts).select_related("member")
            for contract in contracts.order_by("pk"):
                # The member's message names the first due day: a contract
                # the core sent without one is not announced.
                if contract.disbursed_on is not None and contract.next_due_on is not None:
                    loan_disbursed.send(sender=LoanContract, member=contract.member, contract=contract)
        if changes.booked or changes.refused:
            decisions_settled.send(sender=ImportRun, booked=list(changes.booked), refused=dict(changes.refused))
