"""The scheduled import: the next batches of the inbox, in number order."""

from datetime import date

import pytest

from inquiry.jobs import books_inbox_import_job
from inquiry.models import FundAccount, ImportRun, LedgerEntry
from inquiry.tests import batches as b

pytestmark = pytest.mark.django_db


def _first(folder):
    return b.batch(
        folder,
        1,
        "full",
        DWXX=[b.employer()],
        GRXX=[b.person("GR001", 1)],
        GRZHXX=[b.account("GR001", "600.00")],
        GRMX=[b.posting("GR001", "S1", date(2026, 1, 5), "600.00")],
    )


def _second(folder):
    return b.batch(
        folder,
        2,
        GRZHXX=[b.account("GR001", "1200.00")],
        GRMX=[b.posting("GR001", "S2", date(2026, 2, 5), "600.00")],
    )


def test_inbox_imports_pending_batches_in_number_order_once(tmp_path, settings):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    # Written second first: the manifest's number decides the order.
    _second(inbox)
    _first(inbox)
    (inbox / "c-still-copying").mkdir()  # no manifest yet: waits for a later run
    settings.INQUIRY_IMPORT_INBOX = str(inbox)

    assert books_inbox_import_job() == ["applied", "applied"]
    assert FundAccount.objects.get(account_no="GR001").balance == 1200
    assert LedgerEntry.objects.count() == 2

    # Done batches are not run again (no new run rows), nothing changes.
    assert books_inbox_import_job() == []
    assert ImportRun.objects.count() == 2


def test_inbox_stops_at_a_gap_until_the_missing_batch_arrives(tmp_path, settings):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _first(inbox)
    b.batch(inbox, 3, GRZHXX=[b.account("GR001", "1200.00", JZNY="202602")])
    settings.INQUIRY_IMPORT_INBOX = str(inbox)

    assert books_inbox_import_job() == ["applied", "refused"]
    refused = ImportRun.objects.get(status=ImportRun.Status.REFUSED)
    assert "下一个应为批次2" in refused.message

    _second(inbox)
    assert books_inbox_import_job() == ["applied", "applied"]
    account = FundAccount.objects.get(account_no="GR001")
    assert (account.balance, account.paid_through, account.discrepancy) == (1200, "202602", "")
    assert ImportRun.objects.filter(status=ImportRun.Status.APPLIED).count() == 3


def test_inbox_job_does_nothing_without_an_inbox(settings):
    settings.INQUIRY_IMPORT_INBOX = ""
    assert books_inbox_import_job() == []
    assert not ImportRun.objects.exists()
