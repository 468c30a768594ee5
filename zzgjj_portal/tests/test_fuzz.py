"""Hostile input everywhere a person can type (hypothesis): every form on
every member and public page (found by reading the pages the URL walk
lists), the query strings of member pages, admin search and filter
parameters of every changelist, admin autocomplete, and the JSON endpoints
in JSON_ENDPOINTS. No answer is a 500, and nothing typed comes back
unescaped."""

import json
from html.parser import HTMLParser
from http import HTTPStatus
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import StaffUserFactory
from conftest import log_in_staff
from zzgjj_portal.tests.urlwalk import all_urls
from zzgjj_portal.tests.walkdata import make_person

pytestmark = [
    pytest.mark.django_db,
    # Fuzzed date filters reach naive datetimes; Django warns, answers, and that is all.
    pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime"),
]

# Push and other machine endpoints taking JSON: one line each.
JSON_ENDPOINTS = [
    "/api/messages/",
]
# A tag no page contains: seen unescaped, something echoed raw HTML.
MARK = "zz-fuzz"
HOSTILE = [
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m\x7f",
    "\u202e\u200b\ufeff",
    "' OR 1=1 --",
    '"; DROP TABLE inquiry_member; --',
    f"<{MARK}>x</{MARK}>",
    f'"><{MARK} onmouseover=alert(1)>',
    f"'><{MARK}>",
    "{{ 7|add:7 }}{% debug %}",
    "x" * 10_000,
    "9" * 40,
    "-99999999999999999999",
    "1e309",
    "NaN",
    "99999-99-99",
    "2026-02-30",
    "0000-00-00",
    "9999999999-01-01",
    "../../../../etc/passwd",
    "%00%ff",
    "１２３４５６",
    "",
    " ",
]
VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(str),
)
FUZZ = settings(
    max_examples=12,
    deadline=None,
    database=None,
    # No shrinking: each example is a few requests, and shrinking a failure
    # would take minutes; the failing input is reported as drawn.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class FormReader(HTMLParser):
    """The forms of a page: (method, action, field names)."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, str, list[str]]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(((attrs.get("method") or "get").lower(), attrs.get("action") or "", []))
        elif tag in ("input", "select", "textarea", "button") and self.forms and attrs.get("name"):
            if attrs["name"] != "csrfmiddlewaretoken":
                self.forms[-1][2].append(attrs["name"])
        elif tag == "a" and attrs.get("href", "").startswith("?"):
            self.links.append(attrs["href"])


def read(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader


def assert_safe(response, where: str) -> None:
    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, f"{where}: {response.status_code}"
    if "html" in response.headers.get("Content-Type", ""):
        assert f"<{MARK}" not in response.content.decode("utf-8", "replace"), f"{where}: unescaped echo"


@pytest.fixture
def person(settings):
    settings.ACCOUNTS_CAPTCHA_PER_IP_PER_MINUTE = 100_000
    settings.SMS_BACKEND = "accounts.sms.LocmemBackend"
    return make_person("FZ")


PAGE_URLS = [u for u in all_urls() if not u.is_admin and not u.args]


@pytest.mark.parametrize("url", PAGE_URLS, ids=lambda u: u.route or "/")
def test_every_form_and_query_of_member_and_public_pages_survives_hostile_input(client, person, url):
    def log_in():
        if not url.is_public:
            client.force_login(person.user)

    log_in()
    page = client.get(url.path(), {"contract": person.markers[4]})
    forms = read(page.content.decode("utf-8", "replace")).forms if page.status_code == HTTPStatus.OK else []
    # Forms that end the session are exercised elsewhere; fuzzing them ends the walk.
    forms = [f for f in forms if "logout" not in f[1]]
    query_names = ["contract", "start", "end", "format", "page", "next"]

    @FUZZ
    @given(data=st.data())
    def run(data):
        log_in()
        query = {name: data.draw(VALUES) for name in query_names}
        assert_safe(client.get(url.path(), query), f"GET {url.path()} {query!r:.200}")
        for method, action, names in forms:
            target = urljoin(url.path(), action) if action else url.path()
            values = {name: data.draw(VALUES) for name in names}
            values.setdefault("captcha_0", "t")
            log_in()
            response = client.post(target, values) if method == "post" else client.get(target, values)
            assert_safe(response, f"{method.upper()} {target} {values!r:.200}")

    run()


CHANGELISTS = [u for u in all_urls() if u.is_admin and (u.name or "").endswith("_changelist")]


@pytest.mark.parametrize("url", CHANGELISTS, ids=lambda u: u.name)
def test_admin_search_and_filters_survive_hostile_input(client, person, url):
    log_in_staff(client, StaffUserFactory())
    page = client.get(url.path())
    assert page.status_code == HTTPStatus.OK
    # The parameters this changelist understands: search, sort, page, and every
    # filter and date-hierarchy link it offers.
    names = {"q", "o", "p", "_to_field"}
    for link in read(page.content.decode()).links:
        names |= {key for key, _ in parse_qsl(urlsplit(link).query, keep_blank_values=True)}

    @FUZZ
    @given(data=st.data())
    def run(data):
        for name in sorted(names):
            query = {name: data.draw(VALUES)}
            assert_safe(client.get(url.path(), query), f"GET {url.path()} {query!r:.200}")

    run()


def test_admin_autocomplete_survives_hostile_terms(client, person):
    log_in_staff(client, StaffUserFactory())

    @FUZZ
    @given(term=VALUES, model=st.sampled_from(["message", "member", "x\x00"]))
    def run(term, model):
        query = {"term": term, "app_label": "tasks", "model_name": model, "field_name": "member"}
        response = client.get("/admin/autocomplete/", query)
        assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, query

    run()


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


@pytest.mark.parametrize("path", JSON_ENDPOINTS)
def test_json_endpoints_survive_hostile_bodies(client, person, path):
    if not _resolves(path):
        pytest.skip(f"{path} is not in the URLconf yet")

    @FUZZ
    @given(
        body=st.one_of(
            st.dictionaries(st.sampled_from(["id_number", "member", "business", "content", "channel"]), VALUES),
            VALUES.map(lambda v: {"content": v}),
        ),
        raw=st.booleans(),
        token=st.sampled_from(["", "Bearer x", "Bearer " + "x" * 5000, "Basic \x00"]),
    )
    def run(body, raw, token):
        payload = json.dumps(body)[:-1] if raw else json.dumps(body)  # raw: broken JSON
        headers = {"HTTP_AUTHORIZATION": token} if token else {}
        response = client.post(path, payload, content_type="application/json", **headers)
        assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, (body, raw, token)

    run()
