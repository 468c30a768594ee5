"""The admin site of hall staff: the staff login (captcha, lockout, TOTP),
a second factor required on every admin page whenever DEBUG is off, and a
password that fails the staff rule changed before any other admin page.

Installed as the default admin site (`accounts.apps.StaffAdminConfig`), so
every `@admin.register` in every app lands here without change.
"""

from functools import wraps

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts import texts

# Session key: set at a staff login whose password fails the staff rule, to
# the session's auth hash, which changes when the password does.
CHANGE_REQUIRED_SESSION_KEY = "_accounts_staff_password_change_required"


def staff_password_change_require(request) -> None:
    """This staff session may open only the admin's password change (and
    log out) until the password is changed: its password fails the staff
    rule (e.g. set by `createsuperuser --noinput`, which runs no validators)."""
    request.session[CHANGE_REQUIRED_SESSION_KEY] = request.user.get_session_auth_hash()


def staff_password_change_pending(request) -> bool:
    marked = request.session.get(CHANGE_REQUIRED_SESSION_KEY)
    if marked is None:
        return False
    if marked == request.user.get_session_auth_hash():
        return True
    # Changed since (the change view keeps the session, with the new hash).
    del request.session[CHANGE_REQUIRED_SESSION_KEY]
    return False


class StaffAdminSite(admin.AdminSite):
    site_header = "枣庄市住房公积金管理中心 服务大厅管理"
    site_title = "服务大厅管理"
    index_title = "业务管理"

    def has_permission(self, request):
        """Active staff only, and with DEBUG off only a session verified by
        a TOTP device (django_otp's middleware sets `is_verified`): a staff
        account without a confirmed device reaches no admin page at all."""
        from accounts.services import staff_otp_required

        if not super().has_permission(request):
            return False
        if staff_otp_required():
            is_verified = getattr(request.user, "is_verified", None)
            return bool(is_verified and is_verified())
        return True

    def admin_view(self, view, cacheable=False):
        """Every admin page (the site's and each ModelAdmin's) goes through
        here: while the password fails the staff rule, only the password
        change, logout and the admin's JavaScript catalogue open; anything
        else redirects to the password change."""
        checked = super().admin_view(view, cacheable)

        @wraps(checked)
        def inner(request, *args, **kwargs):
            if self.has_permission(request) and staff_password_change_pending(request):
                open_paths = {
                    reverse(f"admin:{name}", current_app=self.name)
                    for name in ("password_change", "password_change_done", "logout", "jsi18n")
                }
                if request.path not in open_paths:
                    return HttpResponseRedirect(reverse("admin:password_change", current_app=self.name))
            return checked(request, *args, **kwargs)

        return inner

    def password_change(self, request, extra_context=None):
        """Django's password change (old password, the staff rule on the new
        one), saying first why it is required when it is."""
        if request.method == "GET" and staff_password_change_pending(request):
            min_length = settings.ACCOUNTS_STAFF_PASSWORD_MIN_LENGTH
            messages.warning(request, texts.STAFF_PASSWORD_WEAK.format(min_length=min_length))
        return super().password_change(request, extra_context)

    @method_decorator([never_cache, sensitive_post_parameters("password", "otp_token")])
    @login_not_required
    def login(self, request, extra_context=None):
        """The staff login view in the admin's frame (replaces Django's form)."""
        from accounts.views import StaffLoginView

        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        context = {
            **self.each_context(request),
            "title": "工作人员登录",
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        context.update(extra_context or {})
        request.current_app = self.name
        return StaffLoginView.as_view(extra_context=context)(request)
