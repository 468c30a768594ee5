"""Admin for login identities and the (read-only) SMS log."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SmsLog, User
from zzgjj_portal.admin import LargeTableAdminMixin, ReadOnlyAdminMixin


class PortalUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class PortalUserCreationForm(AdminUserCreationForm):
    """A new staff account (members register online, never here): 姓名 is
    required, as members read it as 审批人 on their applications."""

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    list_display = ("username", "name", "member", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("=username", "member__name", "=member__id_number")
    ordering = ("-id",)
    raw_id_fields = ("member",)
    list_select_related = ("member",)
    show_full_result_count = False
    # No password field, not even its hash summary: staff never see a password.
    fieldsets = (
        (None, {"fields": ("username", "name", "member")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("时间", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "name", "password1", "password2")}),)


@admin.register(SmsLog)
class SmsLogAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: masked phone, purpose, time and the backend's answer. The
    code is never stored in clear, so it cannot be shown here."""

    list_display = ("created_at", "phone_masked", "purpose", "backend", "ok", "result", "member")
    list_filter = ("purpose", "ok", ("created_at", admin.DateFieldListFilter))
    indexed_search_fields = ("member__id_number", "member__phone")
    list_select_related = ("member",)
    show_full_result_count = False


# Staff second factors: enrolled only at the server's console
# (`manage.py staff_totp_enrol`), never through admin, whose django-otp page
# would show the secret (key and QR code) to anyone allowed to change devices.
# Here a device can only be seen (whose, when last used) and deleted, e.g.
# when a phone is lost, so the account cannot log in until re-enrolled.
admin.site.unregister(TOTPDevice)


class ConfirmedFilter(admin.BooleanFieldListFilter):
    """django-otp names its fields in English: the filter gets a Chinese title."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "已确认"


@admin.register(TOTPDevice)
class StaffTotpDeviceAdmin(admin.ModelAdmin):
    # Columns by display methods: django-otp's fields are named in English
    # ("confirmed", "last used at") and are not ours to rename.
    list_display = ("owner", "device_name", "is_confirmed", "created", "last_used")
    list_filter = (("confirmed", ConfirmedFilter),)
    search_fields = ("=user__username",)
    search_help_text = "按工作人员用户名(完整)查找"
    list_select_related = ("user",)
    fields = list_display
    readonly_fields = fields

    @admin.display(description="工作人员", ordering="user__username")
    def owner(self, obj):
        name = obj.user.get_full_name()
        return f"{name}({obj.user.username})" if name else obj.user.username

    @admin.display(description="设备名称")
    def device_name(self, obj):
        return obj.name

    @admin.display(description="已确认", boolean=True)
    def is_confirmed(self, obj):
        return obj.confirmed

    @admin.display(description="绑定时间", ordering="created_at")
    def created(self, obj):
        return obj.created_at

    @admin.display(description="上次使用时间", ordering="last_used_at")
    def last_used(self, obj):
        return obj.last_used_at

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
