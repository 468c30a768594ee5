"""Session limits: idle timeout and absolute lifetime of a login."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from accounts import texts
from zzgjj_portal.audit import audit_record
from zzgjj_portal.models import AuditEvent

AUTH_STARTED = "_accounts_auth_started"
LAST_SEEN = "_accounts_last_seen"
# Refresh the last-seen stamp at most this often: each refresh is a session
# write (database and cache). The stamp is then up to this old, so the idle
# check may see a session idler than it is; a tenth of the limit (at most a
# minute) keeps that error small whatever SESSION_IDLE_MINUTES is: a
# 15-minute session ends between 14 and 15 minutes after the last request,
# a 1-minute one between 54 and 60 seconds, never later than the limit, and
# a member whose requests come closer together than that is never logged out.
TOUCH_MAX_SECONDS = 60
TOUCH_FRACTION_OF_IDLE = 10


def touch_every_seconds() -> float:
    """How old the last-seen stamp may get before a request refreshes it."""
    return min(TOUCH_MAX_SECONDS, settings.SESSION_IDLE_MINUTES * 60 / TOUCH_FRACTION_OF_IDLE)


class SessionTimeoutMiddleware:
    """Logs out a session idle for SESSION_IDLE_MINUTES or logged in longer
    than SESSION_ABSOLUTE_HOURS; the next request lands on the login page
    (admin login for staff) with a message saying why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            session = request.session
            started = session.setdefault(AUTH_STARTED, now)
            last_seen = session.get(LAST_SEEN, now)
            message = None
            if now - started > settings.SESSION_ABSOLUTE_HOURS * 3600:
                message = texts.SESSION_ABSOLUTE.format(hours=settings.SESSION_ABSOLUTE_HOURS)
            elif now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
                message = texts.SESSION_IDLE.format(minutes=settings.SESSION_IDLE_MINUTES)
            if message:
                audit_record(
                    kind=AuditEvent.Kind.SESSION_EXPIRED,
                    request=request,
                    member=getattr(user, "member", None),
                    actor=user,
                    detail=message,
                )
                is_staff = user.is_staff
                logout(request)
                messages.info(request, message)
                return redirect("admin:login" if is_staff else "accounts:login")
            if LAST_SEEN not in session or now - last_seen >= touch_every_seconds():
                session[LAST_SEEN] = now
        return self.get_response(request)


class PortalLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's login-required default for every view, with one difference: a
    visitor who is not logged in and opens an admin page is sent to the
    admin (staff) login, not the member login."""

    def handle_no_permission(self, request, view_func):
        admin_root = reverse("admin:index")
        if request.path.startswith(admin_root):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return super().handle_no_permission(request, view_func)
