"""Applications a member makes online (业务申请: 提取, 贷款) and their workflow.

Each application has four steps, 受理 → 审核 → 审批 → 办结, kept as rows so
the member's 流程图 and the table of 审批人 / 审批意见 / 办理时间 read them
directly. Hall staff act on the current step in admin (services.applications).
"""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q

from inquiry.models import MONEY, RepaymentMethod, WithdrawalReason
from tasks import eligibility


class ApplicationQuerySet(models.QuerySet):
    def for_member(self, member) -> "ApplicationQuerySet":
        return self.filter(member=member)


class Application(models.Model):
    class Kind(models.TextChoices):
        WITHDRAWAL = "withdrawal", "提取"
        LOAN = "loan", "贷款"

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "办理中"
        COMPLETED = "completed", "已办结"
        REJECTED = "rejected", "未通过"
        WITHDRAWN = "withdrawn", "已撤回"

    class WithdrawalKind(models.TextChoices):
        RENT = eligibility.RENT, "租房提取"
        LOAN_REPAYMENT = eligibility.LOAN_REPAYMENT, "偿还住房贷款提取"
        RETIREMENT = eligibility.RETIREMENT, "离退休提取"

    class Step(models.TextChoices):
        ACCEPT = "accept", "受理"
        REVIEW = "review", "审核"
        APPROVE = "approve", "审批"
        COMPLETE = "complete", "办结"

    member = models.ForeignKey(
        "inquiry.Member", verbose_name="缴存职工", on_delete=models.PROTECT, related_name="applications"
    )
    kind = models.CharField("业务类型", max_length=16, choices=Kind.choices)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    # Empty once the workflow has ended (办结, 未通过 or 撤回).
    current_step = models.CharField("当前环节", max_length=16, choices=Step.choices, blank=True)
    submitted_at = models.DateTimeField("提交时间")
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    # One per form the member was shown: the same form submitted twice (double
    # click, back and resubmit) hits the unique constraint below and yields
    # the application already made, never a second one.
    form_token = models.UUIDField("表单令牌", editable=False)
    amount = models.DecimalField("申请金额", **MONEY)

    # 提取: its kind, and where the money goes (the account on file when applying).
    withdrawal_kind = models.CharField("提取类型", max_length=20, choices=WithdrawalKind.choices, blank=True)
    bank_account_no = models.CharField("收款银行账号", max_length=30, blank=True)
    ledger_serial_no = models.CharField("业务流水号", max_length=32, blank=True)

    # 贷款: what the member asked for, and the contract an approval created.
    term_years = models.PositiveSmallIntegerField("贷款年限(年)", null=True, blank=True)
    repayment_method = models.CharField("还款方式", max_length=20, choices=RepaymentMethod.choices, blank=True)
    annual_rate = models.DecimalField("年利率", max_digits=6, decimal_places=5, null=True, blank=True)
    property_address = models.CharField("房屋坐落", max_length=200, blank=True)
    property_price = models.DecimalField("房屋总价", null=True, blank=True, **MONEY)
    co_borrower_name = models.CharField("共同借款人姓名", max_length=50, blank=True)
    co_borrower_id_number = models.CharField("共同借款人身份证号", max_length=18, blank=True)
    contract_no = models.CharField("借款合同编号", max_length=32, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "业务申请"
        verbose_name_plural = "业务申请"
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["member", "submitted_at"], name="application_member_time_idx")]
        permissions = [
            ("act_accept", "受理业务申请"),
            ("act_review", "审核业务申请"),
            ("act_approve", "审批业务申请"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["member", "form_token"], name="application_form_token_unique"),
            # One open application of a type at a time (a loan has no
            # withdrawal kind, so one open loan application).
            models.UniqueConstraint(
                fields=["member", "kind", "withdrawal_kind"],
                condition=Q(status="in_progress"),
                name="application_one_open_per_type",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="application_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind="loan", withdrawal_kind="") | Q(kind="withdrawal") & ~Q(withdrawal_kind=""),
                name="application_withdrawal_kind_matches",
            ),
            models.CheckConstraint(
                condition=Q(status="in_progress", closed_at__isnull=True) & ~Q(current_step="")
                | ~Q(status="in_progress") & Q(current_step="", closed_at__isnull=False),
                name="application_open_has_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}({self.get_status_display()})"

    @property
    def title(self) -> str:
        """业务类型 as members read it: 租房提取, 贷款申请, ..."""
        if self.kind == self.Kind.WITHDRAWAL:
            return self.get_withdrawal_kind_display()
        return "贷款申请"

    @property
    def booking(self):
        """The decision 审批 sent to the core system (its 入账状态), None before
        (or for an application completed before decisions existed)."""
        try:
            return self.decision
        except ObjectDoesNotExist:
            return None

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS

    def can_be_withdrawn(self, steps) -> bool:
        """撤回: only while open and before any staff member acted on a step
        (`steps`: the application's steps, passed in so a page that shows
        them costs no second query)."""
        return self.is_open and not any(step.approver_id for step in steps)


# 提取原因 (the records' code) booked on the ledger entry of each 提取类型,
# so the year's rent withdrawals are counted by code.
WITHDRAWAL_REASONS = {
    Application.WithdrawalKind.RENT: WithdrawalReason.RENT,
    Application.WithdrawalKind.LOAN_REPAYMENT: WithdrawalReason.LOAN_REPAYMENT,
    Application.WithdrawalKind.RETIREMENT: WithdrawalReason.RETIREMENT,
}
# Who may act on each step (permission codename); 办结 follows 审批 by itself.
STEP_PERMISSIONS = {
    Application.Step.ACCEPT: "tasks.act_accept",
    Application.Step.REVIEW: "tasks.act_review",
    Application.Step.APPROVE: "tasks.act_approve",
}
STEP_ORDER = [Application.Step.ACCEPT, Application.Step.REVIEW, Application.Step.APPROVE, Application.Step.COMPLETE]


class ApplicationStep(models.Model):
    class State(models.TextChoices):
        DONE = "done", "已完成"
        CURRENT = "current", "办理中"
        PENDING = "pending", "未开始"
        REJECTED = "rejected", "未通过"
        CANCELLED = "cancelled", "已撤回"

    application = models.ForeignKey(
        Application, verbose_name="业务申请", on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField("顺序")
    step = models.CharField("环节", max_length=16, choices=Application.Step.choices)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.PENDING)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The name members see, kept as it was when the step was handled.
    approver_name = models.CharField("审批人姓名", max_length=150, blank=True)
    opinion = models.CharField("审批意见", max_length=300, blank=True)
    handled_at = models.DateTimeField("办理时间", null=True, blank=True)

    class Meta:
        verbose_name = "审批环节"
        verbose_name_plural = "审批环节"
        ordering = ["application", "order"]
        constraints = [
            models.UniqueConstraint(fields=["application", "order"], name="application_step_order_unique"),
            # Four eyes, in the database too: one person handles at most one
            # step of an application, superusers included.
            models.UniqueConstraint(
                fields=["application", "approver"],
                condition=Q(approver__isnull=False),
                name="application_step_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.get_state_display()}"
