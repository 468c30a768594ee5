"""What a screen reader needs from every page's HTML (GB/T 37668-2019, WCAG 2.1 AA),
read with the test client: the page's language and a title that says where the member
is, a skip link to <main>, tables with captions and header scopes, a label for every
field, and every error tied to its field and announced."""

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from http import HTTPStatus
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from inquiry.demo import DEMO_ID_NUMBER, UNREGISTERED_ID_NUMBER, UNREGISTERED_NAME
from inquiry.models import LoanContract, Member
from tasks.models import Message
from tasks.services.applications import withdrawal_submit

pytestmark = pytest.mark.django_db

SITE = "枣庄市住房公积金管理中心 缴存职工个人网上服务大厅"
SKIP_LINK = "跳到主要内容"
# Inputs a person never fills in or that name themselves (a button's words are its name).
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


@dataclass
class Page:
    """What the checks need from one page, gathered in one pass of html.parser."""

    lang: str | None = None
    title: str = ""
    ids: set = field(default_factory=set)
    labelled: set = field(default_factory=set)  # ids named by a <label for>
    described: set = field(default_factory=set)  # ids named by an aria-describedby
    first_focusable: dict | None = None
    main_id: str | None = None
    fields: list = field(default_factory=list)  # (tag, attrs, inside a <label>)
    tables: list = field(default_factory=list)  # [has caption, th attrs…]
    errors: list = field(default_factory=list)  # attrs of .field__error elements
    summaries: list = field(default_factory=list)  # attrs of .form-errors elements


class Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[str] = []
        self.in_title = False
        self.in_label = 0
        self.fieldsets: list[bool] = []  # each open <fieldset>: does it name an error?
        self.pending_skip: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {name: value or "" for name, value in attrs}
        page = self.page
        classes = a.get("class", "").split()
        if tag == "html":
            page.lang = a.get("lang")
        if "id" in a:
            page.ids.add(a["id"])
        page.described.update(a.get("aria-describedby", "").split())
        if tag == "title" and "svg" not in self.stack:
            # The page's own title; a chart's <svg><title> names the chart.
            self.in_title = True
        elif tag == "label":
            self.in_label += 1
            if a.get("for"):
                page.labelled.add(a["for"])
        elif tag == "fieldset":
            self.fieldsets.append(bool(a.get("aria-describedby")))
        elif tag == "main":
            page.main_id = a.get("id", "")
        elif tag == "table":
            page.tables.append([False])
        elif tag == "caption" and page.tables:
            page.tables[-1][0] = True
        elif tag == "th" and page.tables:
            page.tables[-1].append(a)
        if tag in {"input", "select", "textarea"} and a.get("type") not in UNLABELLED_TYPES:
            # A radio button's error is named by its group's <fieldset>.
            if any(self.fieldsets) and not a.get("aria-describedby"):
                a = {**a, "aria-describedby": "(its fieldset's)"}
            page.fields.append((tag, a, self.in_label > 0))
        if "field__error" in classes:
            page.errors.append(a)
        if "form-errors" in classes:
            page.summaries.append(a)
        focusable = (tag == "a" and "href" in a) or tag in {"button", "select", "textarea"}
        focusable = focusable or (tag == "input" and a.get("type") != "hidden") or a.get("tabindex") == "0"
        if focusable and page.first_focusable is None:
            page.first_focusable = {"tag": tag, **a, "text": ""}
            self.pending_skip = page.first_focusable
        if tag not in {"input", "img", "br", "meta", "link", "hr"}:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif tag == "label":
            self.in_label -= 1
        elif tag == "fieldset" and self.fieldsets:
            self.fieldsets.pop()
        elif tag == "a":
            self.pending_skip = None
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data):
        if self.in_title:
            self.page.title += data
        if self.pending_skip is not None:
            self.pending_skip["text"] += data


def read(html: str) -> Page:
    reader = Reader()
    reader.feed(html)
    return reader.page


