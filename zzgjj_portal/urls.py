"""Root URLs: the member portal at `/`, hall staff at `/admin/`.

A composition point: the one module of zzgjj_portal that knows every app.
"""

from captcha import views as captcha_views
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path

from accounts.views import captcha_rate_limited
from tasks.api import api as machine_api
from zzgjj_portal import health, metrics
from zzgjj_portal.views import captcha_audio, favicon

# The captcha image must load before anyone is logged in.
captcha_patterns = [
    re_path(
        r"image/(?P<key>\w+)/$",
        login_not_required(captcha_views.captcha_image),
        name="captcha-image",
        kwargs={"scale": 1},
    ),
    re_path(
        r"image/(?P<key>\w+)@2/$",
        login_not_required(captcha_views.captcha_image),
        name="captcha-image-2x",
        kwargs={"scale": 2},
    ),
    # 语音验证码: our view around the library's (404s, no-store), counted like a
    # new captcha: each request runs espeak-ng, so it shares the per-IP cap.
    re_path(
        r"audio/(?P<key>\w+)\.wav$",
        login_not_required(captcha_rate_limited(captcha_audio)),
        name="captcha-audio",
    ),
    re_path(
        r"refresh/$",
        login_not_required(captcha_rate_limited(captcha_views.captcha_refresh)),
        name="captcha-refresh",
    ),
]

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    # For the load balancer and monitoring: no login, never cached.
    path("healthz/", health.healthz, name="healthz"),
    path("readyz/", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    # The machine endpoints (push API, core outbox API): bearer tokens, no
    # session, their OpenAPI at /api/openapi.json (tasks/api.py).
    path("api/", machine_api.urls),
    path("captcha/", include(captcha_patterns)),
    path("", include("accounts.urls")),
    path("", include("inquiry.urls")),
    path("", include("tasks.urls")),
]
