"""Admin helpers shared by the apps, and the (read-only) audit trail."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import models
from django.utils.functional import cached_property

from zzgjj_portal.audit import AUDIT_ALL_PERMISSION, sees_phone_changes
from zzgjj_portal.models import AuditEvent
from zzgjj_portal.money import format_money, format_rate

SHOWN = "fmt_"
EMPTY = admin.AdminSite.empty_value_display  # 「-」


def _number_column(field: models.DecimalField):
    """A read-only column showing `field` as staff read it: money (two
    places, as every money field is) as 1,234.56, a rate (a fraction with
    more places) as 2.60%. No value is admin's 「-」, said here: a list turns
    None into it, but a read-only page prints a callable's None as 「None」."""
    show = format_money if field.decimal_places == 2 else format_rate

    def column(obj):
        value = getattr(obj, field.name)
        return EMPTY if value is None else show(value)

    column.short_description = field.verbose_name
    column.admin_order_field = field.name
    return column


class NumbersAdminMixin:
    """Money and rates as staff read them, on lists and on read-only pages:
    Django shows a DecimalField as stored (300000.00, 0.02600) because the
    zh-hans locale has no thousands separator and rates are fractions.

    Each DecimalField `x` of the model shown read-only (every list column,
    every field of a page the user cannot change) is replaced by the column
    `fmt_x`; editable fields stay form fields."""

    def __getattr__(self, name):
        # Admin looks columns up on the ModelAdmin by name (lookup_field).
        if name.startswith(SHOWN):
            field = self._decimal_fields().get(name.removeprefix(SHOWN))
            if field is not None:
                return _number_column(field)
        raise AttributeError(name)

    def _decimal_fields(self) -> dict[str, models.DecimalField]:
        return {f.name: f for f in self.model._meta.fields if isinstance(f, models.DecimalField)}

    def _shown(self, names, only=None) -> list:
        decimals = self._decimal_fields()
        return list(
            dict.fromkeys(
                SHOWN + name if isinstance(name, str) and name in decimals and (only is None or name in only) else name
                for name in names
            )
        )

    def get_list_display(self, request):
        return self._shown(super().get_list_display(request))

    def get_readonly_fields(self, request, obj=None):
        readonly = self._shown(super().get_readonly_fields(request, obj))
        return [*readonly, *(SHOWN + name for name in self._decimal_fields() if SHOWN + name not in readonly)]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not self.has_change_permission(request, obj):
            return self._shown(fields)
        readonly = set(super().get_readonly_fields(request, obj))
        return self._shown(fields, only=readonly)


class ReadOnlyAdminMixin:
    """Records staff may look at but never add, edit or delete in admin:
    the audit trail, SMS log, and the center's books (ledger, repayments)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CappedCountPaginator(Paginator):
    """Counts at most CAP rows: `SELECT COUNT(*) FROM (… LIMIT CAP)`.

    An exact COUNT(*) over tens of millions of ledger rows reads the whole
    table on every page view; staff never page that far, they search.
    Lists say "10000" when there are more, and the pages stop there."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.CAP].count()


class LargeTableAdminMixin:
    """For lists over very large tables (ledger, repayments, messages, audit,
    SMS log): a bounded count, newest first by primary key (the index every
    table has), no sorting by other columns (each would sort the whole table),
    and a search made of exact lookups that each use an index.

    `indexed_search_fields` are tried one at a time and the first that
    matches wins: an OR across joined tables cannot use any of the indexes,
    and an ID number, a phone, a contract or serial number never look alike."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    ordering = ("-id",)
    sortable_by = ()
    indexed_search_fields: tuple[str, ...] = ()

    def get_search_fields(self, request):
        # Non-empty so that admin shows the search box; the search itself is below.
        return self.indexed_search_fields

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        # ID numbers are stored with an upper-case X; staff may type either.
        for value in dict.fromkeys([term, term.upper()]):
            for field in self.indexed_search_fields:
                found = queryset.filter(**{field: value})
                if found.exists():
                    return found, False
        return queryset.none(), False


@admin.register(AuditEvent)
class AuditEventAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Append-only: nobody adds, edits or deletes events through admin.

    One row per login: a large table, so no date hierarchy over all of it;
    the kind and date filters use the (kind, created_at) and created_at indexes."""

    list_display = ("created_at", "kind", "member", "actor", "ip", "detail")
    list_filter = ("kind", ("created_at", admin.DateFieldListFilter))
    indexed_search_fields = ("member__id_number", "member__phone")
    list_select_related = ("member", "actor")

    # Staff with only view_phone_changes (the hall clerk) see the phone
    # changes and nothing else of the trail, in the list and by address.
    def has_view_permission(self, request, obj=None):
        return sees_phone_changes(request.user)

    def has_module_permission(self, request):
        return sees_phone_changes(request.user)

    def get_list_filter(self, request):
        # A filter by kind offers nothing to someone who sees one kind.
        if request.user.has_perm(AUDIT_ALL_PERMISSION):
            return self.list_filter
        return [f for f in self.list_filter if f != "kind"]

    def get_queryset(self, request):
        events = super().get_queryset(request)
        if request.user.has_perm(AUDIT_ALL_PERMISSION):
            return events
        return events.filter(kind=AuditEvent.Kind.PHONE_CHANGED)
