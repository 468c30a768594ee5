"""导入批次 in admin (read-only, any search answered) and the command and
job around books_import."""

from datetime import date
from http import HTTPStatus

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from inquiry.jobs import books_import_job
from inquiry.models import FundAccount, ImportReject, ImportRun
from inquiry.tests import batches as b
from inquiry.tests.test_books_import import applied, base_tables

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs(tmp_path, settings):
    settings.INQUIRY_IMPORT_REJECT_THRESHOLD = 0.5
    applied(b.batch(tmp_path, 1, "full", **base_tables()))
    return applied(b.batch(tmp_path, 2, GRMX=[b.posting("GX", "S9", date(2024, 5, 1), "1.00")], DWXX=[b.employer()]))


def test_books_import_admin_lists_runs_and_their_rejects_read_only(staff_client, runs):
    listing = staff_client.get(reverse("admin:inquiry_importrun_changelist"))
    assert listing.status_code == HTTPStatus.OK
    page = staff_client.get(reverse("admin:inquiry_importrun_change", args=[runs.pk])).content.decode()
    assert "查看1条拒绝行" in page and 'name="_save"' not in page
    rejects = staff_client.get(reverse("admin:inquiry_importreject_changelist") + f"?run__id__exact={runs.pk}")
    assert "个人账号不存在" in rejects.content.decode()
    reject = ImportReject.objects.get()
    assert staff_client.post(reverse("admin:inquiry_importreject_delete", args=[reject.pk])).status_code == 403
    assert staff_client.get(reverse("admin:inquiry_importrun_add")).status_code == 403


def test_books_import_admin_names_a_refused_run_as_refused(staff_client, tmp_path):
    applied(b.batch(tmp_path, 1, "full", **base_tables()))
    # Its one row names an account that does not exist: over the threshold, refused whole.
    refused = books_import_refused(b.batch(tmp_path, 2, GRMX=[b.posting("GX", "S9", date(2024, 5, 1), "1.00")]))
    rejects = staff_client.get(reverse("admin:inquiry_importreject_changelist")).content.decode()
    assert "批次2(已拒绝)" in rejects
    page = staff_client.get(reverse("admin:inquiry_importrun_change", args=[refused.pk])).content.decode()
    assert "批次2(已拒绝)" in page


def books_import_refused(folder):
    from inquiry.interchange.importing import books_import

    run = books_import(folder=folder)
    assert run.status == ImportRun.Status.REFUSED and run.rows_rejected == 1
    return run


@pytest.mark.parametrize("query", ["abc", "2", "\x00", "9" * 40, "'; drop"])
def test_books_import_admin_search_never_fails(staff_client, runs, query):
    for name in ("importrun", "importreject"):
        response = staff_client.get(reverse(f"admin:inquiry_{name}_changelist"), {"q": query})
        # A NUL is refused by the project's middleware as a bad request, never a 500.
        expected = HTTPStatus.BAD_REQUEST if "\x00" in query else HTTPStatus.OK
        assert response.status_code == expected, (name, query)


def test_books_import_admin_finds_flagged_accounts(staff_client, runs, tmp_path):
    applied(b.batch(tmp_path, 3, GRZHXX=[b.account("G1", "5.00")]))
    page = staff_client.get(reverse("admin:inquiry_fundaccount_changelist"), {"discrepancy": "yes"}).content.decode()
    assert "GRZHYE 5.00" in page and "G2" not in page


def test_books_import_command_reports_rows_per_second_and_fails_on_refusal(tmp_path, capsys):
    folder = b.batch(tmp_path, 1, "full", **base_tables())
    call_command("books_import", str(folder))
    out = capsys.readouterr().out
    assert "批次1(全量)已导入: 16行, 拒绝0行, 变动职工2人" in out and "行/秒" in out
    with pytest.raises(CommandError, match="批次1已导入,不重复导入"):
        call_command("books_import", str(folder), verbosity=0)


def test_books_import_job_applies_a_batch_and_is_idempotent(tmp_path):
    folder = b.batch(tmp_path, 1, "full", **base_tables())
    assert books_import_job.delay(str(folder)).get() == ImportRun.Status.APPLIED
    assert books_import_job.delay(str(folder)).get() == ImportRun.Status.REFUSED
    assert FundAccount.objects.count() == 2
