"""Hall staff's side of online applications: the list by type, status and
current step, and each application's page with its steps and a form to act
on the current step (通过 / 不通过 with an opinion).

Nothing here edits an application directly: every change goes through the
services (role, four eyes, row lock, booking, audit, message to the member).
A refused action is written to the audit trail too.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from inquiry.admin import FullIdentityAdminMixin, with_both_forms
from tasks.models.applications import STEP_PERMISSIONS, Application, ApplicationStep
from tasks.services import applications as services
from zzgjj_portal.admin import NumbersAdminMixin, ReadOnlyAdminMixin
from zzgjj_portal.audit import audit_record
from zzgjj_portal.masking import mask_bank_account, mask_id_number
from zzgjj_portal.models import AuditEvent

DECISIONS = [("approve", "通过"), ("reject", "不通过")]
ACTED = {"approve": "【{step}】已通过", "reject": "【{step}】已办理:不通过"}
BAD_REQUEST = "请选择通过或不通过后再提交"


# The act form's fields sit inside admin's change page, which is itself a
# <form>; forms cannot nest, so the fields name their form by its id.
ACT_FORM = {"form": "step-act-form"}


class StepActForm(forms.Form):
    """What staff send to act: the step they saw as current, the decision, the opinion."""

    step = forms.ChoiceField(choices=Application.Step.choices, widget=forms.HiddenInput(attrs=ACT_FORM))
    decision = forms.ChoiceField(label="办理结果", choices=DECISIONS, widget=forms.RadioSelect(attrs=ACT_FORM))
    opinion = forms.CharField(
        label="审批意见",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60, **ACT_FORM}),
    )


class ApplicationStepInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ApplicationStep
    fields = ("step", "state", "handled_by", "opinion", "handled_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("approver")

    @admin.display(description="审批人")
    def handled_by(self, obj):
        # The name the member reads, and whose account it was.
        if obj.approver_id is None:
            return obj.approver_name or None
        return f"{obj.approver_name}({obj.approver.username})"


@admin.register(Application)
class ApplicationAdmin(NumbersAdminMixin, FullIdentityAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "title",
        "member",
        "member_id_number_masked",
        "amount",
        "submitted_at",
        "current_step",
        "status",
        "booking",
    )
    list_display_links = ("id", "title")
    # 入账状态: staff look for the 入账失败 ones, whose members were told to come to the hall.
    list_filter = ("kind", "withdrawal_kind", "status", "current_step", "decision__state")
    # Exact ID number only: staff look a member up, they do not browse by fragments.
    search_fields = ("=member__id_number",)
    search_help_text = "按缴存职工身份证号(完整18位)查找"
    list_select_related = ("member", "decision")
    show_full_result_count = False
    date_hierarchy = "submitted_at"
    inlines = [ApplicationStepInline]
    # The ID numbers and the bank account: masked in the list for everyone, on
    # the page for staff without the full-identity permission (FullIdentityAdminMixin).
    common_fields = (
        "member",
        "IDENTITY",
        "kind",
        "status",
        "current_step",
        "submitted_at",
        "closed_at",
        "booking",
    )
    withdrawal_fields = ("withdrawal_kind", "amount", "BANK_ACCOUNT", "ledger_serial_no")
    loan_fields = (
        "amount",
        "term_years",
        "repayment_method",
        "annual_rate",
        "property_address",
        "property_price",
        "co_borrower_name",
        "CO_BORROWER",
        "contract_no",
    )
    sensitive_fields = {
        "IDENTITY": ("member_id_number_full", "member_id_number_masked"),
        "BANK_ACCOUNT": ("bank_account_no", "bank_account_no_masked"),
        "CO_BORROWER": ("co_borrower_id_number", "co_borrower_id_number_masked"),
    }
    full_identity_what = "业务申请{obj.pk}的完整身份证号和银行账号"
    readonly_fields = with_both_forms(common_fields + withdrawal_fields + loan_fields, sensitive_fields)

    def sensitive_placeholders(self, request, obj=None):
        # Only what the application's kind has: a withdrawal has no property, a loan no bank account.
        if obj is not None and obj.kind == Application.Kind.LOAN:
            return self.common_fields + self.loan_fields
        return self.common_fields + self.withdrawal_fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, object_id)
        extra_context = {**(extra_context or {}), **self.act_context(request, application)}
        return super().change_view(request, object_id, form_url, extra_context)

    def act_context(self, request, application) -> dict:
        """The form to act on the current step, when there is one."""
        if application is None or not application.is_open or application.current_step not in STEP_PERMISSIONS:
            return {}
        step = application.current_step
        return {
            "act_form": StepActForm(initial={"step": step}),
            "act_step": Application.Step(step).label,
            "act_url": reverse("admin:tasks_application_act", args=[application.pk]),
            "act_allowed": request.user.has_perm(STEP_PERMISSIONS[step]),
            "act_done_other": application.steps.filter(approver=request.user).exists(),
            "act_no_name": not services.staff_has_name(request.user),
            "act_no_name_text": services.STAFF_NAME_REQUIRED,
        }

    @admin.display(description="业务类型")
    def title(self, obj):
        return obj.title

    @admin.display(description="入账状态")
    def booking(self, obj):
        """The decision sent to the core: its state (and the core's reason), linked to it."""
        decision = getattr(obj, "decision", None)
        if decision is None:
            return "-"
        text = f"{decision.get_state_display()} · 业务流水号{decision.serial_no}"
        if decision.failure_reason:
            text += f"({decision.failure_reason})"
        return format_html('<a href="{}">{}</a>', reverse("admin:tasks_decision_change", args=[decision.pk]), text)

    @admin.display(description="身份证号", ordering="member__id_number")
    def member_id_number_masked(self, obj):
        return mask_id_number(obj.member.id_number)

    @admin.display(description="身份证号")
    def member_id_number_full(self, obj):
        return obj.member.id_number

    @admin.display(description="收款银行账号")
    def bank_account_no_masked(self, obj):
        return mask_bank_account(obj.bank_account_no) or "-"

    @admin.display(description="共同借款人身份证号")
    def co_borrower_id_number_masked(self, obj):
        return mask_id_number(obj.co_borrower_id_number) or "-"

    # Applications are made by members and changed only by the workflow.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        act = path("<int:pk>/act/", self.admin_site.admin_view(self.act_view), name="tasks_application_act")
        return [act, *super().get_urls()]

    def act_view(self, request, pk: int):
        """POST only: approve or reject the step the staff member saw as current."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        application = get_object_or_404(Application, pk=pk)
        back = HttpResponseRedirect(reverse("admin:tasks_application_change", args=[application.pk]))
        form = StepActForm(request.POST)
        if not form.is_valid():
            self.message_user(request, BAD_REQUEST, level=messages.ERROR)
            return back
        data = form.cleaned_data
        act = services.application_step_approve if data["decision"] == "approve" else services.application_step_reject
        try:
            act(
                application_id=application.pk,
                step=data["step"],
                actor=request.user,
                opinion=data["opinion"],
                request=request,
            )
        except services.ApplicationRefused as exc:
            step_label = Application.Step(data["step"]).label
            # Refusals are security-relevant (wrong role, four eyes, stale page): kept in the trail.
            audit_record(
                kind=AuditEvent.Kind.APPLICATION_REFUSED,
                request=request,
                member=application.member,
                actor=request.user,
                detail=f"{application.title} 申请编号{application.pk} {step_label}:{exc.message}",
            )
            self.message_user(request, exc.message, level=messages.ERROR)
        else:
            label = Application.Step(data["step"]).label
            self.message_user(request, ACTED[data["decision"]].format(step=label), level=messages.SUCCESS)
        return back
