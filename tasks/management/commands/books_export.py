"""`manage.py books_export <folder>`: the decisions the core system has not
acknowledged, as an interchange batch (manifest.json and WTJD.csv, see
docs/interchange.md) written into <folder>, a new or empty directory.

Each run numbers its batch the last export's number plus one. Exporting
acknowledges nothing: a decision is in every export until the core
acknowledges it (POST /api/core/outbox/ack/) or its import settles it.
Nothing to export: no batch is written and no number is used (exit 0).
"""

from django.core.management.base import BaseCommand, CommandError

from inquiry.interchange.reader import CODECS
from tasks.services.decisions import ExportRefused, decisions_export

NOTHING = "books_export: 没有待业务系统确认的决定,未写批次"
WRITTEN = "books_export: 批次{batch_no} 写入 {folder},{rows}条决定"


class Command(BaseCommand):
    help = "导出业务系统尚未确认接收的网厅业务决定(WTJD),写为一个交换批次"

    def add_arguments(self, parser):
        parser.add_argument("folder", help="批次目录(新建或空目录)")
        parser.add_argument("--encoding", default="UTF-8", choices=sorted(CODECS), help="文件编码(默认 UTF-8)")

    def handle(self, *args, folder, encoding, **options):
        try:
            export = decisions_export(folder=folder, encoding=encoding)
        except ExportRefused as exc:
            raise CommandError(exc.message) from exc
        if export is None:
            self.stdout.write(NOTHING)
            return
        self.stdout.write(WRITTEN.format(batch_no=export.batch_no, folder=export.folder, rows=export.rows))
