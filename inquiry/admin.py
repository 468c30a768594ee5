"""Hall staff's view of the center's records.

Staff register or change a member's reserved phone here (recorded through
services.member_phone_change). Ledger and repayments are read-only: they come
from the center's core system and balances must reconcile with them.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from inquiry import selectors, services
from inquiry.models import (
    Employer,
    FundAccount,
    ImportReject,
    ImportRun,
    LedgerEntry,
    LoanContract,
    LoanProgressStep,
    Member,
    Repayment,
    validate_phone,
)
from zzgjj_portal.admin import LargeTableAdminMixin, NumbersAdminMixin, ReadOnlyAdminMixin
from zzgjj_portal.audit import sees_phone_changes
from zzgjj_portal.masking import mask_bank_account, mask_id_number, mask_phone
from zzgjj_portal.models import AuditEvent


class DiscrepancyFilter(admin.SimpleListFilter):
    """核对差异: the accounts or contracts the import could not reconcile
    (their members see 数据核对中 instead of the figures)."""

    title = "核对差异"
    parameter_name = "discrepancy"

    def lookups(self, request, model_admin):
        return (("yes", "核对不符"), ("no", "已核对"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(discrepancy="")
        if self.value() == "no":
            return queryset.filter(discrepancy="")
        return queryset


def sees_full_identity(request) -> bool:
    return services.full_identity_allowed(request.user)


def with_both_forms(fields: tuple[str, ...], sensitive: dict[str, tuple[str, str]]) -> tuple[str, ...]:
    """`fields` with each placeholder of `sensitive` replaced by both its
    forms: what `readonly_fields` must list for either to be shown."""
    return tuple(dict.fromkeys(name for f in fields for name in sensitive.get(f, (f,))))


class FullIdentityAdminMixin:
    """A page that may show a member's full numbers (ID, co-borrower ID, bank
    account): `get_fields` names placeholders of `sensitive_fields`, each
    replaced by the full field for staff with the permission and by the
    masked one for everyone else; each GET of a page showing them is audited
    (services.full_identity_view_record). Lists use the masked ones only."""

    sensitive_fields: dict[str, tuple[str, str]] = {}
    full_identity_what = "完整身份信息"

    def full_identity_member(self, obj) -> Member:
        return obj.member

    def get_fields(self, request, obj=None):
        which = 0 if sees_full_identity(request) else 1
        return tuple(
            self.sensitive_fields[f][which] if f in self.sensitive_fields else f
            for f in self.sensitive_placeholders(request, obj)
        )

    def sensitive_placeholders(self, request, obj=None) -> tuple[str, ...]:
        return self.fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and sees_full_identity(request):
            obj = self.get_object(request, unquote(object_id))
            shown = set(self.get_fields(request, obj)) & {full for full, _ in self.sensitive_fields.values()}
            if obj is not None and shown:
                services.full_identity_view_record(
                    member=self.full_identity_member(obj),
                    actor=request.user,
                    what=self.full_identity_what.format(obj=obj),
                    request=request,
                )
        return super().change_view(request, object_id, form_url, extra_context)


class MemberAdminForm(forms.ModelForm):
    """Staff with the full-identity permission: the reserved phone in full."""

    class Meta:
        model = Member
        fields = ("name", "id_number", "phone")

    def clean_phone(self):
        phone = (self.cleaned_data.get("phone") or "").strip()
        error = services.phone_taken_error(phone=phone, member=self.instance)
        if error is not None:
            raise error
        return phone


class MaskedMemberAdminForm(forms.ModelForm):
    """Staff without it (the hall clerk): the current phone shown masked, a
    new one typed in full; left empty, the phone stays as it is."""

    new_phone = forms.CharField(
        label="新预留手机号码", max_length=11, required=False, help_text="不变更请留空;须为11位大陆手机号"
    )

    class Meta:
        model = Member
        fields = ()

    def clean_new_phone(self):
        phone = (self.cleaned_data.get("new_phone") or "").strip()
        if phone:
            validate_phone(phone)
            error = services.phone_taken_error(phone=phone, member=self.instance)
            if error is not None:
                raise error
        return phone


class PhoneChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AuditEvent
    fk_name = "member"
    verbose_name = "预留手机号变更记录"
    verbose_name_plural = "预留手机号变更记录"
    fields = ("created_at", "actor", "detail")
    readonly_fields = fields
    extra = 0
    ordering = ("-created_at",)

    def has_view_permission(self, request, obj=None):
        # The clerk who changes phones sees the record of those changes.
        return sees_phone_changes(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=AuditEvent.Kind.PHONE_CHANGED).select_related("actor")


@admin.register(Employer)
class EmployerAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """单位 are the center's books (opened and renamed in the core system):
    looked up here (and by the broadcast form's autocomplete), never edited."""

    list_display = ("account_no", "name")
    search_fields = ("=account_no", "name")


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    """Find members and register or change the reserved phone. ID numbers and
    phones are masked everywhere here, except on the member's own page for
    staff with `view_full_identity` (each such view audited); searching by
    the full number works for everyone."""

    list_display = ("name", "id_number_masked", "phone_masked", "account_status", "registered")
    search_fields = ("=id_number", "=phone", "name")
    list_filter = ("fund_account__status",)
    list_select_related = ("fund_account", "user")
    show_full_result_count = False
    readonly_fields = ("created_at", "records")
    inlines = [PhoneChangeInline]

    def has_delete_permission(self, request, obj=None):
        # A member is the center's record of a person with money behind it:
        # it is closed (销户) in the core system, never deleted here.
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        # A new member is typed in full; an existing one is shown in full
        # only to staff with the permission.
        kwargs["form"] = MemberAdminForm if obj is None or sees_full_identity(request) else MaskedMemberAdminForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "id_number", "phone")
        if sees_full_identity(request):
            return ("name", "id_number", "phone", "created_at", "records")
        return ("name", "id_number_masked", "phone_masked", "new_phone", "created_at", "records")

    def get_readonly_fields(self, request, obj=None):
        # Identity is fixed once the record exists; only the phone changes here.
        if obj is None:
            return ()
        if sees_full_identity(request):
            return ("name", "id_number", *self.readonly_fields)
        return ("name", "id_number_masked", "phone_masked", *self.readonly_fields)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and sees_full_identity(request):
            member = self.get_object(request, unquote(object_id))
            if member is not None:
                services.full_identity_view_record(
                    member=member, actor=request.user, what="完整身份证号和手机号码", request=request
                )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="身份证号", ordering="id_number")
    def id_number_masked(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description="手机号码")
    def phone_masked(self, obj):
        return mask_phone(obj.phone) or "-"

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

    def save_model(self, request, obj, form, change):
        # Every phone set through admin, on a new member too, goes through the
        # services so that it is recorded (who, when, old and new, masked).
        # The clerk's form types a new phone only; empty keeps the old one.
        try:
            if not change:
                created = services.member_create(
                    name=obj.name, id_number=obj.id_number, phone=obj.phone, created_by=request.user, request=request
                )
                # The admin's add view continues with `obj` (log entry, redirect).
                obj.pk, obj.phone, obj.created_at = created.pk, created.phone, created.created_at
                return
            phone = form.cleaned_data.get("new_phone") or obj.phone
            services.member_phone_change(member=obj, phone=phone, changed_by=request.user, request=request)
        except ValidationError as exc:
            # Only reachable in a race with another staff member; the form
            # already checked format and uniqueness.
            self.message_user(request, "；".join(exc.messages), level=messages.ERROR)


