"""Forms of the member login, registration and passwords: they clean and
validate what was typed, nothing more. Lock checks, failure counts, the
eligibility rules and the audit are in `accounts.services`, which the views call."""

from captcha.fields import CaptchaField
from django import forms
from django.conf import settings

from accounts import flows, texts
from accounts.passwords import validate_member_password
from zzgjj_portal.identity import normalize_id_number

MESSAGES = {
    "required_identifier": "请输入身份证号或手机号",
    "required_password": "请输入用户密码",
    "required_captcha": "请输入验证码",
    "invalid_captcha": "验证码错误,请重新输入",
    "invalid_login": texts.INVALID_LOGIN,
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
        # Django's LoginView passes the request first; the form does not need it.
        super().__init__(*args, **kwargs)


# --- 注册 / 忘记密码 -------------------------------------------------------


class IdentityForm(forms.Form):
    """信息校验: 姓名, 身份证号 (证件号码), 验证码. Who may go on is decided
    by `services.identity_verify`, after the captcha passed."""

    name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请输入姓名"})
    id_number = forms.CharField(label="身份证号", max_length=18, error_messages={"required": "请输入身份证号"})
    captcha = CaptchaField(
        label="验证码",
        error_messages={"required": MESSAGES["required_captcha"], "invalid": MESSAGES["invalid_captcha"]},
    )

    def __init__(self, *args, flow: str, **kwargs):
        super().__init__(*args, **kwargs)
        if flow == flows.RESET:
            self.fields["id_number"].label = "证件号码"
            self.fields["id_number"].error_messages["required"] = "请输入证件号码"

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_id_number(self):
        return normalize_id_number(self.cleaned_data["id_number"])


class SmsCodeForm(forms.Form):
    code = forms.RegexField(
        label="短信验证码",
        regex=rf"^\d{{{settings.ACCOUNTS_SMS_CODE_LENGTH}}}$",
        max_length=settings.ACCOUNTS_SMS_CODE_LENGTH,
        error_messages={"required": texts.SMS_FORMAT, "invalid": texts.SMS_FORMAT},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class NewPasswordForm(forms.Form):
    """登录密码/新密码 and 确认密码, checked against the member's rules."""

    rules = texts.PASSWORD_RULES  # the hint under the fields

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
    """修改密码: 原密码, 新密码, 确认密码. The view checks 原密码 with
    `services.password_old_check` (a wrong one counts toward the lockout)."""

    old_password = forms.CharField(
        label="原密码",
        strip=False,
        max_length=128,
        error_messages={"required": "请输入原密码"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    field_order = ["old_password", "password1", "password2"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, member=user.member, new_label="新密码", **kwargs)


# --- 管理后台 (hall staff) --------------------------------------------------


class StaffLoginForm(forms.Form):
    """The admin login: 用户名, 密码, 动态口令 (TOTP from the staff member's
    authenticator app) and the same captcha as members. Lockout, the password
    and the token are checked by `services.staff_login_attempt`."""

    username = forms.CharField(
        label="用户名",
        max_length=150,
        error_messages={"required": "请输入用户名"},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True, "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label="密码",
        strip=False,
        max_length=128,
        error_messages={"required": "请输入密码"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_token = forms.RegexField(
        label="动态口令",
        regex=r"^\d{6}$",
        required=False,
        error_messages={"invalid": texts.STAFF_TOKEN_REQUIRED},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "6", "pattern": r"\d{6}"}
        ),
    )
    captcha = CaptchaField(
        label="验证码",
        error_messages={"required": MESSAGES["required_captcha"], "invalid": MESSAGES["invalid_captcha"]},
    )

    def __init__(self, request=None, *args, **kwargs):
        # Django's LoginView passes the request first; the form does not need it.
        super().__init__(*args, **kwargs)
