"""Member login and logout, registration, forgot password, change password."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from django_otp import login as otp_login

from accounts import flows, lockout, selectors, services, texts
from accounts.admin_site import staff_password_change_require
from accounts.forms import ChangePasswordForm, IdentityForm, LoginForm, NewPasswordForm, SmsCodeForm, StaffLoginForm
from accounts.models import SmsPurpose
from zzgjj_portal import elder
from zzgjj_portal.frame import MemberPageMixin, MemberRequiredMixin, is_member
from zzgjj_portal.net import client_ip


def captcha_rate_limited(view):
    """Answer 429 (Chinese page) instead of the view when this client IP asked
    for too many captchas this minute: every page with a captcha stores one,
    so an unthrottled GET would let anyone fill the table."""

    @wraps(view)
    def limited(request, *args, **kwargs):
        if not lockout.captcha_issue_allowed(ip=client_ip(request)):
            return render(request, "429.html", status=429)
        return view(request, *args, **kwargs)

    return limited


@method_decorator(
    [login_not_required, sensitive_post_parameters("password"), never_cache, captcha_rate_limited], name="dispatch"
)
class MemberLoginView(auth_views.LoginView):
    """`/`: 【个人登录】 for visitors; a logged-in member goes to the home page."""

    form_class = LoginForm
    template_name = "accounts/login.html"

    def dispatch(self, request, *args, **kwargs):
        if is_member(request.user):
            return redirect("tasks:home")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        # The captcha passed (the form checks it first), so a password may be tried.
        try:
            user = services.login_attempt(
                identifier=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
                request=self.request,
            )
        except services.Refusal as refusal:
            form.add_error(None, ValidationError(refusal.message, code=refusal.code))
            return self.form_invalid(form)
        auth_login(self.request, user)
        response = HttpResponseRedirect(self.get_success_url())
        # 长辈模式 stays what the login page showed; the browser and the member agree from here on.
        on = services.elder_mode_at_login(user=user, visitor_choice=elder.cookie_choice(self.request))
        elder.cookie_set(response, on=on)
        return response


class LogoutConfirmView(MemberRequiredMixin, TemplateView):
    """The 是/否 question without JavaScript; with it, the home page shows it in a dialog."""

    template_name = "accounts/logout_confirm.html"


class MemberLogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET): 是 logs out, back to the login page."""

    next_page = "accounts:login"


@login_not_required
@require_POST
def elder_mode_switch(request):
    """长辈模式 / 退出长辈模式 in every page's header: a plain form (no script
    needed) posting the wanted state, back to the page it was on. A member's
    choice is saved on the login identity and in the browser; a visitor's in
    the browser (zzgjj_portal/elder.py)."""
    wanted = request.POST.get("elder")
    target = request.POST.get("next", "")
    # Only this site's own pages: `next` comes from the form, so anyone could
    # post one pointing elsewhere (an open redirect).
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse("accounts:login")
    response = HttpResponseRedirect(target)
    if wanted not in ("on", "off"):
        return response
    on = wanted == "on"
    if is_member(request.user):
        services.elder_mode_set(user=request.user, on=on)
    elder.cookie_set(response, on=on)
    return response


# --- 注册 and 忘记密码: three steps sharing one set of views ----------------

# What differs between the two flows: the manual's labels and the URL names.
FLOW_PAGES = {
    flows.REGISTER: {
        "title": "注册",
        "steps": ["信息校验", "短信校验", "注册"],
        "identity_button": "验证",
        "identity_hint": "如果没有在中心登记手机号码,需要到中心所属任一服务大厅登记手机号码。",
        "sms_button": "确认验证",
        "password_label": "登录密码",
        "password_intro": "请设置您的登录密码以完成注册。",
        "password_button": "确认注册",
        "purpose": SmsPurpose.REGISTER,
        "urls": {
            "identity": "accounts:register",
            "sms": "accounts:register_sms",
            "password": "accounts:register_password",
        },
        "done": "accounts:register_done",
    },
    flows.RESET: {
        "title": "忘记密码",
        "steps": ["信息校验", "短信校验", "设置新密码"],
        "identity_button": "信息验证",
        "identity_hint": "",
        "sms_button": "下一步",
        "password_label": "新密码",
        "password_intro": "请设置新密码。",
        "password_button": "提交",
        "purpose": SmsPurpose.RESET,
        "urls": {
            "identity": "accounts:password_forgot",
            "sms": "accounts:password_forgot_sms",
            "password": "accounts:password_forgot_new",
        },
        "done": "accounts:password_forgot_done",
    },
}

public_sensitive = [login_not_required, sensitive_post_parameters(), never_cache]


class FlowMixin:
    flow = flows.REGISTER
    step_index = 0

    @property
    def pages(self):
        return FLOW_PAGES[self.flow]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(pages=self.pages, flow=self.flow, step_index=self.step_index)
        return context


@method_decorator([*public_sensitive, captcha_rate_limited], name="dispatch")
class IdentityView(FlowMixin, FormView):
    """Step 1, 信息校验: 姓名, 身份证号/证件号码, 验证码. Passing it (again) starts the flow over."""

    form_class = IdentityForm
    template_name = "accounts/flow_identity.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "flow": self.flow}

    def form_valid(self, form):
        try:
            member = services.identity_verify(
                flow=self.flow,
                name=form.cleaned_data["name"],
                id_number=form.cleaned_data["id_number"],
                request=self.request,
            )
        except services.Refusal as refusal:
            form.add_error(None, ValidationError(refusal.message, code=refusal.code))
            return self.form_invalid(form)
        flows.flow_start(self.request, self.flow, member)
        return redirect(self.pages["urls"]["sms"])


