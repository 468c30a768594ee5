"""Project-wide views that belong to no app."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@login_not_required
@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """/favicon.ico, which browsers and bookmarks ask for whatever the page links: a
    redirect to the static icon, so WhiteNoise serves it with its hashed name and long
    cache headers in production. Not permanent: the hashed name changes with the icon."""
    return HttpResponseRedirect(static("img/favicon.ico"))
