"""Logins (and messages) of the first 90 scale members, in a database that
bench/imports.py loaded with books_import alone: the portal's own rows, which
the core system's batch does not carry. Run with the bench's environment:
`import_logins.py <as-of YYYY-MM-DD>`."""

import os
import sys
from datetime import date

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402

from zzgjj_portal.management.commands import _scale_rows, seed_scale  # noqa: E402

as_of = date.fromisoformat(sys.argv[1])
portal = []
for i in range(90):
    member = _scale_rows.build_member(i, as_of, seed_scale.EMPLOYERS)
    portal.append((member.id_number, member.registered, member.messages))
counts = seed_scale.portal_rows_write(portal, as_of=as_of, password_hash=make_password(_scale_rows.SCALE_PASSWORD))
print(counts)