# The center's books (accounts, ledger, loans, their progress and repayments)
# come from the core system and change only through services: read-only here.


@admin.register(FundAccount)
class FundAccountAdmin(NumbersAdminMixin, FullIdentityAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("account_no", "member", "employer", "balance", "status", "opened_on", "discrepancy")
    fields = (
        "member",
        "account_no",
        "employer",
        "deposit_base",
        "employer_rate",
        "personal_rate",
        "balance",
        "opened_on",
        "status",
        "paid_through",
        "closed_on",
        "BANK_ACCOUNT",
        "discrepancy",
        "statements_link",
    )
    sensitive_fields = {"BANK_ACCOUNT": ("bank_account_no", "bank_account_no_masked")}
    full_identity_what = "个人账户{obj.account_no}的完整银行账号"
    readonly_fields = with_both_forms(fields, sensitive_fields)
    search_fields = ("=account_no", "=member__id_number", "member__name")
    list_filter = ("status", DiscrepancyFilter)
    raw_id_fields = ("member",)
    autocomplete_fields = ("employer",)
    list_select_related = ("member", "employer")
    show_full_result_count = False

    @admin.display(description="收款银行账号")
    def bank_account_no_masked(self, obj):
        return mask_bank_account(obj.bank_account_no) or "-"

    @admin.display(description="年度对账单")
    def statements_link(self, obj):
        if obj.pk is None:
            return "-"
        url = reverse("admin:inquiry_fundaccount_statements", args=[obj.pk])
        return format_html('<a href="{}">各缴存年度的对账单核对情况</a>', url)

    def get_urls(self):
        view = self.admin_site.admin_view(self.statements_view)
        return [path("<int:pk>/statements/", view, name="inquiry_fundaccount_statements"), *super().get_urls()]

    def statements_view(self, request, pk: int):
        """年度对账单 of one account, read-only: each 缴存年度's figures and
        whether it may be issued, with the difference of a year that does not
        reconcile. The figures are the ledger's, so it takes the right to
        view both the account and its ledger entries."""
        if not (self.has_view_permission(request) and request.user.has_perm("inquiry.view_ledgerentry")):
            raise PermissionDenied
        account = get_object_or_404(FundAccount.objects.select_related("member"), pk=pk)
        years = selectors.annual_statements(member=account.member)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"年度对账单核对:{account.account_no} {account.member.name}",
            "account": account,
            "years": years,
            "unissued_broken": [year for year in years if year.ended and not year.reconciled],
        }
        return TemplateResponse(request, "admin/inquiry/fundaccount/statements.html", context)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(NumbersAdminMixin, LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # Tens of millions of rows: no filter on 业务类型 and no date hierarchy
    # (neither has an index to use, each would read the whole table); staff
    # find entries by serial number, account number or ID number.
    list_display = ("booked_on", "account", "kind", "period", "amount", "balance_after", "summary_shown", "serial_no")
    indexed_search_fields = ("serial_no", "account__account_no", "account__member__id_number")
    list_select_related = ("account",)

    @admin.display(description="摘要")
    def summary_shown(self, obj):
        # As the member reads it: an approved withdrawal the core has not booked says 【待入账】.
        return obj.summary_shown


class ProgressStepInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LoanProgressStep
    extra = 0


class RepaymentInline(NumbersAdminMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = Repayment
    extra = 0
    fields = ("repaid_on", "principal", "interest", "principal_to_date", "interest_to_date", "outstanding_after")
    readonly_fields = fields


@admin.register(LoanContract)
class LoanContractAdmin(NumbersAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "contract_no",
        "member",
        "amount",
        "repayment_method",
        "status",
        "outstanding_principal",
        "disbursed_on",
        "discrepancy",
    )
    list_filter = ("status", "repayment_method", DiscrepancyFilter)
    search_fields = ("=contract_no", "=member__id_number", "member__name")
    raw_id_fields = ("member",)
    list_select_related = ("member",)
    show_full_result_count = False
    inlines = [ProgressStepInline, RepaymentInline]
    # 放款 is the core system's: a contract turns 正常 when its 贷款账户 file says so.


@admin.register(Repayment)
class RepaymentAdmin(NumbersAdminMixin, LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("repaid_on", "contract", "principal", "interest", "outstanding_after")
    indexed_search_fields = ("contract__contract_no", "contract__member__id_number")
    list_select_related = ("contract",)


# 导入批次: what became of each batch from the core system (books_import),
# and the rows it refused. Nothing here is editable.

IMPORT_REJECTS_LINK = "查看{count}条拒绝行"


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "batch_no",
        "kind",
        "as_of",
        "status",
        "rows_total",
        "rows_applied",
        "rows_rejected",
        "members_changed",
        "accounts_flagged",
        "duration_shown",
        "started_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("=batch_no",)
    show_full_result_count = False
    fields = (
        "batch_no",
        "kind",
        "as_of",
        "folder",
        "status",
        "message",
        "started_at",
        "finished_at",
        "duration_shown",
        "rows_total",
        "rows_applied",
        "rows_rejected",
        "members_changed",
        "accounts_flagged",
        "rejects_link",
    )
    readonly_fields = fields

    @admin.display(description="用时")
    def duration_shown(self, obj):
        duration = obj.duration
        return "-" if duration is None else f"{duration.total_seconds():.1f}秒"

    @admin.display(description="拒绝行")
    def rejects_link(self, obj):
        count = obj.rejects.count()
        if not count:
            return "-"
        url = reverse("admin:inquiry_importreject_changelist") + f"?run__id__exact={obj.pk}"
        return format_html_join("", '<a href="{}">{}</a>', [(url, IMPORT_REJECTS_LINK.format(count=count))])


@admin.register(ImportReject)
class ImportRejectAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The rows a batch refused, with why (the same as the report beside the
    batch folder). Keys are the core's (个人账号, 业务流水号 …), never an ID number."""

    list_display = ("run", "table", "line_no", "key", "reason")
    list_filter = ("table",)
    search_fields = ("=key",)
    list_select_related = ("run",)
    show_full_result_count = False
    fields = ("run", "table", "line_no", "key", "reason")
    readonly_fields = fields


# 电子证明 (issue 19): their admin lives with the certificates and uses the
# mixins above, so it is imported last.
from inquiry.certificates import admin as certificate_admin  # noqa: E402, F401
