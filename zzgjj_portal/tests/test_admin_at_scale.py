"""The staff admin's big lists stay cheap at tens of millions of rows: every
query they run can be answered from an index, counts are bounded and nothing
draws a date hierarchy over a whole table. Checked on PostgreSQL's plans."""

from http import HTTPStatus
from io import StringIO

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import log_in_staff

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="query plans are PostgreSQL's"),
]
BIG_LISTS = ["inquiry.LedgerEntry", "inquiry.Repayment", "tasks.Message", "zzgjj_portal.AuditEvent", "accounts.SmsLog"]


@pytest.fixture
def staff_client(client):
    call_command("seed_scale", members=1, as_of="2026-10-31", sample=1, stdout=StringIO())
    member = (
        apps.get_model("inquiry", "Member")
        .objects.filter(loans__isnull=False, messages__isnull=False)
        .distinct()
        .first()
    )
    apps.get_model("zzgjj_portal", "AuditEvent").objects.create(kind="login_success", member=member)
    apps.get_model("accounts", "SmsLog").objects.create(
        created_at=timezone.now(), member=member, phone_masked="139****0000", purpose="register", backend="x", ok=True
    )
    log_in_staff(
        client, get_user_model().objects.create_superuser("scale-staff", password="Staff#2026pass", name="规模测试")
    )
    client.member = member
    return client


def search_terms(label: str, member) -> list[str]:
    if label == "inquiry.LedgerEntry":
        entry = apps.get_model("inquiry", "LedgerEntry").objects.filter(account__member=member).first()
        return [entry.serial_no, entry.account.account_no, member.id_number]
    if label == "inquiry.Repayment":
        return [member.loans.first().contract_no, member.id_number]
    return [member.id_number, member.phone]


def plan_of(sql: str, *, no_sort: bool = False) -> str:
    with connection.cursor() as cursor:
        # Tiny test tables make a sequential scan (and sorting them) cheapest;
        # forbid it to see whether an index can answer the query at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"SET LOCAL enable_sort = {'off' if no_sort else 'on'}")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def queries_on(table: str, captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if f'"{table}"' in q["sql"] and q["sql"].startswith("SELECT")]


@pytest.mark.parametrize("label", BIG_LISTS)
def test_admin_big_list_default_page_reads_newest_rows_by_primary_key(staff_client, label):
    model = apps.get_model(label)
    table = model._meta.db_table
    assert admin.site._registry[model].date_hierarchy is None
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert len(response.context["cl"].result_list) > 0
    sqls = queries_on(table, captured)
    assert sqls
    for sql in sqls:
        assert "COUNT(" not in sql or "LIMIT" in sql, sql  # never an unbounded count
        plan = plan_of(sql)
        assert f"Seq Scan on {table}" not in plan, plan
    page = next(sql for sql in sqls if "ORDER BY" in sql and "COUNT(" not in sql)
    plan = plan_of(page, no_sort=True)
    # Newest first straight off the primary key: no sort of the whole table.
    assert f"Index Scan Backward using {table}_pkey" in plan, plan
    assert "Sort" not in plan, plan


@pytest.mark.parametrize("label", BIG_LISTS)
def test_admin_big_list_searches_use_indexes(staff_client, label):
    model = apps.get_model(label)
    table = model._meta.db_table
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    for term in search_terms(label, staff_client.member):
        with CaptureQueriesContext(connection) as captured:
            response = staff_client.get(url, {"q": term})
        assert response.status_code == HTTPStatus.OK
        assert len(response.context["cl"].result_list) > 0, term
        for sql in queries_on(table, captured):
            assert "COUNT(" not in sql or "LIMIT" in sql, sql
            plan = plan_of(sql)
            assert "Seq Scan" not in plan, (term, plan)


def test_admin_big_list_search_finds_nothing_for_a_partial_number(staff_client):
    # Exact lookups only: a fragment would need a scan of the whole table.
    url = reverse("admin:inquiry_ledgerentry_changelist")
    response = staff_client.get(url, {"q": staff_client.member.id_number[:10]})
    assert response.status_code == HTTPStatus.OK
    assert list(response.context["cl"].result_list) == []
