"""Server-side cache of rendered member pages, keyed on what they show.

A member page is a function of the member's data, the logged-in user's own
settings, the URL, the day and the code. The key holds each of them:

- `Member.data_version`, which database triggers raise in the same
  transaction as any change to what the member's pages show (see
  inquiry/versioning.py), read in the query that loads the user anyway;
- the user (and the sound setting in the frame's buttons, and 长辈模式, which
  changes the frame, the menu and `<html class>`);
- the browser's CSRF secret, because the page's forms carry tokens made
  from it (so a cached page is only ever served to the browser it was
  rendered for);
- the full path with its query string, and today's date (default ranges,
  the plan's next due date);
- the release: a digest of the code, the templates and the static manifest,
  so a deployment never serves pages rendered by the previous one.

Nothing else goes in a page: pages with a pending flash message are neither
served from nor written to the cache. A page's Excel download (`?format=xlsx`)
is kept the same way, with its file name; PDFs have their own cache
(inquiry/printing.py). Entries expire after PAGE_CACHE_SECONDS, and the cache
is off (0) unless a shared cache (Redis) is configured: with the database
cache a lookup would cost what it saves.

Stored in the cache only, never in the browser: every member answer still
says `Cache-Control: no-store, private`.
"""

import hashlib
import os
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.http import HttpResponse
from django.utils import timezone

KEY_PREFIX = "member-page:"
# The query parameters the cached pages read. A URL with any other, or an
# overlong query string, is rendered afresh and not kept: made-up URLs must
# not fill the cache (Redis also evicts least-recently-used keys: README).
PARAMS = frozenset({"start", "end", "contract", "page", "format"})
MAX_QUERY_LENGTH = 200
_SKIP_DIRS = {".venv", "var", "staticfiles", "node_modules", "test-artifacts", ".git", "__pycache__"}


@cache
def release() -> str:
    """A digest of this deployment: every .py and template file of the
    project and the static manifest (hashed asset names end up in pages)."""
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    files = [root / "staticfiles" / "staticfiles.json"]
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = [d for d in subdirs if d not in _SKIP_DIRS]
        files += [Path(directory) / n for n in names if n.endswith((".py", ".html"))]
    for path in sorted(files):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def page_key(request, member) -> str | None:
    """The cache key of this GET of a member page, or None when the page must
    be rendered afresh (cache off, an unknown query parameter, a flash message
    waiting, no CSRF secret yet)."""
    if not settings.PAGE_CACHE_SECONDS or request.method != "GET":
        return None
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_LENGTH or not PARAMS.issuperset(request.GET):
        return None
    secret = request.META.get("CSRF_COOKIE")
    # len() counts waiting messages without marking them as read.
    if not secret or len(messages.get_messages(request)):
        return None
    user = request.user
    parts = (
        release(),
        str(user.pk),
        "1" if user.sound_on else "0",
        # Charts on or off changes the page, not the member's data.
        "1" if settings.INQUIRY_CHARTS else "0",
        "1" if user.elder_mode else "0",
        str(member.pk),
        str(member.data_version),
        secret,
        request.get_full_path(),
        timezone.localdate().isoformat(),
    )
    return KEY_PREFIX + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def cached_page(key: str) -> HttpResponse | None:
    stored = caches["default"].get(key)
    if stored is None:
        return None
    content_type, disposition, body = stored
    response = HttpResponse(body, content_type=content_type)
    if disposition:
        response["Content-Disposition"] = disposition
    return response


def page_store(key: str, response) -> None:
    """Keep a complete 200 answer: the page, or its Excel download (数据下载),
    with its type and file name. Errors, refusals and redirects are not kept."""
    if response.status_code == 200 and not response.streaming:
        stored = (response["Content-Type"], response.get("Content-Disposition", ""), response.content)
        caches["default"].set(key, stored, settings.PAGE_CACHE_SECONDS)
