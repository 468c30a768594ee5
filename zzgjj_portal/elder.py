"""长辈模式 (elder mode): whether a page is drawn for older members.

One switch, not a second site: the same pages with `<html class="elder">`
and static/css/elder.css (larger text and targets, higher contrast, a big
cursor, no motion) and a shorter menu. Whose choice counts:

- a logged-in member's: `User.elder_mode`, read from the user the request
  has loaded anyway (no query of its own);
- anyone else's (a visitor on the login page, registration, /verify/, an
  error page): the `zzgjj_elder` cookie, "1" or "0", so the login page
  remembers it.

The switch (accounts:elder_mode) and the login write both; this module only
reads them, and writes the cookie the same way wherever it is set.
"""

from django.conf import settings

COOKIE = "zzgjj_elder"
# A year: the choice belongs to the browser (a family's PC), like a language.
COOKIE_MAX_AGE = 365 * 24 * 3600


def cookie_choice(request) -> bool | None:
    """The visitor's choice from the cookie: True, False, or None when the
    browser has made none (or sent something else)."""
    value = request.COOKIES.get(COOKIE)
    if value == "1":
        return True
    if value == "0":
        return False
    return None


def is_on(request) -> bool:
    """Whether this request's pages are in 长辈模式: the member's saved
    choice when a member is logged in, else the browser's cookie."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.member_id is not None:
        return user.elder_mode
    return cookie_choice(request) is True


def cookie_set(response, *, on: bool) -> None:
    """Remember the choice in this browser. Not secret, but sent only over
    HTTPS in production as the session cookie is; no script reads it."""
    response.set_cookie(
        COOKIE,
        "1" if on else "0",
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )


def context(request) -> dict:
    """Context processor of the portal's Jinja2 pages: `elder_mode`."""
    return {"elder_mode": is_on(request)}
