"""Demo logins for `manage.py seed_demo`: every demo member registered online
gets a login with the published password."""

from django.contrib.auth.hashers import make_password

from accounts.models import User
from inquiry.models import Member

DEMO_PASSWORD = "Demo@2026"  # noqa: S105 - the published demo password (README)


def demo_logins_create(members: list[Member]) -> None:
    """A login `member-<pk>` with DEMO_PASSWORD for each of `members`."""
    if not members:
        return
    # Hashed once for all: Argon2 is deliberately slow, and it is one published
    # demo password anyway.
    password_hash = make_password(DEMO_PASSWORD)
    for member in members:
        User.objects.create(username=f"member-{member.pk}", member=member, password=password_hash)
