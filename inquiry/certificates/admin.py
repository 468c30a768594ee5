"""Staff's view of the certificates members issued (电子证明): read-only and
masked, each with what /verify/ shows and its verification log; and 作废 for
staff with inquiry.void_certificate (through services.certificate_void, which
writes the audit trail). Registered from inquiry/admin.py.

Nothing here shows a certificate's PDF or its code's hash: staff answer
"was it issued, is it valid, who looked" from the row. A verifier who calls
with a 核验码 is found by typing it into the search box: it is hashed as
/verify/ hashes it, never stored or logged.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join

from inquiry.admin import FullIdentityAdminMixin, with_both_forms
from inquiry.certificates import codes
from inquiry.certificates.digest import code_digest
from inquiry.certificates.documents import CertificateRefused
from inquiry.certificates.forms import VoidForm
from inquiry.models import Certificate, CertificateVerification
from zzgjj_portal.admin import CappedCountPaginator, ReadOnlyAdminMixin
from zzgjj_portal.masking import mask_id_number

VOID_PERMISSION = "inquiry.void_certificate"
VOIDED = "证明已作废:缴存职工在【我的证明】中可看到作废原因,核验单位核验时将显示【已作废】"
VOID_LOGGED = "作废:{reason}"
VOIDED_BY_MEMBER = "缴存职工本人"
# A certificate a bank checks every month gathers hundreds of looks; the page
# shows the newest (核验次数 counts them all).
VERIFICATIONS_SHOWN = 50


def _minute(moment) -> str:
    return dateformat.format(timezone.localtime(moment), "Y-m-d H:i")


class StateFilter(admin.SimpleListFilter):
    """状态 as members and verifiers read it, computed now (the valid and
    expired ones differ only by the clock, so nothing stores it)."""

    title = "状态"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Certificate.State.choices

    def queryset(self, request, queryset):
        if self.value() in Certificate.State.values:
            return queryset.in_state(self.value(), now=timezone.now())
        return queryset


class VerificationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CertificateVerification
    fields = ("verified_at", "method", "ip_masked", "file_shown")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "核验记录"
    verbose_name_plural = f"核验记录(最近{VERIFICATIONS_SHOWN}次)"

    @admin.display(description="文件比对")
    def file_shown(self, obj):
        if obj.file_matches is None:
            return "-"  # by code: no file was compared
        return "一致" if obj.file_matches else "不一致"

    def has_view_permission(self, request, obj=None):
        # The log is part of the certificate: whoever may see the one sees the other.
        return request.user.has_perm("inquiry.view_certificate")


# The page's sections; IDENTITY is the member's ID number, full or masked
# (FullIdentityAdminMixin).
SECTIONS = [
    (
        None,
        (
            "member",
            "IDENTITY",
            "title",
            "subject",
            "purpose_shown",
            "code_hint",
            "issued_at",
            "valid_until",
            "state_shown",
        ),
    ),
    ("证明内容(与核验页面所示相同)", ("facts_shown", "pdf_size", "pdf_sha256")),
    ("核验", ("verify_count_shown", "last_verified_shown")),
    ("作废", ("voided_at", "voided_by_shown", "void_reason")),
]


class CertificateAdmin(FullIdentityAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Issued certificates, newest first. Lists mask the ID number for
    everyone; a certificate's page shows it in full only with
    view_full_identity (each view audited)."""

    # Two lines to a cell where two facts belong together: the ten facts of a
    # row fit a 1366-pixel screen beside admin's menu and filters.
    list_display = ("member_shown", "title_shown", "code_short", "issued_shown", "state_shown", "verified_shown")
    list_display_links = ("title_shown",)
    list_filter = ("kind", StateFilter)
    # Exact numbers (iexact: an ID number's X either case) and the name, as the
    # member and account lists search; a whole 核验码 in get_search_results.
    search_fields = ("=member__id_number", "=subject", "member__name")
    search_help_text = "按姓名、身份证号(完整18位)、个人账号或合同编号、完整核验码查找"
    list_select_related = ("member",)
    # Newest first by the primary key's index (issue order), counted at most
    # 10,000: every member may issue every day, and staff search rather than page.
    ordering = ("-id",)
    sortable_by = ()
    paginator = CappedCountPaginator
    show_full_result_count = False
    fields = tuple(name for _, names in SECTIONS for name in names)
    sensitive_fields = {"IDENTITY": ("member_id_number_full", "member_id_number_masked")}
    full_identity_what = "电子证明{obj.code_hint}持有人的完整身份证号"
    readonly_fields = (*with_both_forms(fields, sensitive_fields), "member_name")
    inlines = [VerificationInline]
    change_form_template = "admin/inquiry/certificate/change_form.html"

    class Media:
        css = {"all": ("css/admin_certificates.css",)}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member", "voided_by").with_verifications()

    def get_fieldsets(self, request, obj=None):
        shown = dict(zip(self.fields, self.get_fields(request, obj), strict=True))
        if not request.user.has_perm("inquiry.view_member"):
            # Admin links a related object without asking whether its page opens: plain text instead of a 403.
            shown["member"] = "member_name"
        sections = SECTIONS if obj is not None and obj.voided_at is not None else SECTIONS[:-1]
        return [(title, {"fields": [shown[name] for name in names]}) for title, names in sections]

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, VerificationInline) and obj is not None:
            newest = obj.verifications.order_by("-verified_at", "-id").values_list("pk", flat=True)
            kwargs["queryset"] = kwargs["queryset"].filter(pk__in=list(newest[:VERIFICATIONS_SHOWN]))
        return kwargs

    def get_search_results(self, request, queryset, search_term):
        code = codes.code_normalize(search_term)
        if code is not None:
            return queryset.filter(code_hash=code_digest(code)), False
        return super().get_search_results(request, queryset, search_term)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        certificate = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if certificate is not None and certificate.voided_at is None and request.user.has_perm(VOID_PERMISSION):
            extra_context["void_url"] = reverse("admin:inquiry_certificate_void", args=[certificate.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="缴存职工")
    def member_shown(self, obj):
        return format_html('{}<br><span class="quiet">{}</span>', obj.member.name, mask_id_number(obj.member.id_number))

    @admin.display(description="缴存职工")
    def member_name(self, obj):
        return obj.member.name

    @admin.display(description="身份证号")
    def member_id_number_masked(self, obj):
        return mask_id_number(obj.member.id_number)

    @admin.display(description="身份证号")
    def member_id_number_full(self, obj):
        return obj.member.id_number

    @admin.display(description="证明名称")
    def title_shown(self, obj):
        # What it is of (contract, 缴存年度, range) or what it is for, as 我的证明 shows it.
        if obj.subject and obj.kind != Certificate.Kind.DEPOSIT:
            return format_html('{}<br><span class="quiet">{}</span>', obj.title, obj.subject)
        if obj.purpose:
            return format_html('{}<br><span class="quiet">用途:{}</span>', obj.title, obj.purpose_label)
        return obj.title

    @admin.display(description="核验码")
    def code_short(self, obj):
        # The hint's first and last groups: its masked middle says nothing in a list.
        groups = obj.code_hint.split("-")
        return f"{groups[0]}…{groups[-1]}"

    @admin.display(description="签发时间 / 有效期至")
    def issued_shown(self, obj):
        return format_html('{}<br><span class="quiet">至 {}</span>', _minute(obj.issued_at), _minute(obj.valid_until))

    @admin.display(description="核验次数 / 最近核验")
    def verified_shown(self, obj):
        if not obj.last_verified_at:
            return str(obj.verify_count)
        return format_html('{}<br><span class="quiet">{}</span>', obj.verify_count, _minute(obj.last_verified_at))

    @admin.display(description="核验次数")
    def verify_count_shown(self, obj):
        return obj.verify_count

    @admin.display(description="最近核验时间")
    def last_verified_shown(self, obj):
        return _minute(obj.last_verified_at) if obj.last_verified_at else "-"

    @admin.display(description="用途")
    def purpose_shown(self, obj):
        return obj.purpose_label or "-"

    @admin.display(description="状态")
    def state_shown(self, obj):
        return obj.state_label

    @admin.display(description="证明内容")
    def facts_shown(self, obj):
        rows = format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td></tr>", obj.facts)
        return format_html('<table class="certificate-facts"><tbody>{}</tbody></table>', rows)

    @admin.display(description="作废人")
    def voided_by_shown(self, obj):
        if obj.voided_at is None:
            return "-"
        if obj.voided_by is None:
            return VOIDED_BY_MEMBER
        return f"{obj.voided_by.name or '-'}({obj.voided_by.username})"

    def get_urls(self):
        void = path("<int:pk>/void/", self.admin_site.admin_view(self.void_view), name="inquiry_certificate_void")
        return [void, *super().get_urls()]

    def void_view(self, request, pk: int):
        """作废 by staff: GET asks for the reason, POST voids (services.certificate_void:
        row lock, audit). Without the permission the address answers 403."""
        # Here, not at the top: services draw PDFs (WeasyPrint, a second to
        # import), and admin modules are imported by every manage.py command.
        from inquiry.certificates import services

        if not request.user.has_perm(VOID_PERMISSION):
            raise PermissionDenied
        certificate = get_object_or_404(Certificate.objects.select_related("member"), pk=pk)
        back = HttpResponseRedirect(reverse("admin:inquiry_certificate_change", args=[certificate.pk]))
        if certificate.voided_at is not None:
            self.message_user(request, services.ALREADY_VOID, level=messages.ERROR)
            return back
        form = VoidForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                services.certificate_void(certificate=certificate, reason=reason, staff=request.user, request=request)
            except CertificateRefused as exc:
                # Voided by someone else (or the member) since the form was shown.
                self.message_user(request, exc.message, level=messages.ERROR)
                return back
            self.log_change(request, certificate, VOID_LOGGED.format(reason=reason))
            self.message_user(request, VOIDED, level=messages.SUCCESS)
            return back
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "作废电子证明",
            "certificate": certificate,
            "id_number_masked": mask_id_number(certificate.member.id_number),
            "state_label": certificate.state_label,
            "form": form,
        }
        return TemplateResponse(request, "admin/inquiry/certificate/void.html", context)


admin.site.register(Certificate, CertificateAdmin)
