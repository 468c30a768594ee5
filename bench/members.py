"""Print, as JSON, the scale-data members the bench logs in (run by bench/run.py).

Chosen among the first 90 generated members, who are the same people with the
same records in the 100,000-member set and in the small comparison set, so the
two runs load the same pages: registered online, an active loan, the longest
ledgers first (members 0 and 50 have 30 years)."""

import json
import os
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from accounts.models import User  # noqa: E402
from inquiry.models import LoanContract  # noqa: E402
from zzgjj_portal.management.commands import _scale_rows  # noqa: E402

wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 8
numbers = [_scale_rows.id_number(i) for i in range(90)]
users = (
    User.objects.filter(
        member__id_number__in=numbers,
        member__loans__status=LoanContract.Status.ACTIVE,
    )
    .select_related("member__fund_account")
    .order_by("member__fund_account__opened_on", "member__id_number")
    .distinct()
)
chosen = [
    {"id_number": u.member.id_number, "opened_on": u.member.fund_account.opened_on.isoformat()} for u in users[:wanted]
]
print(json.dumps({"members": chosen, "password": _scale_rows.SCALE_PASSWORD}))
