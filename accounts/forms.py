"""Forms of the member login."""

from captcha.fields import CaptchaField
from django import forms
from django.contrib.auth import authenticate

from inquiry.models import Member

MESSAGES = {
    "required_identifier": "请输入身份证号或手机号",
    "required_password": "请输入用户密码",
    "required_captcha": "请输入验证码",
    "invalid_captcha": "验证码错误,请重新输入",
    "invalid_login": "身份证号/手机号或用户密码错误",
    "not_registered": "您尚未注册网上服务大厅,请先点击【注册】完成注册",
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
        self.user_cache = authenticate(self.request, identifier=identifier, password=password)
        if self.user_cache is None:
            member = Member.objects.by_login(identifier).filter(user__isnull=True).first()
            if member is not None:
                raise forms.ValidationError(MESSAGES["not_registered"], code="not_registered")
            raise forms.ValidationError(MESSAGES["invalid_login"], code="invalid_login")
        return cleaned

    def get_user(self):
        return self.user_cache