def problems_of(html: str) -> list[str]:
    page = read(html)
    problems = []
    if page.lang != "zh-CN":
        problems.append(f'<html lang="{page.lang}">')
    title = " ".join(page.title.split())
    if not title.endswith(SITE) or not title[: -len(SITE)].strip(" -"):
        problems.append(f"title {title!r} does not say where the member is")
    skip = page.first_focusable or {}
    if skip.get("tag") != "a" or skip.get("text", "").strip() != SKIP_LINK:
        problems.append(f"first focusable is not the skip link: {skip}")
    elif not page.main_id or skip.get("href") != f"#{page.main_id}":
        problems.append(f"skip link {skip.get('href')} does not lead to <main id={page.main_id!r}>")
    for number, (caption, *heads) in enumerate(page.tables, 1):
        if not caption:
            problems.append(f"table {number} has no <caption>")
        for th in heads:
            if th.get("scope") not in {"col", "row", "colgroup", "rowgroup"}:
                problems.append(f"table {number}: a <th> without scope {th}")
    for tag, attrs, wrapped in page.fields:
        named = wrapped or attrs.get("id") in page.labelled or attrs.get("aria-label") or attrs.get("aria-labelledby")
        if not named:
            problems.append(f"<{tag} name={attrs.get('name')!r}> has no label")
        if attrs.get("aria-invalid") == "true" and not attrs.get("aria-describedby"):
            problems.append(f"<{tag} name={attrs.get('name')!r}> is invalid but names no error")
    for error in page.errors:
        if error.get("id") not in page.described:
            problems.append(f"error {error.get('id')!r} is not named by its field's aria-describedby")
        if error.get("role") != "alert":
            problems.append(f"error {error.get('id')!r} is not announced (role=alert)")
    for summary in page.summaries:
        if summary.get("role") != "alert":
            problems.append("an error summary is not announced (role=alert)")
    for name in sorted(page.described - page.ids):
        problems.append(f"aria-describedby names {name!r}, which is not on the page")
    return problems


def test_checks_find_what_a_page_lacks():
    bare = (
        '<html lang="en"><head><title>' + SITE + "</title></head><body><a href='/'>首页</a><main>"
        '<table><tr><th>x</th></tr></table><input name="q" aria-invalid="true">'
        '<p class="field__error" id="id_q_error">错</p><div class="form-errors">错</div>'
        '<select aria-describedby="nowhere"></select></main></body></html>'
    )
    found = "\n".join(problems_of(bare))
    for expected in [
        '<html lang="en">',
        "does not say where",
        "not the skip link",
        "has no <caption>",
        "without scope",
        "<input name='q'> has no label",
        "is invalid but names no error",
        "'id_q_error' is not named",
        "'id_q_error' is not announced",
        "summary is not announced",
        "'nowhere', which is not on the page",
    ]:
        assert expected in found


@pytest.fixture
def walk_data(transactional_db):
    # The demo books come in through the import, which commits as it goes.
    call_command("seed_demo", as_of="2026-10-31", members=2)
    member = Member.objects.get(id_number=DEMO_ID_NUMBER)
    application = withdrawal_submit(
        member=member, withdrawal_kind="rent", amount=Decimal("3000.00"), form_token=uuid.uuid4()
    ).application
    running = LoanContract.objects.get(member=member, status=LoanContract.Status.ACTIVE)
    return member, running, application


