"""Admin helpers shared by the apps."""


class ReadOnlyAdminMixin:
    """Records staff may look at but never add, edit or delete in admin:
    the audit trail, SMS log, and the center's books (ledger, repayments)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
