"""Which views the page cache keeps, and what they read: every table a
cached page reads while rendering must raise the member's data version
(inquiry/versioning.py), or the cache would serve a page that no longer
says what the database says. Found by rendering each cached page for a
member with data and reading the table names from its SQL, so a page that
starts reading a new table tomorrow fails here until the table is declared."""

import re
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inquiry import versioning
from inquiry.views import LedgerView, RepaymentPlanPrintView, RepaymentPlanView
from tasks.services import applications as application_services
from zzgjj_portal.frame import MemberPageMixin
from zzgjj_portal.tests.urlwalk import member_urls
from zzgjj_portal.tests.walkdata import make_person

# Tables a cached page may read that are not the member's data, and why.
NOT_MEMBER_DATA = {
    # The login itself: the session is read before the page, and the key holds the user.
    "django_session",
    # The logged-in user and its sound setting: both are in the key (pagecache.page_key).
    "accounts_user",
}
QUERIES = [{}, {"format": "xlsx"}]
TABLE = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)


def cached_urls():
    return [url for url in member_urls() if getattr(getattr(url.callback, "view_class", None), "page_cache", False)]


def versioned_tables() -> set[str]:
    declared = {table for tables in versioning.declared_tables().values() for table in tables}
    return declared | {versioning.MEMBER_TABLE}


def tables_read(client, path: str, query: dict) -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, query)
    assert response.status_code == 200, (path, query, response)
    return {table for q in queries.captured_queries for table in TABLE.findall(q["sql"])}


def unversioned_reads(client) -> dict[str, set[str]]:
    """{path: tables it reads that neither raise the data version nor are exempt}."""
    allowed = versioned_tables() | NOT_MEMBER_DATA
    found = {}
    for url in cached_urls():
        read = set().union(*(tables_read(client, url.path(), query) for query in QUERIES))
        if read - allowed:
            found[url.path()] = read - allowed
    return found


@pytest.fixture
def member_client(client, settings, db):
    """A member with everything a page can show: account, ledger, a running
    loan with progress and repayments, messages read and unread, an application."""
    from tasks.tests.conftest import BANK_ACCOUNT, deposit_months

    settings.PAGE_CACHE_SECONDS = 0  # every view renders: its queries are what we read
    person = make_person("TB")
    account = person.member.fund_account
    account.bank_account_no = BANK_ACCOUNT
    account.save(update_fields=["bank_account_no"])
    deposit_months(account, 12)
    application_services.withdrawal_submit(
        member=person.member, withdrawal_kind="rent", amount=Decimal("1000.00"), form_token=uuid.uuid4()
    )
    message = person.member.messages.first()
    message.read_at = message.sent_at
    message.save()
    client.force_login(person.user)
    return client


def test_the_cached_pages_are_the_read_only_member_pages():
    names = {url.name for url in cached_urls()}
    assert {"home", "basic_info", "ledger", "loan_info", "plan", "messages_unread", "applications"} <= names
    # Forms, prints and actions are never cached.
    assert not names & {"plan_print", "withdrawal_apply", "loan_apply", "password_change", "message_detail"}


def test_every_table_a_cached_page_reads_raises_the_data_version(member_client):
    assert unversioned_reads(member_client) == {}


def test_a_cached_page_reading_an_undeclared_table_is_found(member_client, monkeypatch):
    # The same walk, with the ledger's table left out of the records' declaration.
    monkeypatch.delitem(versioning.VERSIONED_TABLES, "inquiry_ledgerentry")
    found = unversioned_reads(member_client)
    assert found and all(tables == {"inquiry_ledgerentry"} for tables in found.values())
    assert "/ledger/" in found


def test_page_cache_is_opt_in_per_view_and_not_inherited():
    class LedgerVariant(LedgerView):
        template_name = "inquiry/ledger_list.html"

    assert MemberPageMixin.page_cache is False
    assert LedgerView.page_cache is True and RepaymentPlanView.page_cache is True
    # A subclass of a cached page says so itself, or it is not cached.
    assert LedgerVariant.page_cache is False
    assert RepaymentPlanPrintView.page_cache is False
