"""Decisions sent to the core system (发件箱): an approved withdrawal or loan
application, written in the same transaction as the approval, offered to the
core (file export or the core API) until it acknowledges it, and settled when
the core's own posting with the same 业务流水号 comes back in an import
(已入账) or the core refuses it (入账失败).
"""

from django.db import models
from django.db.models import Q

from inquiry.models import MONEY


class DecisionQuerySet(models.QuerySet):
    def unacknowledged(self) -> "DecisionQuerySet":
        """Offered to the core until it acknowledges them (an ack twice is harmless)."""
        return self.filter(acked_at__isnull=True)

    def pending(self) -> "DecisionQuerySet":
        return self.filter(state=Decision.State.PENDING)


class Decision(models.Model):
    class Kind(models.TextChoices):
        WITHDRAWAL = "withdrawal", "提取"
        LOAN = "loan", "贷款"

    class State(models.TextChoices):
        PENDING = "pending", "待入账"
        BOOKED = "booked", "已入账"
        FAILED = "failed", "入账失败"

    # The cursor of GET /api/core/outbox/?after= is the id: ids only grow.
    application = models.OneToOneField(
        "tasks.Application", verbose_name="业务申请", on_delete=models.PROTECT, related_name="decision"
    )
    # 业务流水号 (YWLSH) the portal assigns; the core books under it, so its
    # posting coming back confirms this decision instead of adding a row.
    serial_no = models.CharField("业务流水号", max_length=32, unique=True)
    kind = models.CharField("业务类型", max_length=16, choices=Kind.choices)
    account_no = models.CharField("个人账号", max_length=32)
    amount = models.DecimalField("金额", **MONEY)
    bank_account_no = models.CharField("收款银行账号", max_length=30, blank=True)
    # 提取: 提取原因 (JGJ/T 320 A.7) and whether the account is closed (销户提取).
    withdrawal_reason = models.CharField("提取原因", max_length=2, blank=True)
    close_account = models.BooleanField("销户提取", default=False)
    # 贷款: the approved terms.
    term_months = models.PositiveSmallIntegerField("贷款期数", null=True, blank=True)
    annual_rate = models.DecimalField("年利率", max_digits=6, decimal_places=5, null=True, blank=True)
    repayment_method = models.CharField("还款方式", max_length=20, blank=True)
    created_at = models.DateTimeField("生成时间")
    acked_at = models.DateTimeField("业务系统确认接收时间", null=True, blank=True)
    state = models.CharField("入账状态", max_length=10, choices=State.choices, default=State.PENDING)
    settled_at = models.DateTimeField("入账结果时间", null=True, blank=True)
    # The core's reason when it refused (入账失败), shown to the member.
    failure_reason = models.CharField("失败原因", max_length=200, blank=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = "业务系统发件箱"
        verbose_name_plural = "业务系统发件箱"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["id"], condition=Q(acked_at__isnull=True), name="decision_unacked_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="decision_amount_positive"),
            models.CheckConstraint(
                condition=Q(state="pending", settled_at__isnull=True)
                | ~Q(state="pending") & Q(settled_at__isnull=False),
                name="decision_settled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.serial_no


class DecisionExport(models.Model):
    """One batch of decisions written for the core (manage.py books_export).
    Its number is the batch number in the manifest: the last one plus one,
    unique, so two exports at once never write the same number."""

    batch_no = models.PositiveIntegerField("批次号", unique=True)
    exported_at = models.DateTimeField("导出时间")
    folder = models.CharField("导出目录", max_length=500)
    rows = models.PositiveIntegerField("决定数")

    class Meta:
        verbose_name = "发件箱导出批次"
        verbose_name_plural = "发件箱导出批次"
        ordering = ["-batch_no"]

    def __str__(self) -> str:
        return f"{self.batch_no}"
