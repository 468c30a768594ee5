"""Every URL pattern of the project, read from the URLconf (not a hand list),
with a sample path for each, so that checks over "every URL" cover a URL
added tomorrow without anyone editing them."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Sample values for URL arguments by converter / group name: an id that
# exists in the test data is substituted by the caller (`fill`).
SAMPLE_BY_NAME = {"key": "abc123", "url": "x", "content_type_id": "1", "object_id": "1"}
ROUTE_ARG = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()]|\([^()]*\))*)\)")


@dataclass(frozen=True)
class Url:
    route: str  # the pattern as written, e.g. "admin/inquiry/member/<path:object_id>/change/"
    name: str | None
    namespace: str | None
    callback: object
    args: tuple[str, ...]  # names of the path arguments

    @property
    def is_admin(self) -> bool:
        return self.namespace == "admin"

    @property
    def is_public(self) -> bool:
        """Marked login_not_required (LoginRequiredMiddleware guards the rest)."""
        return getattr(self.callback, "login_required", True) is False

    def path(self, **values) -> str:
        """A concrete path: arguments from `values`, else a sample."""

        def route_arg(match):
            name = match["name"]
            return str(values.get(name, SAMPLE_BY_NAME.get(name, "1")))

        def regex_group(match):
            name, body = match["name"], match["body"]
            if name in values:
                return str(values[name])
            if "|" in body and "\\" not in body:
                return body.split("|")[0]  # e.g. the admin's app_label alternatives
            return SAMPLE_BY_NAME.get(name, "1")

        text = REGEX_GROUP.sub(regex_group, self.route)
        text = ROUTE_ARG.sub(route_arg, text)
        text = text.replace("^", "").replace("$", "").replace("\\.", ".")
        return "/" + text


def _args(route: str) -> tuple[str, ...]:
    groups = tuple(m["name"] for m in REGEX_GROUP.finditer(route))
    return groups + tuple(m["name"] for m in ROUTE_ARG.finditer(REGEX_GROUP.sub("", route)))


def all_urls() -> list[Url]:
    """Every URL pattern (admin included), depth first, in URLconf order."""
    found: list[Url] = []

    def walk(patterns, prefix: str, namespace: str | None):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route, entry.namespace or namespace)
            elif isinstance(entry, URLPattern):
                found.append(Url(route, entry.name, namespace, entry.callback, _args(route)))

    walk(get_resolver().url_patterns, "", None)
    return found


def member_urls() -> list[Url]:
    """The member's URLs: not admin, not public (captcha images are public)."""
    return [url for url in all_urls() if not url.is_admin and not url.is_public]
