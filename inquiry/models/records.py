"""The center's records of its members: fund accounts, ledger, loans.

Field names follow the glossary in CONTRIBUTING.md. Money is DecimalField with two
places; rates are stored as fractions (0.12 for 12%).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from inquiry import amortization
from zzgjj_portal.identity import id_number_error, is_phone, normalize_id_number
from zzgjj_portal.money import format_money, to_cents

MONEY = {"max_digits": 14, "decimal_places": 2}
RATE_MIN = Decimal("0.05")
RATE_MAX = Decimal("0.12")


def validate_id_number(value: str) -> None:
    error = id_number_error(value)
    if error:
        raise ValidationError(error, code="invalid_id_number")


# A reserved phone is one member's (a login name). The holder, when known, is
# named with the ID number masked; the database constraint cannot name them.
PHONE_TAKEN = "该手机号码已由缴存职工{holder}登记,请核对"


def validate_phone(value: str) -> None:
    if value and not is_phone(value):
        raise ValidationError("手机号码应为11位大陆手机号", code="invalid_phone")


class AccountStatus(models.TextChoices):
    """Codes of JGJ/T 320-2014 appendix A.6."""

    NORMAL = "01", "正常"
    SEALED = "02", "封存"
    CLOSED_MERGED = "03", "合并销户"
    CLOSED_TRANSFERRED = "04", "外部转出销户"
    CLOSED_WITHDRAWN = "05", "提取销户"
    FROZEN = "06", "冻结"
    OTHER = "99", "其他"


CLOSED_STATUSES = (AccountStatus.CLOSED_MERGED, AccountStatus.CLOSED_TRANSFERRED, AccountStatus.CLOSED_WITHDRAWN)


class WithdrawalReason(models.TextChoices):
    """提取原因: codes of JGJ/T 320-2014 appendix A.7, as the core system books
    them. Rules match the code, never the words (the portal's 提取类型 map onto
    these: 租房提取 07, 偿还住房贷款提取 06, 离退休提取 03)."""

    PURCHASE = "01", "购买住房"
    BUILD = "02", "建造、翻建、大修住房"
    RETIREMENT = "03", "离休、退休"
    DISABILITY = "04", "完全丧失劳动能力并与单位终止劳动关系"
    EMIGRATION = "05", "户口迁出所在市县或出境定居"
    LOAN_REPAYMENT = "06", "偿还购房贷款本息"
    RENT = "07", "房租超出家庭工资收入的规定比例"
    DEATH = "08", "死亡"
    ILLNESS = "09", "大病医疗"
    OTHER = "99", "其他"


class Employer(models.Model):
    name = models.CharField("单位名称", max_length=100)
    account_no = models.CharField("单位账号", max_length=32, unique=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["account_no"]

    def __str__(self) -> str:
        return self.name


class MemberQuerySet(models.QuerySet):
    def by_login(self, identifier: str) -> "MemberQuerySet":
        """Members whose ID number or reserved phone is `identifier`."""
        identifier = (identifier or "").strip()
        if is_phone(identifier):
            return self.filter(phone=identifier)
        return self.filter(id_number=normalize_id_number(identifier))


class Member(models.Model):
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18, unique=True, validators=[validate_id_number])
    # The reserved phone: only hall staff set it (see services.member_phone_change);
    # SMS codes go only there, and it is a login name, hence unique when set.
    phone = models.CharField("手机号码", max_length=11, blank=True, validators=[validate_phone])
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    # Raised by database triggers whenever anything shown about the member
    # changes (inquiry/versioning.py); the member pages' cache keys on it.
    data_version = models.PositiveBigIntegerField("数据版本", default=0, db_default=0, editable=False)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = "缴存职工"
        verbose_name_plural = "缴存职工"
        ordering = ["id"]
        # Staff without it see ID numbers and phones masked in admin; each
        # view of the full numbers is audited.
        permissions = [("view_full_identity", "可查看完整身份证号、手机号码和银行账号")]
        constraints = [
            models.UniqueConstraint(
                fields=["phone"],
                condition=~Q(phone=""),
                name="member_phone_unique",
                violation_error_message=PHONE_TAKEN.format(holder=""),
            ),
            models.CheckConstraint(condition=Q(id_number__regex=r"^\d{17}[\dX]$"), name="member_id_number_format"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.id_number = normalize_id_number(self.id_number)


class FundAccount(models.Model):
    member = models.OneToOneField(
        Member, verbose_name="缴存职工", on_delete=models.PROTECT, related_name="fund_account"
    )
    account_no = models.CharField("个人账号", max_length=32, unique=True)
    employer = models.ForeignKey(Employer, verbose_name="单位", on_delete=models.PROTECT, related_name="accounts")
    deposit_base = models.DecimalField("缴存基数", **MONEY)
    employer_rate = models.DecimalField(
        "单位缴存比例",
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(RATE_MIN), MaxValueValidator(RATE_MAX)],
    )
    personal_rate = models.DecimalField(
        "个人缴存比例",
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(RATE_MIN), MaxValueValidator(RATE_MAX)],
    )
    # Always the sum of the account's ledger entries: whatever books an entry
    # changes both in one transaction holding this row's lock; tests reconcile it.
    balance = models.DecimalField("账户余额", default=Decimal("0.00"), **MONEY)
    opened_on = models.DateField("开户日期")
    status = models.CharField("个人账户状态", max_length=2, choices=AccountStatus.choices, default=AccountStatus.NORMAL)
    # Where withdrawals are paid (提取 goes to the member's own bank account on
    # file, registered at the counter). Members only ever see it masked.
    bank_account_no = models.CharField("收款银行账号", max_length=30, blank=True)
    # From the core system's 个人账户信息 (JGJ/T 320 表5.0.4): JZNY, XHRQ.
    paid_through = models.CharField("缴至年月", max_length=6, blank=True, db_default="")
    closed_on = models.DateField("销户日期", null=True, blank=True)
    # Set by the import when the core's GRZHYE, the last running balance and
    # the sum of the ledger disagree (what disagreed, for staff); while set,
    # member pages show 数据核对中 instead of figures that contradict each other.
    discrepancy = models.CharField("核对差异", max_length=200, blank=True, db_default="")

    class Meta:
        verbose_name = "个人公积金账户"
        verbose_name_plural = "个人公积金账户"
        ordering = ["account_no"]
        constraints = [
            models.CheckConstraint(condition=Q(deposit_base__gte=0), name="account_deposit_base_non_negative"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="account_balance_non_negative"),
            models.CheckConstraint(
                condition=Q(employer_rate__gte=RATE_MIN, employer_rate__lte=RATE_MAX),
                name="account_employer_rate_range",
            ),
            models.CheckConstraint(
                condition=Q(personal_rate__gte=RATE_MIN, personal_rate__lte=RATE_MAX),
                name="account_personal_rate_range",
            ),
        ]

    def __str__(self) -> str:
        return self.account_no

    @property
    def employer_deposit(self) -> Decimal:
        return to_cents(self.deposit_base * self.employer_rate)

    @property
    def personal_deposit(self) -> Decimal:
        return to_cents(self.deposit_base * self.personal_rate)

    @property
    def monthly_deposit(self) -> Decimal:
        """月缴存额: each half rounded to the cent on its own, then added."""
        return self.employer_deposit + self.personal_deposit

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


# 摘要 of an entry the core system has not booked yet (LedgerEntry.pending).
PENDING_SUMMARY = "【待入账】{summary}"


class LedgerEntry(models.Model):
    class Kind(models.TextChoices):
        MONTHLY_DEPOSIT = "deposit", "汇缴"
        BACK_PAYMENT = "back_payment", "补缴"
        WITHDRAWAL = "withdrawal", "提取"
        INTEREST = "interest", "结息"
        TRANSFER_IN = "transfer_in", "转入"
        TRANSFER_OUT = "transfer_out", "转出"

    # No single-column index: the (account, booked_on, id) index below leads
    # with the account, and with both PostgreSQL picks the narrow one and
    # sorts, instead of reading a member's date range in order.
    account = models.ForeignKey(
        FundAccount, verbose_name="个人账号", on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    booked_on = models.DateField("记账日期")
    kind = models.CharField("业务类型", max_length=16, choices=Kind.choices)
    period = models.CharField("汇缴年月", max_length=6, blank=True)
    # Signed: income positive, outgo (withdrawal, transfer out) negative, so a
    # balance is simply the sum of amounts.
    amount = models.DecimalField("发生额", **MONEY)
    balance_after = models.DecimalField("余额", **MONEY)
    summary = models.CharField("摘要", max_length=100, blank=True)
    # max_length stays 50: narrowing it would rebuild this large table (on SQLite
    # also dropping its data-version triggers) for no gain.
    withdrawal_reason = models.CharField("提取原因", max_length=50, choices=WithdrawalReason.choices, blank=True)
    serial_no = models.CharField("业务流水号", max_length=32, unique=True)
    # 待入账: a decision of the portal's (an approved withdrawal) that the core
    # system has not booked yet. It counts against the balance (no overdraw
    # meanwhile); the core's own row with the same 业务流水号 confirms it.
    pending = models.BooleanField("待入账", default=False, db_default=False)

    class Meta:
        verbose_name = "缴存支取明细"
        verbose_name_plural = "缴存支取明细"
        ordering = ["booked_on", "id"]
        indexes = [
            models.Index(fields=["account", "booked_on", "id"], name="ledger_account_date_idx"),
            # The few 待入账 entries, found without reading an account's whole
            # ledger (the import sums them for every account it touches).
            models.Index(fields=["account"], condition=Q(pending=True), name="ledger_pending_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_non_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="ledger_balance_after_non_negative"),
            models.CheckConstraint(
                condition=Q(period="") | Q(period__regex=r"^\d{4}(0[1-9]|1[0-2])$"), name="ledger_period_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.serial_no} {self.get_kind_display()} {format_money(self.amount)}"

    @property
    def summary_shown(self) -> str:
        """摘要 as members read it, on the page, its print and its Excel file
        alike: a 待入账 entry says so first."""
        return PENDING_SUMMARY.format(summary=self.summary) if self.pending else self.summary

    @property
    def income(self) -> Decimal | None:
        return self.amount if self.amount > 0 else None

    @property
    def outgo(self) -> Decimal | None:
        return -self.amount if self.amount < 0 else None


class RepaymentMethod(models.TextChoices):
    # The codes are the amortization engine's, which dispatches on them.
    EQUAL_INSTALLMENT = amortization.EQUAL_INSTALLMENT, "等额本息"
    EQUAL_PRINCIPAL = amortization.EQUAL_PRINCIPAL, "等额本金"


class LoanStatus(models.TextChoices):
    NOT_DISBURSED = "not_disbursed", "未发放"
    ACTIVE = "active", "正常"
    OVERDUE = "overdue", "逾期"
    SETTLED = "settled", "结清"


# Three meanings of "a loan the member has", each named once:
# Being repaid (正常 or 逾期): these contracts have a repayment plan.
RUNNING_LOAN_STATUSES = (LoanStatus.ACTIVE, LoanStatus.OVERDUE)
# Not paid off (未发放, 正常 or 逾期): a member has one such loan at a time, and
# an account is never closed (销户) while one exists.
UNSETTLED_LOAN_STATUSES = (LoanStatus.NOT_DISBURSED, *RUNNING_LOAN_STATUSES)


class LoanContractQuerySet(models.QuerySet):
    def running(self) -> "LoanContractQuerySet":
        """Being repaid (正常 or 逾期): the contracts with a repayment plan (`is_running`)."""
        return self.filter(status__in=RUNNING_LOAN_STATUSES)

    def unsettled(self) -> "LoanContractQuerySet":
        """Not paid off (未发放, 正常 or 逾期): one loan at a time, no 销户 while one exists."""
        return self.filter(status__in=UNSETTLED_LOAN_STATUSES)

    def active(self) -> "LoanContractQuerySet":
        """正常 only, in good standing: what 偿还住房贷款提取 may repay (arrears
        of an overdue loan are settled at the counter)."""
        return self.filter(status=LoanStatus.ACTIVE)


class LoanContract(models.Model):
    # Also at module level, so Meta's constraints can name a status.
    Status = LoanStatus

    member = models.ForeignKey(Member, verbose_name="缴存职工", on_delete=models.PROTECT, related_name="loans")
    contract_no = models.CharField("借款合同编号", max_length=32, unique=True)
    amount = models.DecimalField("贷款金额", **MONEY)
    term_months = models.PositiveSmallIntegerField("贷款期限(月)")
    annual_rate = models.DecimalField("年利率", max_digits=6, decimal_places=5)
    repayment_method = models.CharField("还款方式", max_length=20, choices=RepaymentMethod.choices)
    disbursed_on = models.DateField("发放日期", null=True, blank=True)
    status = models.CharField("贷款状态", max_length=16, choices=Status.choices, default=Status.NOT_DISBURSED)
    outstanding_principal = models.DecimalField("贷款余额", **MONEY)
    monthly_payment = models.DecimalField("月还款额", null=True, blank=True, **MONEY)
    applied_on = models.DateField("申请日期")
    # Kept by the core system after every posting. The repayment plan is
    # recomputed from these and the outstanding principal, so it follows
    # prepayments, shortened terms and rate changes instead of the original plan.
    remaining_months = models.PositiveSmallIntegerField("剩余期数", default=0)
    next_due_on = models.DateField("下期应还日期", null=True, blank=True)
    # 贷款结清日期 (DKJQRQ) as the core sent it; empty for a loan not settled,
    # and for one settled before the core sent it (the 贷款结清证明 then takes
    # the last repayment's date: inquiry.selectors.loan_settled_dates).
    settled_on = models.DateField("结清日期", null=True, blank=True)
    # 贷款账号 (DKZH, 表6.0.5) once the core has opened the loan account.
    loan_account_no = models.CharField("贷款账号", max_length=32, blank=True, db_default="")
    # The portal's 业务流水号 of the approved loan application the core made
    # this contract for (empty for contracts signed at the counter).
    decision_serial_no = models.CharField("申请业务流水号", max_length=32, blank=True, db_default="")
    # As FundAccount.discrepancy: 贷款余额 and the repayments disagree.
    discrepancy = models.CharField("核对差异", max_length=200, blank=True, db_default="")

    objects = LoanContractQuerySet.as_manager()

    class Meta:
        verbose_name = "借款合同"
        verbose_name_plural = "借款合同"
        # Read-only in admin: contracts, 放款 included, are the core system's.
        ordering = ["applied_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="loan_amount_positive"),
            models.CheckConstraint(condition=Q(outstanding_principal__gte=0), name="loan_outstanding_non_negative"),
            models.CheckConstraint(
                condition=Q(outstanding_principal__lte=models.F("amount")), name="loan_outstanding_le_amount"
            ),
            models.CheckConstraint(condition=Q(term_months__gte=1, term_months__lte=360), name="loan_term_range"),
            models.CheckConstraint(
                condition=Q(annual_rate__gt=0, annual_rate__lt=Decimal("0.2")), name="loan_rate_range"
            ),
            models.CheckConstraint(
                condition=Q(status=LoanStatus.NOT_DISBURSED) | Q(disbursed_on__isnull=False),
                name="loan_disbursed_has_date",
            ),
            models.CheckConstraint(condition=Q(remaining_months__lte=360), name="loan_remaining_months_range"),
            models.UniqueConstraint(
                fields=["loan_account_no"], condition=~Q(loan_account_no=""), name="loan_account_no_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.contract_no

    @property
    def term_years(self) -> Decimal:
        years = Decimal(self.term_months) / 12
        return years.normalize() if years == years.to_integral() else years.quantize(Decimal("0.1"))

    @property
    def is_disbursed(self) -> bool:
        return self.status != self.Status.NOT_DISBURSED

    @property
    def is_running(self) -> bool:
        """Being repaid (正常 or 逾期): the contract has a repayment plan."""
        return self.status in RUNNING_LOAN_STATUSES


class LoanProgressName(models.TextChoices):
    """贷款进度: the nodes of a loan, in order, as the center names them (the
    name is stored as is, so the value is the Chinese word)."""

    ACCEPT = "申请受理", "申请受理"
    REVIEW = "审核", "审核"
    APPROVE = "审批", "审批"
    SIGN = "签订合同", "签订合同"
    MORTGAGE = "抵押登记", "抵押登记"
    DISBURSE = "放款", "放款"


# The nodes done at the counter after the application was approved, 放款 last.
LOAN_STEPS_AFTER_APPROVAL = (LoanProgressName.SIGN, LoanProgressName.MORTGAGE, LoanProgressName.DISBURSE)


class LoanProgressStep(models.Model):
    Name = LoanProgressName

    class State(models.TextChoices):
        DONE = "done", "已完成"
        CURRENT = "current", "办理中"
        PENDING = "pending", "未开始"

    contract = models.ForeignKey(
        LoanContract, verbose_name="借款合同", on_delete=models.CASCADE, related_name="progress_steps"
    )
    order = models.PositiveSmallIntegerField("顺序")
    name = models.CharField("节点", max_length=30)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    handled_at = models.DateTimeField("办理时间", null=True, blank=True)
    # The staff member who recorded the node (empty for the core system's own;
    # kept for the nodes the portal recorded before 放款 became the core's).
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "贷款进度"
        verbose_name_plural = "贷款进度"
        ordering = ["contract", "order"]
        constraints = [models.UniqueConstraint(fields=["contract", "order"], name="progress_step_order_unique")]

    def __str__(self) -> str:
        # Labels each row of the contract's progress in admin: no database id.
        return f"{self.order}. {self.name}"

    @property
    def is_done(self) -> bool:
        return self.state == self.State.DONE

    @property
    def is_current(self) -> bool:
        return self.state == self.State.CURRENT


class Repayment(models.Model):
    # Covered by the (contract, repaid_on, id) index, as for ledger entries.
    contract = models.ForeignKey(
        LoanContract, verbose_name="借款合同", on_delete=models.PROTECT, related_name="repayments", db_index=False
    )
    repaid_on = models.DateField("还款日期")
    principal = models.DecimalField("偿还本金", **MONEY)
    interest = models.DecimalField("偿还利息", **MONEY)
    principal_to_date = models.DecimalField("已还本金", **MONEY)
    interest_to_date = models.DecimalField("已还利息", **MONEY)
    outstanding_after = models.DecimalField("贷款余额", **MONEY)
    # The core's keys of the posting (表6.0.6): its 业务流水号 and 当期期次.
    serial_no = models.CharField("业务流水号", max_length=32, blank=True, db_default="")
    period_no = models.PositiveSmallIntegerField("期次", null=True, blank=True)

    class Meta:
        verbose_name = "还款明细"
        verbose_name_plural = "还款明细"
        ordering = ["repaid_on", "id"]
        indexes = [models.Index(fields=["contract", "repaid_on", "id"], name="repayment_contract_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    principal__gte=0,
                    interest__gte=0,
                    principal_to_date__gte=0,
                    interest_to_date__gte=0,
                    outstanding_after__gte=0,
                ),
                name="repayment_amounts_non_negative",
            ),
            models.UniqueConstraint(fields=["serial_no"], condition=~Q(serial_no=""), name="repayment_serial_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.repaid_on:%Y-%m-%d} 还款"
