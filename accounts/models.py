"""Login identities, SMS codes and login failure counters.

A `User` is either hall staff (is_staff, logs in to admin with a username) or
a member's online identity (linked to exactly one `inquiry.Member`, logs in on
the portal with ID number or reserved phone). The two never cross.
"""

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

STAFF_NAME_MISSING = "请填写工作人员的姓名(缴存职工在审批记录中看到的审批人)"


class UserManager(DjangoUserManager):
    """Django's manager without e-mail: staff are known by username, members by their member."""

    def _create_user(self, username, email, password, **extra_fields):
        user = self.model(username=self.model.normalize_username(username), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # A staff account without 姓名 cannot handle an application step (members
        # would read no one as 审批人), so none is made without it, by any path.
        if not (extra_fields.get("name") or "").strip():
            raise ValidationError(STAFF_NAME_MISSING, code="name_required")
        extra_fields["name"] = extra_fields["name"].strip()
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    username = models.CharField("用户名", max_length=150, unique=True)
    # Staff only: the name members see as 审批人 on their applications. A login
    # name is never shown to members: it is half of a staff credential.
    name = models.CharField("姓名", max_length=50, blank=True)
    member = models.OneToOneField(
        "inquiry.Member",
        verbose_name="缴存职工",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
    )
    is_staff = models.BooleanField("工作人员", default=False)
    is_active = models.BooleanField("有效", default=True)
    date_joined = models.DateTimeField("注册时间", default=timezone.now)
    # 关闭音效 / 开启音效: kept with the login identity so the choice holds on every device.
    sound_on = models.BooleanField("消息提示音效", default=True)
    # 长辈模式: the member's choice, kept with the login identity like sound_on;
    # a visitor's is the zzgjj_elder cookie (zzgjj_portal/elder.py).
    elder_mode = models.BooleanField("长辈模式", default=False)

    objects = UserManager()

    USERNAME_FIELD = "username"
    # `createsuperuser` asks for it: members read it as 审批人 (see create_superuser).
    REQUIRED_FIELDS: list[str] = ["name"]

    class Meta:
        verbose_name = "登录用户"
        verbose_name_plural = "登录用户"
        constraints = [
            # A member identity is never staff: members cannot reach admin.
            models.CheckConstraint(
                condition=models.Q(member__isnull=True) | models.Q(is_staff=False, is_superuser=False),
                name="user_member_not_staff",
            ),
        ]

    def __str__(self) -> str:
        return self.username

    def get_full_name(self) -> str:
        return self.name


class SmsPurpose(models.TextChoices):
    REGISTER = "register", "注册"
    RESET = "reset", "忘记密码"


class SmsCode(models.Model):
    """One short-message code sent to a member's reserved phone.

    Only an HMAC of the code is stored (see services.sms_code_send); a newer code
    for the same member and purpose makes this one inactive.
    """

    member = models.ForeignKey("inquiry.Member", verbose_name="缴存职工", on_delete=models.CASCADE, related_name="+")
    # The phone the code went to: send limits count per phone even if staff change it later.
    phone = models.CharField("手机号码", max_length=11, db_index=True)
    purpose = models.CharField("用途", max_length=16, choices=SmsPurpose.choices)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    ip = models.GenericIPAddressField("IP", null=True, blank=True, db_index=True)
    created_at = models.DateTimeField("发送时间", db_index=True)
    expires_at = models.DateTimeField("失效时间")
    failed_tries = models.PositiveSmallIntegerField("错误次数", default=0)
    active = models.BooleanField("有效", default=True)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["member", "purpose", "active"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"


class SmsLog(models.Model):
    """Every short message the portal tried to send: masked phone, purpose,
    time and what the backend answered. Never the message text (it holds the code)."""

    created_at = models.DateTimeField("发送时间", db_index=True)
    member = models.ForeignKey(
        "inquiry.Member", verbose_name="缴存职工", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phone_masked = models.CharField("手机号码", max_length=11)
    purpose = models.CharField("用途", max_length=16, choices=SmsPurpose.choices)
    backend = models.CharField("发送通道", max_length=100)
    ok = models.BooleanField("发送成功")
    result = models.CharField("发送结果", max_length=300, blank=True)

    class Meta:
        verbose_name = "短信发送记录"
        verbose_name_plural = "短信发送记录"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.phone_masked} {self.created_at:%Y-%m-%d %H:%M}"


class LoginThrottle(models.Model):
    """Failure counter behind the login lockout, one row per key
    (`member:<pk>`, `login:<digest of an unknown identifier>`, `ip:<address>`).

    The counter starts over after a quiet period as long as the lock; while
    it is at the limit the key is locked until `last_failure_at` + that period.
    """

    key = models.CharField(max_length=100, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()

    class Meta:
        verbose_name = "登录失败计数"
        verbose_name_plural = "登录失败计数"

    def __str__(self) -> str:
        return self.key
