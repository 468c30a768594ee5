"""Where a profiled request's time goes, by kind of work: the grouped summary
and the heaviest functions that bench/profile_page.py hands to RESULTS.md
("Where a fresh page's CPU goes").

pyinstrument samples the stack every half millisecond; each sample's time is
the self time of the innermost Python frame, so a C call (psycopg's wait on
the socket, a regex) counts for the Python function that made it. Grouped by
the file of that frame, the groups add up to the whole request."""

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

# First match wins: the test client before the rest of Django, psycopg before
# the ORM that calls it, template helpers before the portal code they live in.
GROUPS = (
    ("test client (drives the profile; not in production)", ("/django/test/",)),
    ("database: psycopg sending queries, waiting for PostgreSQL", ("/psycopg/", "/psycopg_c/", "/psycopg_pool/")),
    ("ORM: building queries, turning rows into objects", ("/django/db/",)),
    (
        "templates: rendering, filters, number and date formatting",
        (
            "/django/template/",
            "/jinja2/",
            "/markupsafe/",
            "/templatetags/",
            "/django/forms/",
            "/django/utils/formats.py",
            "/django/utils/numberformat.py",
            "/django/utils/dateformat.py",
            "/django/utils/html.py",
            "/django/utils/safestring.py",
            ".html",
        ),
    ),
    (
        "session, user and cache (Redis)",
        (
            "/django/contrib/sessions/",
            "/django/contrib/auth/",
            "/django/core/cache/",
            "/redis/",
            "/zzgjj_portal/cache.py",
        ),
    ),
    (
        "middleware, URL routing, request and response",
        (
            "/django/core/handlers/",
            "/django/middleware/",
            "/django_prometheus/",
            "/django/urls/",
            "/django/http/",
            "/django/contrib/messages/",
            "middleware",
        ),
    ),
    ("other Django and libraries", ("/site-packages/", "/django/")),
)
PORTAL = "the portal's views, selectors and helpers"
REST = "Python's standard library and the rest"


def frame_group(path: str, root: str) -> str:
    """The kind of work a frame of this file does (`root`: the project's folder)."""
    for name, patterns in GROUPS:
        if any(pattern in path for pattern in patterns):
            return name
    return PORTAL if path.startswith(root.rstrip("/") + "/") else REST


def self_times(frame) -> Iterator[tuple[str, str, str, int, float]]:
    """(file that decides the group, file, function, line, self seconds) of
    every frame of a pyinstrument tree with time of its own. A built-in or
    frozen frame (`getattr`, `socket.recv`, an import inside a function) is
    grouped with the nearest caller that has a real file."""
    stack = [(frame, "")]
    while stack:
        current, caller = stack.pop()
        path = current.file_path or ""
        owner = caller if path.startswith("<") or not path else path
        if not current.is_synthetic and current.total_self_time > 0:
            yield owner, path, current.function, current.line_no or 0, current.total_self_time
        stack.extend((child, owner) for child in current.children)


def summarize(frames: Iterable[tuple[str, str, str, int, float]], root: str, requests: int, top: int = 25) -> dict:
    """Milliseconds per request by group (heaviest first) and the `top`
    heaviest functions by self time, each with its group."""
    groups: dict[str, float] = defaultdict(float)
    functions: dict[tuple[str, str, int, str], float] = defaultdict(float)
    for owner, path, function, line, seconds in frames:
        group = frame_group(owner, root)
        groups[group] += seconds
        functions[(path, function, line, group)] += seconds
    per_request = 1000 / requests
    heaviest = sorted(functions.items(), key=lambda item: -item[1])[:top]
    return {
        "groups": [(name, seconds * per_request) for name, seconds in sorted(groups.items(), key=lambda g: -g[1])],
        "top": [
            (seconds * per_request, function, where(path, line, root), group)
            for (path, function, line, group), seconds in heaviest
        ],
    }


def where(path: str, line: int, root: str) -> str:
    """`file:line` from the project's folder or from site-packages (the
    library's own path); a built-in function has no file."""
    if path.startswith("<") or not path:
        return path or "?"
    return f"{short_path(path, root)}:{line}"


def short_path(path: str, root: str) -> str:
    """A file's path from the project's folder, site-packages or the standard
    library (`django/db/…`, `html/__init__.py`), else as it is."""
    if "/site-packages/" in path:
        return path.split("/site-packages/", 1)[1]
    if path.startswith(root.rstrip("/") + "/"):
        return path[len(root.rstrip("/")) + 1 :]
    stdlib = re.search(r"/lib/python3\.\d+/(.+)$", path)
    return stdlib.group(1) if stdlib else path
