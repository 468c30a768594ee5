"""Audit of logins and logouts (members and staff alike)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from accounts.middleware import AUTH_STARTED, LAST_SEEN
from inquiry.models import Member
from zzgjj_portal.audit import audit_record
from zzgjj_portal.masking import mask_id_number, mask_login, mask_typed_username
from zzgjj_portal.models import AuditEvent


@receiver(user_logged_in, dispatch_uid="accounts_audit_login")
def on_login(sender, request, user, **kwargs):
    member = getattr(user, "member", None)
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[AUTH_STARTED] = now
        request.session[LAST_SEEN] = now
    detail = mask_id_number(member.id_number) if member else user.get_username()
    audit_record(kind=AuditEvent.Kind.LOGIN_SUCCESS, request=request, member=member, actor=user, detail=detail)


@receiver(user_login_failed, dispatch_uid="accounts_audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    identifier = credentials.get("identifier")
    if identifier is not None:
        member = Member.objects.by_login(identifier).first()
        detail = mask_login(identifier)
    else:
        member = None
        # The admin login: a member who typed their ID number or phone there
        # must not leave it in the trail.
        detail = f"管理后台 用户名 {mask_typed_username(credentials.get('username', ''))}"
    audit_record(kind=AuditEvent.Kind.LOGIN_FAILURE, request=request, member=member, detail=detail)


@receiver(user_logged_out, dispatch_uid="accounts_audit_logout")
def on_logout(sender, request, user, **kwargs):
    if user is None:
        return
    audit_record(kind=AuditEvent.Kind.LOGOUT, request=request, member=getattr(user, "member", None), actor=user)