class FlowStepMixin(FlowMixin):
    """Steps 2 and 3: only for the member whose flow is at this step in this
    session; anyone else goes back to step 1 (with a message if it expired)."""

    step = flows.SMS_STEP

    def dispatch(self, request, *args, **kwargs):
        progress = flows.flow_member(request, self.flow, self.step)
        if progress.member is None:
            if progress.expired:
                messages.error(request, texts.FLOW_EXPIRED)
            return redirect(self.pages["urls"]["identity"])
        self.member = progress.member
        return super().dispatch(request, *args, **kwargs)


@method_decorator(public_sensitive, name="dispatch")
class SmsStepView(FlowStepMixin, FormView):
    """Step 2, 短信校验: the masked reserved phone, 发送验证码, the code."""

    form_class = SmsCodeForm
    template_name = "accounts/flow_sms.html"
    step = flows.SMS_STEP
    step_index = 1

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(member=self.member, cooldown=selectors.sms_cooldown_left(phone=self.member.phone))
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "send":
            try:
                phone = services.sms_code_send(member=self.member, purpose=self.pages["purpose"], request=request)
            except services.SmsError as exc:
                messages.error(request, str(exc))
            else:
                minutes = settings.ACCOUNTS_SMS_CODE_TTL // 60
                messages.success(request, texts.SMS_SENT.format(phone=phone, minutes=minutes))
            return redirect(request.path)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.sms_code_verify(member=self.member, purpose=self.pages["purpose"], code=form.cleaned_data["code"])
        except services.SmsError as exc:
            form.add_error("code", str(exc))
            return self.form_invalid(form)
        flows.flow_advance(self.request, self.flow, flows.PASSWORD_STEP)
        return redirect(self.pages["urls"]["password"])


@method_decorator(public_sensitive, name="dispatch")
class PasswordStepView(FlowStepMixin, FormView):
    """Step 3: the new password twice; registration creates the login, reset replaces the password."""

    form_class = NewPasswordForm
    template_name = "accounts/flow_password.html"
    step = flows.PASSWORD_STEP
    step_index = 2

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "member": self.member, "new_label": self.pages["password_label"]}

    def form_valid(self, form):
        password = form.cleaned_data["password1"]
        flows.flow_clear(self.request, self.flow)
        if self.flow == flows.REGISTER:
            try:
                services.registration_complete(member=self.member, password=password, request=self.request)
            except services.RegistrationConflict:
                messages.error(self.request, texts.REGISTERED_ELSEWHERE)
                return redirect("accounts:login")
        else:
            services.password_reset(member=self.member, password=password, request=self.request)
        return redirect(self.pages["done"])


@method_decorator([login_not_required, never_cache], name="dispatch")
class FlowDoneView(FlowMixin, TemplateView):
    """注册完成 / 修改成功, each with its way back to the login page."""

    step_index = 3

    def get_template_names(self):
        return ["accounts/register_done.html" if self.flow == flows.REGISTER else "accounts/password_forgot_done.html"]


# --- 修改密码 ---------------------------------------------------------------


@method_decorator([sensitive_post_parameters(), never_cache], name="dispatch")
class PasswordChangeView(MemberPageMixin, FormView):
    """原密码, 新密码, 确认密码 → 提交. This session stays, the others end."""

    form_class = ChangePasswordForm
    template_name = "accounts/password_change.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        form.is_valid()
        # 原密码 is checked (and a wrong one counted) whatever the new password's
        # problems, so the member sees every error at once.
        if "old_password" in form.cleaned_data:
            try:
                services.password_old_check(
                    user=request.user, password=form.cleaned_data["old_password"], request=request
                )
            except services.Refusal as refusal:
                if refusal.code == "locked_now":
                    # Too many wrong 原密码: the account is locked, so this session ends too.
                    logout(request)
                    messages.error(request, refusal.message)
                    return redirect(reverse("accounts:login"))
                form.add_error("old_password", ValidationError(refusal.message, code=refusal.code))
        if form.errors:
            return self.form_invalid(form)
        services.password_change(user=request.user, password=form.cleaned_data["password1"], request=request)
        messages.success(request, texts.PASSWORD_CHANGED)
        return redirect("accounts:password_change_done")


class PasswordChangeDoneView(MemberPageMixin, TemplateView):
    template_name = "accounts/password_change_done.html"


@method_decorator(captcha_rate_limited, name="dispatch")
class StaffLoginView(auth_views.LoginView):
    """`/admin/login/` (served by the admin site): 用户名, 密码, 动态口令 and
    验证码; the lockout, password and TOTP checks are the service's."""

    form_class = StaffLoginForm
    template_name = "admin/staff_login.html"

    def form_valid(self, form):
        try:
            login = services.staff_login_attempt(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                token=form.cleaned_data.get("otp_token") or "",
                request=self.request,
            )
        except services.Refusal as refusal:
            form.add_error(None, ValidationError(refusal.message, code=refusal.code))
            return self.form_invalid(form)
        auth_login(self.request, login.user)
        if login.device is not None:
            otp_login(self.request, login.device)
        if login.password_change_required:
            staff_password_change_require(self.request)
        return HttpResponseRedirect(self.get_success_url())
