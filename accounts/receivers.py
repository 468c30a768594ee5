"""What the accounts app does when the center's records tell it something
(inquiry.signals; inquiry never imports this app)."""

from django.db import transaction
from django.dispatch import receiver

from accounts import services
from accounts.models import User
from inquiry.signals import accounts_closed


@receiver(accounts_closed, dispatch_uid="accounts_sessions_end_on_close")
def on_accounts_closed(sender, *, member_ids: list[int], **kwargs):
    """Accounts the core closed (销户): their members' sessions end once the
    change is committed (login is refused from then on, services.login_attempt)."""
    user_ids = list(User.objects.filter(member_id__in=member_ids).values_list("pk", flat=True))
    if user_ids:
        transaction.on_commit(lambda: services.member_sessions_end(user_ids=user_ids))
