"""Delete SMS codes and lockout counters that no longer matter (run daily, e.g. from cron)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import LoginThrottle, SmsCode


class Command(BaseCommand):
    help = "删除过期的短信验证码和登录失败计数"

    def handle(self, *args, **options):
        now = timezone.now()
        # Codes are kept a day: the daily send caps count them.
        codes, _ = SmsCode.objects.filter(created_at__lt=now - timedelta(days=1)).delete()
        # A counter quiet for a whole lock period starts over anyway.
        period = timedelta(minutes=settings.ACCOUNTS_LOCKOUT_MINUTES)
        counters, _ = LoginThrottle.objects.filter(last_failure_at__lt=now - period).delete()
        self.stdout.write(f"accounts_cleanup: {codes} codes, {counters} counters deleted")
