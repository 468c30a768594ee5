"""Print, as JSON, the members the deposit day logs in (run by bench/depday.py).

`depday_members.py N`: N members who can log in (a login, an account not
closed: a closed account's member is refused at the login), spread evenly
over the whole set in the order of their ID numbers (not the first N, who
are the bench's long-ledger members), each with whether it has an active
loan (those also look at 还款计划), and how many members can log in at all."""

import json
import os
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.db.models import Exists, OuterRef  # noqa: E402

from accounts.models import User  # noqa: E402
from inquiry.models import CLOSED_STATUSES, LoanContract  # noqa: E402
from zzgjj_portal.management.commands import _scale_rows  # noqa: E402

wanted = int(sys.argv[1])
active = LoanContract.objects.filter(member=OuterRef("member"), status=LoanContract.Status.ACTIVE)
rows = list(
    User.objects.filter(member__isnull=False, is_active=True)
    .exclude(member__fund_account__status__in=CLOSED_STATUSES)
    .annotate(has_loan=Exists(active))
    .order_by("member__id_number")
    .values_list("member__id_number", "has_loan")
)
step = max(1, len(rows) // max(1, wanted))
chosen = rows[::step][:wanted]
print(
    json.dumps(
        {
            "members": [{"id_number": id_number, "has_loan": has_loan} for id_number, has_loan in chosen],
            "with_login": len(rows),
            "password": _scale_rows.SCALE_PASSWORD,
        }
    )
)
