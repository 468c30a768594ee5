"""Messages pushed to a member's portal from the center's other channels."""

from django.db import models
from django.utils import timezone


class MessageQuerySet(models.QuerySet):
    def for_member(self, member) -> "MessageQuerySet":
        return self.filter(member=member)

    def unread(self) -> "MessageQuerySet":
        return self.filter(read_at__isnull=True)

    def read(self) -> "MessageQuerySet":
        return self.filter(read_at__isnull=False)


class Message(models.Model):
    class Channel(models.TextChoices):
        COUNTER = "counter", "服务大厅"
        PORTAL = "portal", "网上服务大厅"
        SMS = "sms", "短信"
        WECHAT = "wechat", "微信"
        APP = "app", "手机APP"
        HOTLINE = "hotline", "12329热线"

    member = models.ForeignKey(
        "inquiry.Member", verbose_name="缴存职工", on_delete=models.CASCADE, related_name="messages"
    )
    business = models.CharField("业务名称", max_length=50)
    content = models.TextField("消息内容")
    channel = models.CharField("发送渠道", max_length=16, choices=Channel.choices, default=Channel.COUNTER)
    sent_at = models.DateTimeField("发送时间", default=timezone.now)
    read_at = models.DateTimeField("已阅时间", null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["member", "read_at", "sent_at"], name="message_member_read_idx")]

    def __str__(self) -> str:
        return self.business