def test_every_page_is_structured_for_screen_readers(walk_data):
    member, running, application = walk_data
    loan = f"?contract={running.contract_no}"
    message = Message.objects.filter(member=member).order_by("pk").first()
    unregistered = {"name": UNREGISTERED_NAME, "id_number": UNREGISTERED_ID_NUMBER}
    visitor, signed_in = Client(), Client()
    signed_in.force_login(member.user)
    # (client, method, path, data, a page of its own: its title must be its own)
    pages = [
        (visitor, "get", "/", None, True),
        (visitor, "post", "/", {"identifier": "", "password": ""}, False),
        (visitor, "get", "/register/", None, True),
        (visitor, "post", "/register/", {"name": "", "id_number": "1"}, False),
        (visitor, "post", "/register/", {**unregistered, "captcha_0": "x", "captcha_1": "PASSED"}, False),
        (visitor, "get", "/register/sms/", None, True),
        (visitor, "post", "/register/sms/", {"action": "verify", "code": "1"}, False),
        (visitor, "get", "/password/forgot/", None, True),
        (visitor, "get", "/verify/", None, True),
        (visitor, "post", "/verify/", {"code": "x"}, False),
        (visitor, "get", "/no-such-page/", None, True),
        (signed_in, "get", "/home/", None, True),
        (signed_in, "get", "/info/", None, True),
        (signed_in, "get", "/ledger/", None, True),
        (signed_in, "get", "/ledger/?start=2026-13-01&end=x", None, False),
        (signed_in, "get", "/certificates/", None, True),
        (signed_in, "get", "/loans/progress/" + loan, None, True),
        (signed_in, "get", "/loans/info/" + loan, None, True),
        (signed_in, "get", "/loans/repayments/" + loan, None, True),
        (signed_in, "get", "/loans/plan/" + loan, None, True),
        (signed_in, "get", "/loans/prepay/" + loan, None, True),
        (signed_in, "get", "/loans/prepay/" + loan + "&mode=shorten&amount=-1", None, False),
        (signed_in, "get", "/messages/", None, True),
        (signed_in, "get", "/messages/read/", None, True),
        (signed_in, "get", f"/messages/{message.pk}/", None, True),
        (signed_in, "get", f"/messages/{message.pk}/delete/", None, True),
        (signed_in, "get", "/password/change/", None, True),
        (signed_in, "post", "/password/change/", {"old_password": "x"}, False),
        (signed_in, "get", "/applications/", None, True),
        (signed_in, "get", f"/applications/{application.pk}/", None, True),
        (signed_in, "get", f"/applications/{application.pk}/withdraw/", None, True),
        (signed_in, "get", "/applications/withdrawal/", None, True),
        (signed_in, "post", "/applications/withdrawal/", {"form_token": str(uuid.uuid4())}, False),
        (signed_in, "get", "/applications/loan/", None, True),
        (signed_in, "post", "/applications/loan/", {"form_token": str(uuid.uuid4()), "action": "submit"}, False),
        (signed_in, "post", "/applications/loan/", {"form_token": str(uuid.uuid4()), "action": "trial"}, False),
        (signed_in, "get", "/logout/", None, True),
    ]
    problems, titles = [], {}
    for client, method, path, data, own_title in pages:
        response = getattr(client, method)(path, data) if data is not None else client.get(path)
        where = f"{method.upper()} {path}"
        if response.status_code == HTTPStatus.FOUND:
            continue  # a step passed: the next page is visited next
        assert response.status_code in {HTTPStatus.OK, HTTPStatus.NOT_FOUND}, f"{where}: {response.status_code}"
        html = response.content.decode()
        problems += [f"{where}: {problem}" for problem in problems_of(html)]
        if own_title:
            titles.setdefault(" ".join(read(html).title.split()), []).append(where)
    problems += [f"one title {title!r} for {', '.join(wheres)}" for title, wheres in titles.items() if len(wheres) > 1]
    assert not problems, "\n".join(problems)


SNAPSHOTS = Path(__file__).parent / "snapshots"


def test_every_stored_page_state_is_structured_for_screen_readers():
    # The page snapshots hold every page in every state the snapshot test renders (each
    # refusal and invalid form, every error page); that test keeps them equal to what the
    # portal renders, so the same checks over them reach the states the walk above does not.
    files = [path for path in sorted(SNAPSHOTS.rglob("*.html")) if "print" not in path.name]
    assert len(files) > 100
    problems = []
    for path in files:
        problems += [f"{path.relative_to(SNAPSHOTS)}: {problem}" for problem in problems_of(path.read_text())]
    assert not problems, "\n".join(problems)
