"""Hall staff's view of the center's records.

Staff register or change a member's reserved phone here (recorded through
services.member_phone_change). Ledger and repayments are read-only: they come
from the center's core system and balances must reconcile with them.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html_join

from accounts.models import AuditEvent
from inquiry import services
from inquiry.models import Employer, FundAccount, LedgerEntry, LoanContract, LoanProgressStep, Member, Repayment
from zzgjj_portal.admin import LargeTableAdminMixin, ReadOnlyAdminMixin


class PhoneChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AuditEvent
    fk_name = "member"
    verbose_name = "预留手机号变更记录"
    verbose_name_plural = "预留手机号变更记录"
    fields = ("created_at", "actor", "detail")
    readonly_fields = fields
    extra = 0
    ordering = ("-created_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=AuditEvent.Kind.PHONE_CHANGED).select_related("actor")


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ("account_no", "name")
    search_fields = ("=account_no", "name")


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("name", "id_number", "phone", "account_status", "registered")
    search_fields = ("=id_number", "=phone", "name")
    list_filter = ("fund_account__status",)
    list_select_related = ("fund_account", "user")
    show_full_result_count = False
    readonly_fields = ("created_at", "records")
    fields = ("name", "id_number", "phone", "created_at", "records")
    inlines = [PhoneChangeInline]

    def has_delete_permission(self, request, obj=None):
        # A member is the center's record of a person with money behind it:
        # it is closed (销户) in the core system, never deleted here.
        return False

    @admin.display(description="公积金与贷款")
    def records(self, obj):
        """Links from the member to their account, ledger and loans (each its own read-only list)."""
        if obj.pk is None:
            return "-"
        links = [(reverse("admin:inquiry_loancontract_changelist") + f"?member__id__exact={obj.pk}", "借款合同")]
        account = FundAccount.objects.filter(member=obj).only("pk").first()
        if account is not None:
            links[:0] = [
                (reverse("admin:inquiry_fundaccount_change", args=[account.pk]), "个人公积金账户"),
                (reverse("admin:inquiry_ledgerentry_changelist") + f"?account__id__exact={account.pk}", "缴存支取明细"),
            ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    @admin.display(description="账户状态")
    def account_status(self, obj):
        account = getattr(obj, "fund_account", None)
        return account.get_status_display() if account else "-"

    @admin.display(description="已注册网厅", boolean=True)
    def registered(self, obj):
        return hasattr(obj, "user")

    def get_readonly_fields(self, request, obj=None):
        # Identity is fixed once the record exists; only the phone changes here.
        if obj is not None:
            return ("name", "id_number", *self.readonly_fields)
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        # Every phone set through admin, on a new member too, goes through the
        # service so that it is recorded (who, when, old and new, masked).
        phone = obj.phone
        if not change:
            obj.phone = ""
            super().save_model(request, obj, form, change)
        if phone != obj.phone or "phone" in form.changed_data:
            try:
                services.member_phone_change(member=obj, phone=phone, changed_by=request.user, request=request)
            except ValidationError as exc:
                # Only reachable in a race with another staff member; the form
                # already checked format and uniqueness.
                self.message_user(request, "；".join(exc.messages), level=messages.ERROR)


@admin.register(FundAccount)
class FundAccountAdmin(admin.ModelAdmin):
    list_display = ("account_no", "member", "employer", "balance", "status", "opened_on")
    search_fields = ("=account_no", "=member__id_number", "member__name")
    list_filter = ("status",)
    raw_id_fields = ("member",)
    autocomplete_fields = ("employer",)
    list_select_related = ("member", "employer")
    show_full_result_count = False
    # The balance is the sum of the ledger; it is never typed in.
    readonly_fields = ("balance",)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # Tens of millions of rows: no filter on 业务类型 and no date hierarchy
    # (neither has an index to use, each would read the whole table); staff
    # find entries by serial number, account number or ID number.
    list_display = ("booked_on", "account", "kind", "period", "amount", "balance_after", "summary", "serial_no")
    indexed_search_fields = ("serial_no", "account__account_no", "account__member__id_number")
    list_select_related = ("account",)


class ProgressStepInline(admin.TabularInline):
    model = LoanProgressStep
    extra = 0


class RepaymentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Repayment
    extra = 0
    fields = ("repaid_on", "principal", "interest", "principal_to_date", "interest_to_date", "outstanding_after")
    readonly_fields = fields


@admin.register(LoanContract)
class LoanContractAdmin(admin.ModelAdmin):
    list_display = (
        "contract_no",
        "member",
        "amount",
        "repayment_method",
        "status",
        "outstanding_principal",
        "disbursed_on",
    )
    list_filter = ("status", "repayment_method")
    search_fields = ("=contract_no", "=member__id_number", "member__name")
    raw_id_fields = ("member",)
    list_select_related = ("member",)
    show_full_result_count = False
    inlines = [ProgressStepInline, RepaymentInline]


@admin.register(Repayment)
class RepaymentAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("repaid_on", "contract", "principal", "interest", "outstanding_after")
    indexed_search_fields = ("contract__contract_no", "contract__member__id_number")
    list_select_related = ("contract",)
