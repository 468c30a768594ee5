"""No full ID number or phone where it does not belong: not on any member
page, download or PDF (members see their own numbers masked), not in the SMS
log, the audit trail or the log, and not in admin for staff without
`view_full_identity` (who may search by the full number but never see it)."""

import logging
import re
import runpy
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.forms.models import model_to_dict

from accounts.models import SmsLog
from accounts.tests.factories import StaffUserFactory
from conftest import log_in_staff
from inquiry import services as inquiry_services
from zzgjj_portal.models import AuditEvent, OutboxItem
from zzgjj_portal.tests.urlwalk import all_urls, member_urls
from zzgjj_portal.tests.walkdata import make_person, response_text

pytestmark = pytest.mark.django_db
NEW_PHONE = "13912340987"


@pytest.fixture
def person(settings):
    settings.SMS_BACKEND = "accounts.sms.LocmemBackend"
    return make_person("LK")


def _full_numbers(person) -> list[str]:
    return [person.member.id_number, person.member.phone, NEW_PHONE]


def _found(text: str, person) -> list[str]:
    return [number for number in _full_numbers(person) if number in text]


def _exercise(client, person):
    """What happens to a member in a day: a wrong and a right login, every
    page, download and print, an SMS code (forgot password), a phone change
    at the counter."""
    member = person.member
    captcha = {"captcha_0": "t", "captcha_1": "PASSED"}
    client.post("/", {"identifier": member.id_number, "password": "Wrong#2026a", **captcha})
    client.post("/", {"identifier": member.phone, "password": "Wrong#2026a", **captcha})
    client.post("/admin/login/", {"username": member.id_number, "password": "x", **captcha})
    client.post("/admin/login/", {"username": member.phone, "password": "x", **captcha})
    client.post("/", {"identifier": member.id_number, "password": "Secret#2026a", **captcha})
    texts = []
    for url in member_urls():
        for query in ({}, {"contract": person.markers[4]}, {"contract": person.markers[4], "format": "xlsx"}):
            client.force_login(person.user)
            response = client.get(url.path(), query)
            if response.status_code == HTTPStatus.OK:
                texts.append((f"{url.path()} {query}", response_text(response)))
    client.logout()
    client.post("/password/forgot/", {"name": member.name, "id_number": member.id_number, **captcha})
    client.post("/password/forgot/sms/", {"action": "send"})
    staff = StaffUserFactory()
    inquiry_services.member_phone_change(member=member, phone=NEW_PHONE, changed_by=staff)
    return texts


def test_no_member_page_download_or_pdf_holds_a_full_number(client, person):
    texts = _exercise(client, person)
    assert len(texts) >= 10
    leaks = [f"{where}: {_found(text, person)}" for where, text in texts if _found(text, person)]
    assert not leaks, "\n".join(leaks)
    # The pages did show the member's identity, masked.
    assert any(person.member.id_number[:6] + "********" in text for _, text in texts)


def test_no_sms_log_audit_row_outbox_item_or_log_line_holds_a_full_number(client, person, caplog, run_jobs):
    caplog.set_level(logging.DEBUG)
    _exercise(client, person)
    outbox_rows = [str(model_to_dict(row)) for row in OutboxItem.objects.all()]  # before delivery: sealed
    assert outbox_rows and run_jobs() >= 1
    assert SmsLog.objects.exists() and AuditEvent.objects.count() >= 5
    rows = outbox_rows + [str(model_to_dict(row)) for row in OutboxItem.objects.all()]
    rows += [str(model_to_dict(row)) for row in SmsLog.objects.all()]
    rows += [str(model_to_dict(row)) for row in AuditEvent.objects.all()]
    leaks = [row for row in rows if _found(row, person)]
    assert not leaks, "\n".join(leaks)
    assert not _found(caplog.text, person)


def test_no_json_log_line_holds_a_full_number_even_when_code_logs_one(client, person, json_log):
    """The JSON lines the log collector receives: every line of the day's
    requests, and a careless message and traceback quoting both numbers, which
    the scrub filter masks."""
    _exercise(client, person)
    careless = logging.getLogger("zzgjj_portal.tests.careless")
    careless.warning("member %s phone %s", person.member.id_number, person.member.phone)
    try:
        raise ValueError(f"no account for {person.member.id_number}")
    except ValueError:
        careless.exception("lookup failed for %s", person.member.phone)
    lines = json_log()
    assert len(lines) >= 3 and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    leaks = [line for line in lines if _found(str(line), person)]
    assert not leaks, leaks


def _staff_without_full_identity():
    user = StaffUserFactory(is_superuser=False)
    user.user_permissions.set(Permission.objects.exclude(codename="view_full_identity"))
    return user


def _admin_pages(client):
    """Every admin list, and the change page of each model's first row."""
    for url in all_urls():
        if not url.is_admin or url.is_public or not url.name:
            continue
        if url.name.endswith("_changelist"):
            yield url.path(), client.get(url.path())
        elif url.name.endswith("_change") and "object_id" in url.args:
            app_label, _, model_name = url.name.removesuffix("_change").partition("_")
            try:
                model = apps.get_model(app_label, model_name)
            except LookupError:
                continue
            for pk in model._default_manager.values_list("pk", flat=True)[:3]:
                path = url.path(object_id=pk)
                yield path, client.get(path)


