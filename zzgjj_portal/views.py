"""Project-wide views that belong to no app."""

from captcha import views as captcha_views
from captcha.models import CaptchaStore
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from zzgjj_portal.captchas import speech_available


@login_not_required
@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """/favicon.ico, which browsers and bookmarks ask for whatever the page links: a
    redirect to the static icon, so WhiteNoise serves it with its hashed name and long
    cache headers in production. Not permanent: the hashed name changes with the icon."""
    return HttpResponseRedirect(static("img/favicon.ico"))


@require_safe
@never_cache
def captcha_audio(request: HttpRequest, key: str) -> HttpResponse:
    """/captcha/audio/<key>.wav, the 语音验证码: the library's view (which runs
    zzgjj_portal/captcha_speech.py) behind our rules. A WAV made on each request
    and never stored by the browser (no-store: it answers a live challenge);
    404 for a key that is unknown or expired (the library would speak an
    expired one) and when the audio cannot be made, so a missing espeak-ng is
    never a 500. The root URLconf counts every request against the per-IP
    captcha cap, like a new captcha."""
    if not speech_available():
        raise Http404
    if not CaptchaStore.objects.filter(hashkey=key, expiration__gt=timezone.now()).exists():
        raise Http404
    response = captcha_views.captcha_audio(request, key)
    # Played in the page's <audio>, or by the browser itself when followed as a link.
    response["Content-Disposition"] = 'inline; filename="captcha.wav"'
    return response
