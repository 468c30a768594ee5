"""Print, as JSON, the members bench/certificates.py logs in to issue 缴存证明
(run by it against the bench database): registered online, with an account a
缴存证明 may be issued for (正常 or 封存, its figures reconciled), the longest
ledgers first; and how many such members there are."""

import json
import os
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from accounts.models import User  # noqa: E402
from inquiry.models import AccountStatus  # noqa: E402
from zzgjj_portal.management.commands import _scale_rows  # noqa: E402

wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 8
users = User.objects.filter(
    member__fund_account__status__in=(AccountStatus.NORMAL, AccountStatus.SEALED),
    member__fund_account__discrepancy="",
)
chosen = [
    {"id_number": id_number, "opened_on": opened_on.isoformat()}
    for id_number, opened_on in users.order_by("member__fund_account__opened_on", "member__id_number").values_list(
        "member__id_number", "member__fund_account__opened_on"
    )[:wanted]
]
print(json.dumps({"members": chosen, "eligible": users.count(), "password": _scale_rows.SCALE_PASSWORD}))
