"""Authentication of members by ID number or reserved phone."""

from django.contrib.auth.backends import ModelBackend

from accounts.models import User
from inquiry.models import Member


class MemberBackend(ModelBackend):
    """Logs a member in with `identifier` (18-digit ID number or reserved phone).

    Staff accounts have no member and are never matched here, so staff cannot
    use the member login; members are never staff, so they cannot reach admin.
    """

    def authenticate(self, request, identifier=None, password=None, **kwargs):
        if identifier is None or password is None:
            return None
        user = (
            User.objects.filter(member__in=Member.objects.by_login(identifier), is_staff=False)
            .select_related("member")
            .first()
        )
        if user is None:
            # Hash anyway so an unknown ID/phone costs the same time as a
            # known one: response time must not reveal who is registered.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        # Every member page needs request.user.member: read both in the one
        # query that runs on each logged-in request anyway.
        try:
            user = User._default_manager.select_related("member").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
