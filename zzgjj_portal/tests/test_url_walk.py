"""A walk over every URL pattern of the URLconf (zzgjj_portal.tests.urlwalk):
only the public pages answer without a login, nothing of member B reaches
member A (read or changed), and members never enter admin. A new URL is
walked without editing this file; a new public URL must be added to
PUBLIC below on purpose."""

from http import HTTPStatus

import pytest
from django.test import Client

from zzgjj_portal.tests.urlwalk import all_urls, member_urls
from zzgjj_portal.tests.walkdata import make_person, owned_pks, owned_rows, response_text

pytestmark = pytest.mark.django_db

# The only URLs anyone may open without logging in.
PUBLIC = {
    "admin:login",
    "accounts:login",
    "accounts:register",
    "accounts:register_sms",
    "accounts:register_password",
    "accounts:register_done",
    "accounts:password_forgot",
    "accounts:password_forgot_sms",
    "accounts:password_forgot_new",
    "accounts:password_forgot_done",
    # 长辈模式's switch (POST, CSRF): visitors choose it on the login page; it writes
    # only their own cookie (and a logged-in member's own choice).
    "accounts:elder_mode",
    "captcha-image",
    "captcha-image-2x",
    "captcha-audio",
    "captcha-refresh",
    # The machine endpoints authenticate each request by its channel token, not
    # a session (tasks/tests/test_push_api.py, test_api_*.py), and their
    # OpenAPI document is public.
    "api:message_push",
    "api:core_outbox",
    "api:core_outbox_ack",
    "api:openapi-json",
    "api:api-root",  # a redirect to the document
    # 证明核验: whoever received a certificate checks it by its 核验码, without an
    # account here (per-IP limits: inquiry/tests/test_verify.py).
    "inquiry:verify",
    "inquiry:verify_upload",
    # Browsers ask for the site icon before anyone logs in (a redirect to the static file).
    "favicon",
    # Probes for the load balancer and monitoring: status only, details and
    # metrics for operators' addresses (zzgjj_portal/tests/test_health.py, test_metrics.py).
    "healthz",
    "readyz",
    "metrics",
}
# Query strings a member page may read, filled with member B's identifiers.
QUERIES = [{}, {"format": "xlsx"}, {"page": "2"}]


def _qualified(url) -> str:
    return f"{url.namespace}:{url.name}" if url.namespace else str(url.name)


def test_walk_finds_the_member_and_admin_urls():
    names = {_qualified(url) for url in all_urls()}
    assert {"tasks:home", "inquiry:ledger", "admin:index", "accounts:login"} <= names
    assert len(member_urls()) >= 10


def test_only_the_listed_urls_are_public():
    public = {_qualified(url) for url in all_urls() if url.is_public}
    assert public <= PUBLIC, f"new public URL(s), add to PUBLIC only on purpose: {public - PUBLIC}"


@pytest.mark.parametrize("url", [u for u in all_urls() if not u.is_public], ids=lambda u: u.route)
def test_anonymous_visitor_is_sent_to_a_login(client, url):
    for method in (client.get, client.post):
        response = method(url.path())
        assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.NOT_FOUND), url.route
        if response.status_code == HTTPStatus.FOUND:
            login = "/admin/login/" if url.is_admin else "/?next="
            assert response.url.startswith(login), (url.route, response.url)


@pytest.fixture
def people():
    return make_person("AA"), make_person("BB")


def test_member_a_never_reads_or_changes_anything_of_member_b(client, people):
    a, b = people
    before = owned_rows(b.member)
    b_pks = sorted(owned_pks(b.member))
    b_contract = b.markers[4]
    problems = []
    for url in member_urls():
        arg_values = [{name: pk for name in url.args} for pk in b_pks] if url.args else [{}]
        for values in arg_values:
            path = url.path(**values)
            for query in QUERIES:
                for extra in ({}, {"contract": b_contract}):
                    for method in ("get", "post"):
                        client.force_login(a.user)  # a logout URL must not end the walk
                        data = {**query, **extra, **{k: v for k, v in values.items()}}
                        response = getattr(client, method)(path, data)
                        text = response_text(response)
                        # What A typed may be echoed (a query kept in links); B's records may not.
                        leaked = [m for m in b.markers if m in text and m not in str(data)]
                        if leaked or response.status_code >= 500:
                            problems.append(f"{method.upper()} {path} {data}: {response.status_code} {leaked}")
    assert not problems, "\n".join(problems)
    assert owned_rows(b.member) == before, "member A changed member B's rows"


def test_member_a_sees_their_own_data_on_the_walk(client, people):
    # The walk above could pass by showing nothing at all: A does see A's records.
    a, _ = people
    client.force_login(a.user)
    seen = "".join(response_text(client.get(url.path())) for url in member_urls() if not url.args)
    assert a.member.name in seen and a.markers[3] in seen  # name and account number


@pytest.mark.parametrize("url", [u for u in all_urls() if u.is_admin and not u.is_public], ids=lambda u: u.route)
def test_members_never_enter_admin(url, people):
    a, b = people
    client = Client()
    client.force_login(a.user)
    for method in (client.get, client.post):
        client.force_login(a.user)
        response = method(url.path(object_id=b.member.pk, id=b.user.pk))
        assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.NOT_FOUND), url.route
        if response.status_code == HTTPStatus.FOUND and url.name != "logout":  # admin's logout only logs out
            assert response.url.startswith("/admin/login/")
        assert "_auth_user_id" not in client.session or client.get("/admin/").status_code == HTTPStatus.FOUND
