"""The production URLs plus the floors: `/bench/floor/`, the cheapest page a
logged-in member can get, and `/bench/floor/anonymous/`, the cheapest a
visitor can (what the public /verify/ is judged against). Both run behind
every middleware a real page has (the logged-in one: session, user, login
gate, idle timeout), so a page's share of its floor's requests/s is the share
left after what every request pays anyway."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache

from zzgjj_portal.urls import urlpatterns as production_urlpatterns


@never_cache
def floor(request):
    # The login gate (LoginRequiredMiddleware) already read the session and user.
    return HttpResponse("floor", content_type="text/plain")


@login_not_required
@never_cache
def floor_anonymous(request):
    # No session cookie: the middleware finds no session and no user to read.
    return HttpResponse("floor", content_type="text/plain")


urlpatterns = [
    path("bench/floor/", floor),
    path("bench/floor/anonymous/", floor_anonymous),
    *production_urlpatterns,
]
