"""Hall staff send messages to a member's portal."""

from django.contrib import admin

from tasks.models import Message
from zzgjj_portal.admin import LargeTableAdminMixin


@admin.register(Message)
class MessageAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    list_display = ("sent_at", "member", "business", "channel", "read_at")
    list_filter = ("channel", ("read_at", admin.EmptyFieldListFilter))
    indexed_search_fields = ("member__id_number", "member__phone")
    autocomplete_fields = ("member",)
    list_select_related = ("member",)
    readonly_fields = ("read_at",)
