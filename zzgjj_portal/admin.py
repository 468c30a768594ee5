"""Admin helpers shared by the apps, and the (read-only) audit trail."""

from django.contrib import admin

from zzgjj_portal.models import AuditEvent


class ReadOnlyAdminMixin:
    """Records staff may look at but never add, edit or delete in admin:
    the audit trail, SMS log, and the center's books (ledger, repayments)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Append-only: nobody adds, edits or deletes events through admin."""

    list_display = ("created_at", "kind", "member", "actor", "ip", "detail")
    list_filter = ("kind", ("created_at", admin.DateFieldListFilter))
    search_fields = ("=member__id_number", "member__name")
    date_hierarchy = "created_at"
    list_select_related = ("member", "actor")
    show_full_result_count = False
