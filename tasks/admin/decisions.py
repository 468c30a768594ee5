"""Hall staff's view of the decisions outbox (业务系统发件箱): what the portal
approved and sent to the core system, whether the core acknowledged it and
whether it booked it (已入账) or not (入账失败, with its reason).

Read-only: decisions are written by 审批 and settled by the core's import or
the booking deadline (tasks.services.decisions), never edited by hand. The
bank account is masked unless the staff member has the full-identity
permission (each view of it audited).
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from inquiry.admin import FullIdentityAdminMixin, with_both_forms
from inquiry.models import RepaymentMethod, WithdrawalReason
from tasks.models.decisions import Decision, DecisionExport
from zzgjj_portal.admin import NumbersAdminMixin, ReadOnlyAdminMixin
from zzgjj_portal.masking import mask_bank_account


class AckedFilter(admin.SimpleListFilter):
    title = "业务系统确认接收"
    parameter_name = "acked"

    def lookups(self, request, model_admin):
        return [("yes", "已确认"), ("no", "未确认")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(acked_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(acked_at__isnull=True)
        return queryset


@admin.register(Decision)
class DecisionAdmin(NumbersAdminMixin, FullIdentityAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "serial_no",
        "kind",
        "account_no",
        "amount",
        "bank_account_no_masked",
        "created_at",
        "acked",
        "state",
        "settled_at",
        "failure_reason",
    )
    list_filter = ("state", AckedFilter, "kind")
    search_fields = ("=serial_no", "=account_no")
    search_help_text = "按业务流水号或个人账号查找"
    list_select_related = ("application",)
    show_full_result_count = False
    date_hierarchy = "created_at"
    # The page shows what the decision's kind has: a withdrawal has no loan
    # terms, a loan no bank account (an empty 年利率 read 「None」 before).
    common_fields = ("serial_no", "application_link", "kind", "account_no", "amount")
    withdrawal_fields = ("BANK_ACCOUNT", "withdrawal_reason_shown", "close_account")
    loan_fields = ("term_months", "annual_rate", "repayment_method_shown")
    outcome_fields = ("created_at", "acked_at", "state", "settled_at", "failure_reason")
    fields = common_fields + withdrawal_fields + loan_fields + outcome_fields
    sensitive_fields = {"BANK_ACCOUNT": ("bank_account_no", "bank_account_no_masked")}
    full_identity_what = "发件箱{obj.serial_no}的完整银行账号"
    readonly_fields = (*with_both_forms(fields, sensitive_fields), "application_text")

    def sensitive_placeholders(self, request, obj=None):
        kind_fields = self.loan_fields if obj is not None and obj.kind == Decision.Kind.LOAN else self.withdrawal_fields
        shown = self.common_fields + kind_fields + self.outcome_fields
        if request.user.has_perm("tasks.view_application"):
            return shown
        # Staff who may not open applications (a hall clerk) get the words, not a link to a 403.
        return tuple("application_text" if name == "application_link" else name for name in shown)

    def full_identity_member(self, obj):
        return obj.application.member

    @admin.display(description="收款银行账号")
    def bank_account_no_masked(self, obj):
        return mask_bank_account(obj.bank_account_no) or "-"

    @admin.display(description="业务系统确认接收", boolean=True, ordering="acked_at")
    def acked(self, obj):
        return obj.acked_at is not None

    @admin.display(description="业务申请")
    def application_text(self, obj):
        return f"{obj.application.title} 申请编号{obj.application_id}"

    @admin.display(description="业务申请")
    def application_link(self, obj):
        url = reverse("admin:tasks_application_change", args=[obj.application_id])
        return format_html('<a href="{}">{}</a>', url, self.application_text(obj))

    @admin.display(description="提取原因")
    def withdrawal_reason_shown(self, obj):
        return reason_label(obj.withdrawal_reason)

    @admin.display(description="还款方式")
    def repayment_method_shown(self, obj):
        return RepaymentMethod(obj.repayment_method).label if obj.repayment_method in RepaymentMethod.values else "-"


def reason_label(code: str) -> str:
    """提取原因 as staff read it: the A.7 code and its words (07 房租超出…)."""
    if code in WithdrawalReason.values:
        return f"{code} {WithdrawalReason(code).label}"
    return code or "-"


@admin.register(DecisionExport)
class DecisionExportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The batches books_export wrote (batch number, when, where, how many)."""

    list_display = ("batch_no", "exported_at", "rows", "folder")
