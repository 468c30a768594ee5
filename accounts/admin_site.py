"""The admin site of hall staff: the staff login (captcha, lockout, TOTP)
and a second factor required on every admin page whenever DEBUG is off.

Installed as the default admin site (`accounts.apps.StaffAdminConfig`), so
every `@admin.register` in every app lands here without change.
"""

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters


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

    @method_decorator([never_cache, sensitive_post_parameters("password", "otp_token")])
    @login_not_required
    def login(self, request, extra_context=None):
        """The staff login view in the admin's frame (replaces Django's form)."""
        from django.http import HttpResponseRedirect

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
