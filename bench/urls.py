"""The production URLs plus `/bench/floor/`: the cheapest page a logged-in
member can get. It runs behind every middleware a real page has (session,
user, login gate, idle timeout), so a page's share of the floor's requests/s
is the share left after what every request pays anyway."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache

from zzgjj_portal.urls import urlpatterns as production_urlpatterns


@never_cache
def floor(request):
    # The login gate (LoginRequiredMiddleware) already read the session and user.
    return HttpResponse("floor", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor), *production_urlpatterns]
