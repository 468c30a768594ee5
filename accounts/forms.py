"""Forms of the member login, registration and passwords."""

from captcha.fields import CaptchaField
from django import forms
from django.contrib.auth import authenticate

from accounts import flows, lockout, services, texts
from accounts.models import AuditEvent, User
from accounts.passwords import validate_member_password
from inquiry.models import Member
from zzgjj_portal.identity import normalize_id_number
from zzgjj_portal.masking import mask_login

MESSAGES = {
    "required_identifier": "请输入身份证号或手机号",
    "required_password": "请输入用户密码",
    "required_captcha": "请输入验证码",
    "invalid_captcha": "验证码错误,请重新输入",
    "invalid_login": "身份证号/手机号或用户密码错误",
    "not_registered": texts.NOT_REGISTERED,
}


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label="身份证号/手机号",
        max_length=18,
        error_messages={"required": MESSAGES["required_identifier"]},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="用户密码",
        strip=False,
        max_length=128,
        error_messages={"required": MESSAGES["required_password"]},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    captcha = CaptchaField(
        label="验证码",
        error_messages={"required": MESSAGES["required_captcha"], "invalid": MESSAGES["invalid_captcha"]},
    )

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        # The captcha is checked first and, when wrong, no password is tried:
        # otherwise passwords could be guessed without solving captchas.
        if "captcha" in self.errors or "captcha" not in cleaned:
            return cleaned
        identifier = cleaned.get("identifier")
        password = cleaned.get("password")
        if not identifier or not password:
            return cleaned
        # Lockout is keyed on the member (ID number and phone name the same
        # one) and on the client IP; a locked key is refused before any hash.
        key, member = lockout.login_key(identifier)
        ip = services.client_ip(self.request) if self.request is not None else None
        lock = lockout.lock_status(key=key, ip=ip)
        if lock is not None:
            services.audit_record(
                kind=AuditEvent.Kind.LOGIN_FAILURE,
                request=self.request,
                member=member,
                detail=f"{mask_login(identifier)} 锁定中,未校验密码",
            )
            raise forms.ValidationError(lock.message, code="locked")
        self.user_cache = authenticate(self.request, identifier=identifier, password=password)
        if self.user_cache is None:
            if member is not None and not User.objects.filter(member=member).exists():
                raise forms.ValidationError(MESSAGES["not_registered"], code="not_registered")
            lock = lockout.failure_record(key=key, ip=ip, member=member, request=self.request)
            if lock is not None:
                raise forms.ValidationError(lock.message, code="locked")
            raise forms.ValidationError(MESSAGES["invalid_login"], code="invalid_login")
        lockout.failures_clear(key=key)
        return cleaned

    def get_user(self):
        return self.user_cache


# --- 注册 / 忘记密码 -------------------------------------------------------


class IdentityForm(forms.Form):
    """信息校验: 姓名, 身份证号 (证件号码), 验证码.

    Apart from the refusals the manual names, a pair that matches nobody gets
    the same answer as a wrong pair, and refusals per client IP are limited
    like login failures, so the form cannot be used to look members up."""

    name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请输入姓名"})
    id_number = forms.CharField(label="身份证号", max_length=18, error_messages={"required": "请输入身份证号"})
    captcha = CaptchaField(
        label="验证码",
        error_messages={"required": MESSAGES["required_captcha"], "invalid": MESSAGES["invalid_captcha"]},
    )

    def __init__(self, *args, flow: str, request=None, **kwargs):
        self.flow = flow
        self.request = request
        self.member = None
        super().__init__(*args, **kwargs)
        if flow == flows.RESET:
            self.fields["id_number"].label = "证件号码"
            self.fields["id_number"].error_messages["required"] = "请输入证件号码"

    def clean(self):
        cleaned = super().clean()
        # The captcha comes first: without it nothing else is looked at.
        if "captcha" in self.errors or "captcha" not in cleaned:
            return cleaned
        name, id_number = (cleaned.get("name") or "").strip(), cleaned.get("id_number") or ""
        if not name or not id_number:
            return cleaned
        ip = services.client_ip(self.request) if self.request is not None else None
        throttle_key = f"identity:{ip}"
        lock = lockout.identity_lock(key=throttle_key)
        if lock is not None:
            raise forms.ValidationError(lock, code="throttled")
        member, refusal = self._match(name, normalize_id_number(id_number))
        if refusal is not None:
            lockout.identity_failure_add(key=throttle_key)
            raise forms.ValidationError(refusal, code="refused")
        self.member = member
        return cleaned

    def _match(self, name: str, id_number: str):
        member = Member.objects.select_related("fund_account").filter(id_number=id_number, name=name).first()
        if member is None:
            return None, texts.IDENTITY_MISMATCH
        account = getattr(member, "fund_account", None)
        registered = User.objects.filter(member=member).exists()
        if account is not None and account.is_closed:
            return None, texts.CLOSED_NO_REGISTER if self.flow == flows.REGISTER else texts.CLOSED_NO_RESET
        if self.flow == flows.REGISTER and registered:
            return None, texts.ALREADY_REGISTERED
        if self.flow == flows.RESET and not registered:
            return None, texts.NOT_REGISTERED
        if not member.phone:
            return None, texts.NO_PHONE
        return member, None


class SmsCodeForm(forms.Form):
    code = forms.RegexField(
        label="短信验证码",
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"required": texts.SMS_FORMAT, "invalid": texts.SMS_FORMAT},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class NewPasswordForm(forms.Form):
    """登录密码/新密码 and 确认密码, checked against the member's rules."""

    password1 = forms.CharField(
        label="登录密码",
        strip=False,
        max_length=128,
        error_messages={"required": "请输入密码"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="确认密码",
        strip=False,
        max_length=128,
        error_messages={"required": "请再次输入密码"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, member=None, new_label: str = "登录密码", **kwargs):
        self.member = member
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = new_label

    def clean_password1(self):
        password = self.cleaned_data["password1"]
        validate_member_password(password, self.member)
        return password

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", texts.PASSWORD_MISMATCH)
        return cleaned


class ChangePasswordForm(NewPasswordForm):
    """修改密码: 原密码, 新密码, 确认密码. A wrong 原密码 counts toward the lockout."""

    old_password = forms.CharField(
        label="原密码",
        strip=False,
        max_length=128,
        error_messages={"required": "请输入原密码"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    field_order = ["old_password", "password1", "password2"]

    def __init__(self, *args, user, request, **kwargs):
        self.user = user
        self.request = request
        self.lock = None
        super().__init__(*args, member=user.member, new_label="新密码", **kwargs)

    def clean_old_password(self):
        old = self.cleaned_data["old_password"]
        key = lockout.member_key(self.user.member)
        ip = services.client_ip(self.request)
        current = lockout.lock_status(key=key, ip=ip)
        if current is not None:
            raise forms.ValidationError(current.message, code="locked")
        if not self.user.check_password(old):
            # `lock` is set when this wrong 原密码 locked the account: the view ends the session.
            self.lock = lockout.failure_record(key=key, ip=ip, member=self.user.member, request=self.request)
            raise forms.ValidationError(self.lock.message if self.lock else texts.OLD_PASSWORD_WRONG)
        return old
