"""导入批次: each interchange batch from the core system the portal was given,
what became of it, and the rows it rejected (inquiry/interchange/)."""

from django.db import models
from django.db.models import Q


class ImportRun(models.Model):
    class Kind(models.TextChoices):
        FULL = "full", "全量"
        DELTA = "delta", "增量"

    class Status(models.TextChoices):
        RUNNING = "running", "导入中"
        APPLIED = "applied", "已导入"
        REFUSED = "refused", "已拒绝"
        FAILED = "failed", "失败"

    # From the manifest. Batches apply in number order: the next is the last
    # applied + 1 (the partial unique index below is the last word on a race).
    batch_no = models.PositiveBigIntegerField("批次号")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices, blank=True)
    as_of = models.DateTimeField("截至", null=True, blank=True)
    folder = models.CharField("批次目录", max_length=500)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RUNNING)
    # Why a batch was refused or failed, in Chinese, for staff (no personal data).
    message = models.CharField("说明", max_length=500, blank=True)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    rows_total = models.PositiveBigIntegerField("行数", default=0)
    rows_applied = models.PositiveBigIntegerField("已导入行数", default=0)
    rows_rejected = models.PositiveBigIntegerField("拒绝行数", default=0)
    members_changed = models.PositiveIntegerField("变动职工数", default=0)
    accounts_flagged = models.PositiveIntegerField("核对不符账户数", default=0)

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch_no"], condition=Q(status="applied"), name="import_batch_applied_once"
            ),
        ]

    def __str__(self) -> str:
        # A refused batch is sent again under the same number: its run and
        # rejects must not read like the applied one's.
        if self.status == self.Status.APPLIED:
            return f"批次{self.batch_no}"
        return f"批次{self.batch_no}({self.get_status_display()})"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None


class ImportReject(models.Model):
    """A row the import refused, with its reason. `key` names the row by the
    core's keys (个人账号, 业务流水号, 借款合同编号): never an ID number or phone."""

    run = models.ForeignKey(ImportRun, verbose_name="导入批次", on_delete=models.CASCADE, related_name="rejects")
    table = models.CharField("表", max_length=40)
    line_no = models.PositiveBigIntegerField("行号")
    key = models.CharField("关键字", max_length=80, blank=True)
    reason = models.CharField("原因", max_length=300)

    class Meta:
        verbose_name = "拒绝行"
        verbose_name_plural = "拒绝行"
        ordering = ["run", "table", "line_no"]

    def __str__(self) -> str:
        return f"{self.table} 第{self.line_no}行"
