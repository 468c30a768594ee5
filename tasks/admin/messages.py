"""Hall staff send messages to a member's portal."""

from django.contrib import admin

from tasks.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("sent_at", "member", "business", "channel", "read_at")
    list_filter = ("channel", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("=member__id_number", "member__name", "business")
    autocomplete_fields = ("member",)
    list_select_related = ("member",)
    readonly_fields = ("read_at",)
    show_full_result_count = False
