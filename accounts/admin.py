"""Admin for login identities and the (read-only) audit trail."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from accounts.models import AuditEvent, SmsLog, User
from zzgjj_portal.admin import LargeTableAdminMixin, ReadOnlyAdminMixin


class PortalUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class PortalUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    list_display = ("username", "member", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("=username", "member__name", "=member__id_number")
    ordering = ("-id",)
    raw_id_fields = ("member",)
    list_select_related = ("member",)
    show_full_result_count = False
    # No password field, not even its hash summary: staff never see a password.
    fieldsets = (
        (None, {"fields": ("username", "member")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("时间", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),)


@admin.register(AuditEvent)
class AuditEventAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Append-only: nobody adds, edits or deletes events through admin.

    One row per login: a large table, so no date hierarchy over all of it;
    the kind and date filters use the (kind, created_at) and created_at indexes."""

    list_display = ("created_at", "kind", "member", "actor", "ip", "detail")
    list_filter = ("kind", ("created_at", admin.DateFieldListFilter))
    indexed_search_fields = ("member__id_number", "member__phone")
    list_select_related = ("member", "actor")


@admin.register(SmsLog)
class SmsLogAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: masked phone, purpose, time and the backend's answer. The
    code is never stored in clear, so it cannot be shown here."""

    list_display = ("created_at", "phone_masked", "purpose", "backend", "ok", "result", "member")
    list_filter = ("purpose", "ok", ("created_at", admin.DateFieldListFilter))
    indexed_search_fields = ("member__id_number", "member__phone")
    list_select_related = ("member",)