def test_admin_without_the_permission_never_shows_a_full_number(client, person):
    _exercise(client, person)
    log_in_staff(client, _staff_without_full_identity())
    pages = list(_admin_pages(client))
    assert len(pages) >= 15
    leaks = [path for path, response in pages if _found(response.content.decode(), person)]
    assert not leaks, leaks
    assert all(response.status_code < 500 for _, response in pages)


def test_admin_with_the_permission_shows_the_full_number_on_the_member_page_only(client, person):
    user = _staff_without_full_identity()
    user.user_permissions.add(Permission.objects.get(codename="view_full_identity"))
    log_in_staff(client, user)
    html = client.get(f"/admin/inquiry/member/{person.member.pk}/change/").content.decode()
    assert person.member.id_number in html and person.member.phone in html
    assert not _found(client.get("/admin/inquiry/member/").content.decode(), person)


# Access logs: admin search is a GET with ?q=<ID number or phone>, and a page
# opened from its results sends that URL as its Referer.
LOGGED_ID_NUMBER, LOGGED_PHONE = "370481198203209171", "13912340987"
DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
NGINX_CONFIGS = [DEPLOY / "nginx-zzgjj.conf", DEPLOY.parent / "bench" / "nginx-two-nodes.conf"]
# nginx variables that hold the query string or a URL that may carry one.
NGINX_LEAKY = re.compile(r"\$(request|request_uri|args|query_string|is_args|arg_\w+|http_referer|request_body)\b")


def test_gunicorn_access_log_holds_no_query_string_or_referrer(tmp_path, monkeypatch):
    from gunicorn import glogging
    from gunicorn.config import Config

    monkeypatch.delenv("GUNICORN_ACCESSLOG", raising=False)
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    cfg = Config()
    cfg.set("access_log_format", config.get("access_log_format", cfg.access_log_format))
    cfg.set("accesslog", str(tmp_path / "access.log"))
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/admin/inquiry/member/?q={LOGGED_ID_NUMBER}",
        "PATH_INFO": "/admin/inquiry/member/",
        "QUERY_STRING": f"q={LOGGED_ID_NUMBER}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://gjj.zaozhuang.example/admin/inquiry/member/?q={LOGGED_PHONE}",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"]), ("USER-AGENT", "Mozilla/5.0")])
    response = SimpleNamespace(status="200 OK", sent=5120, headers=[("Content-Type", "text/html")])
    glogging.Logger(cfg).access(response, request, environ, timedelta(milliseconds=12))
    line = (tmp_path / "access.log").read_text()
    assert "GET /admin/inquiry/member/ HTTP/1.1" in line and " 200 " in line
    assert LOGGED_ID_NUMBER not in line and LOGGED_PHONE not in line, line


def _nginx_tree(text: str) -> list:
    """nginx configuration as nested [words, children-or-None] statements."""
    tokens = re.findall(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|#[^\n]*|[{};]|[^\s{};'\"#]+", text)
    root: list = []
    stack, words = [root], []
    for token in tokens:
        if token.startswith("#"):
            continue
        if token == ";":
            stack[-1].append([words, None])
            words = []
        elif token == "{":
            block: list = []
            stack[-1].append([words, block])
            stack.append(block)
            words = []
        elif token == "}":
            stack.pop()
        else:
            words.append(token)
    return root


def _nginx_walk(statements, parents=()):
    for words, children in statements:
        yield words, children, parents
        if children is not None:
            yield from _nginx_walk(children, (*parents, (words, children)))


@pytest.mark.parametrize("path", NGINX_CONFIGS, ids=lambda path: path.name)
def test_nginx_access_log_holds_no_query_string_or_referrer(path):
    tree = _nginx_tree(path.read_text())
    formats = {words[1]: " ".join(words[2:]) for words, _, _ in _nginx_walk(tree) if words[:1] == ["log_format"]}
    assert formats, f"{path.name}: no log_format of its own (nginx's `combined` logs $request)"
    for name, text in formats.items():
        assert "$uri" in text, name
        assert not NGINX_LEAKY.findall(text), f"{name}: {NGINX_LEAKY.findall(text)}"
    logs = [words for words, _, _ in _nginx_walk(tree) if words[:1] == ["access_log"]]
    assert logs
    for words in logs:
        # `access_log path` alone would use `combined`, which holds $request.
        assert words[1:] == ["off"] or (len(words) >= 3 and words[2] in formats), words
    # Every server logs with one of these (else it inherits the http block's
    # access_log of /etc/nginx/nginx.conf, which is `combined`).
    for words, children, parents in _nginx_walk(tree):
        if words == ["server"]:
            scopes = [children, *(block for _, block in parents)]
            assert any(any(w[:1] == ["access_log"] for w, _ in scope) for scope in scopes), path.name


def test_nginx_config_parser_sees_a_leaky_format():
    tree = _nginx_tree("log_format main '$remote_addr \"$request\" $status';\nserver { access_log /x.log; }")
    formats = [words for words, _, _ in _nginx_walk(tree) if words[:1] == ["log_format"]]
    assert NGINX_LEAKY.findall(" ".join(formats[0])) == ["request"]
