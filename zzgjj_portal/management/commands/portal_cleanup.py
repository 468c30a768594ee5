"""`manage.py portal_cleanup`: the one daily retention job (celery beat runs it
at 03:30, zzgjj_portal.jobs.portal_cleanup; by hand the same).

Deletes expired sessions, spent SMS codes and lockout counters (through
`accounts_cleanup`), expired captcha rows, and security audit rows older than
PORTAL_AUDIT_RETENTION_DAYS (default three years). Safe to run at any time
and more than once: it only deletes what nobody can use any more.
"""

from datetime import timedelta

from captcha.models import CaptchaStore
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from zzgjj_portal.models import AuditEvent, OutboxItem

BATCH = 10_000
# Delivered outbox items are kept this long for looking into a complaint
# ("I never got the message"), then deleted; pending ones are never deleted.
OUTBOX_DONE_RETENTION_DAYS = 30


def delete_in_batches(queryset) -> int:
    """Delete by primary-key batches: one huge DELETE would hold its locks
    and bloat the WAL for as long as it runs on a table of millions of rows."""
    deleted = 0
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return deleted
        count, _ = queryset.model.objects.filter(pk__in=ids).delete()
        deleted += count


class Command(BaseCommand):
    help = "每日清理: 过期会话、短信验证码与失败计数、图片验证码、超过保存期限的安全审计记录"

    def handle(self, *args, **options):
        now = timezone.now()
        sessions = delete_in_batches(Session.objects.filter(expire_date__lt=now))
        call_command("accounts_cleanup", stdout=self.stdout)
        captchas = delete_in_batches(CaptchaStore.objects.filter(expiration__lt=now))
        cutoff = now - timedelta(days=settings.PORTAL_AUDIT_RETENTION_DAYS)
        audit = delete_in_batches(AuditEvent.objects.filter(created_at__lt=cutoff))
        done = delete_in_batches(
            OutboxItem.objects.filter(done_at__lt=now - timedelta(days=OUTBOX_DONE_RETENTION_DAYS))
        )
        self.stdout.write(
            f"portal_cleanup: {sessions} sessions, {captchas} captchas, {audit} audit rows older than "
            f"{settings.PORTAL_AUDIT_RETENTION_DAYS} days, {done} delivered outbox items deleted"
        )
