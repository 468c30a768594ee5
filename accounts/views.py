"""Member login and logout."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import TemplateView

from accounts.forms import LoginForm
from accounts.mixins import MemberRequiredMixin


@method_decorator([login_not_required, sensitive_post_parameters("password"), never_cache], name="dispatch")
class MemberLoginView(auth_views.LoginView):
    """`/`: 【个人登录】 for visitors; a logged-in member goes to the home page."""

    form_class = LoginForm
    template_name = "accounts/login.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and getattr(request.user, "member_id", None):
            return redirect("inquiry:home")
        return super().dispatch(request, *args, **kwargs)


class LogoutConfirmView(MemberRequiredMixin, TemplateView):
    """The 是/否 question without JavaScript; with it, the home page shows it in a dialog."""

    template_name = "accounts/logout_confirm.html"


class MemberLogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET): 是 logs out, back to the login page."""

    next_page = "accounts:login"
