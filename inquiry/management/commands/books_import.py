"""`manage.py books_import <folder>`: apply a batch of the core system's
books (docs/interchange.md), all or nothing. A progress bar per table on
stdout while reading, rows per second at the end; exits non-zero when the
batch was refused or failed, with the reason."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from inquiry.interchange.importing import books_import
from inquiry.models import ImportRun

DONE = (
    "批次{batch_no}({kind})已导入: {rows}行, 拒绝{rejected}行, 变动职工{members}人, "
    "核对不符账户{flagged}个; 用时{seconds:.1f}秒, {rate:,.0f}行/秒"
)
NOT_DONE = "批次{batch_no}{status}: {message}"


class Command(BaseCommand):
    help = "导入业务系统的数据批次(docs/interchange.md): manage.py books_import <批次目录>"

    def add_arguments(self, parser):
        parser.add_argument("folder", help="批次目录(含 manifest.json)")

    def handle(self, *args, folder: str, **options):
        quiet = options["verbosity"] == 0
        bars: dict[str, tqdm] = {}

        def progress(step: str, done: int, total: int) -> None:
            if quiet:
                return
            bar = bars.get(step)
            if bar is None:
                for other in bars.values():
                    other.close()
                bar = bars[step] = tqdm(total=total, desc=step, unit="行" if step != "写入" else "步", file=sys.stdout)
            bar.update(done - bar.n)

        try:
            run = books_import(folder=Path(folder), progress=progress)
        finally:
            for bar in bars.values():
                bar.close()
        if run.status != ImportRun.Status.APPLIED:
            raise CommandError(
                NOT_DONE.format(batch_no=run.batch_no, status=run.get_status_display(), message=run.message)
            )
        seconds = max(run.duration.total_seconds(), 0.001)
        self.stdout.write(
            DONE.format(
                batch_no=run.batch_no,
                kind=run.get_kind_display(),
                rows=run.rows_total,
                rejected=run.rows_rejected,
                members=run.members_changed,
                flagged=run.accounts_flagged,
                seconds=seconds,
                rate=run.rows_total / seconds,
            )
        )
        if run.message:
            self.stdout.write(run.message)
