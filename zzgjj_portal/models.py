"""Project-wide records: the security audit trail.

It lives here, not in an app, because every app writes to it (logins in
`accounts`, staff phone changes in `inquiry`) and none may import another
just to record an event. The foreign keys are lazy strings, so this module
imports no app.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """Append-only record of security events; read-only for staff in admin."""

    class Kind(models.TextChoices):
        LOGIN_SUCCESS = "login_success", "登录成功"
        LOGIN_FAILURE = "login_failure", "登录失败"
        LOGOUT = "logout", "退出"
        PHONE_CHANGED = "phone_changed", "变更预留手机号"
        LOCKOUT = "lockout", "账户锁定"
        REGISTERED = "registered", "网上注册"
        PASSWORD_RESET = "password_reset", "重置密码"
        PASSWORD_CHANGED = "password_changed", "修改密码"
        SMS_SENT = "sms_sent", "发送短信验证码"
        SESSION_EXPIRED = "session_expired", "登录超时"
        APPLICATION_SUBMITTED = "application_submitted", "提交业务申请"
        APPLICATION_WITHDRAWN = "application_withdrawn", "撤回业务申请"
        APPLICATION_APPROVED = "application_approved", "审批通过环节"
        APPLICATION_REJECTED = "application_rejected", "审批不通过"
        APPLICATION_REFUSED = "application_refused", "审批操作被拒绝"
        LOAN_DISBURSED = "loan_disbursed", "贷款放款"
        FULL_IDENTITY_VIEWED = "identity_viewed", "查看完整身份信息"
        CERTIFICATE_ISSUED = "certificate_issued", "开具电子证明"
        CERTIFICATE_VOIDED = "certificate_voided", "作废电子证明"

    kind = models.CharField("事件", max_length=32, choices=Kind.choices)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    member = models.ForeignKey(
        "inquiry.Member", verbose_name="缴存职工", null=True, blank=True, on_delete=models.PROTECT
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    user_agent = models.CharField("浏览器", max_length=300, blank=True)
    # Personal data in here is always masked: the log outlives its purpose.
    detail = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "安全审计"
        verbose_name_plural = "安全审计"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "created_at"])]
        # The hall clerk changes reserved phones and sees the record of those
        # changes (on the member's page and in 安全审计), not the rest of the
        # trail (logins, lockouts, IPs of everyone): view_auditevent is that.
        permissions = [("view_phone_changes", "可查看预留手机号变更记录")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        # Append-only: an existing event is never rewritten.
        if self.pk is not None:
            raise ValueError("审计记录不可修改")
        super().save(*args, **kwargs)


class OutboxItem(models.Model):
    """Work that must happen after a commit, written in the same transaction as
    the change that causes it (zzgjj_portal/outbox.py): a message to a member,
    an SMS, a broadcast's fan-out. A job delivers it and stamps `done_at`; the
    relay offers again whatever a crash, a lost broker message or a failure
    left pending. So a commit never happens without its consequences, and a
    consequence never happens without its commit."""

    kind = models.CharField("类型", max_length=40)
    payload = models.JSONField("内容", default=dict)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    # When the relay may offer it again (a failure backs off; a claim leases it).
    next_try_at = models.DateTimeField("下次尝试时间", default=timezone.now)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=300, blank=True)

    class Meta:
        verbose_name = "待办投递"
        verbose_name_plural = "待办投递"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The relay's scan and the oldest-pending gauge read only pending rows.
            models.Index("next_try_at", "id", condition=models.Q(done_at__isnull=True), name="outbox_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class JobHeartbeat(models.Model):
    """When the background machinery was last seen alive: `worker` is stamped
    by the worker running the heartbeat job, `beat` with the time beat sent
    it. `/readyz/` fails when either is older than a minute."""

    name = models.CharField("名称", max_length=32, primary_key=True)
    seen_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "后台任务心跳"
        verbose_name_plural = "后台任务心跳"

    def __str__(self) -> str:
        return f"{self.name} {timezone.localtime(self.seen_at):%Y-%m-%d %H:%M:%S}"
