"""Access gates for member pages."""

from functools import wraps

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login


def _is_member(user) -> bool:
    return user.is_authenticated and getattr(user, "member_id", None) is not None


class MemberRequiredMixin:
    """Only a logged-in member passes; staff and anonymous visitors go to the
    member login. `self.member` is the member every query must start from."""

    def dispatch(self, request, *args, **kwargs):
        if not _is_member(request.user):
            return redirect_to_login(request.get_full_path(), redirect_field_name=REDIRECT_FIELD_NAME)
        self.member = request.user.member
        return super().dispatch(request, *args, **kwargs)


def member_required(view):
    """Function-view twin of MemberRequiredMixin."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _is_member(request.user):
            return redirect_to_login(request.get_full_path(), redirect_field_name=REDIRECT_FIELD_NAME)
        return view(request, *args, **kwargs)

    return wrapper
