"""Messages whose 发送时间 lies outside 2000-01-01 .. a day after the migration
runs are clamped into that window (not deleted).

Before the push API checked `sent_at`, a channel could store year 10000 or a
BC date (PostgreSQL keeps both, Python cannot read them), and from then on
every page listing that member's messages, the message page, 删除, replaying
the key and admin answered 500 or 400. Clamping keeps the message: the center
told the member something, and its text matters more than a time that was
wrong anyway; deleting would lose it silently. A time after the window becomes
the time of this migration (the message had arrived by then, so it is the
latest time that is surely true); a time before 2000 becomes 2000-01-01
00:00 Asia/Shanghai, the window's start. The filters run in SQL, so no bad
row is read into Python. On SQLite (where such a row could only be written by
hand) a five-digit year compares as text below "2000", so it is clamped to
the start; either way it can be displayed again.

The update fires the data-version triggers, so the member's cached pages are
rendered again. The window is written out here, not imported, so this
migration does the same thing whatever the model says later.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import migrations
from django.utils import timezone

EARLIEST = datetime(2000, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
AHEAD = timedelta(days=1)


def clamp_sent_at(apps, schema_editor):
    Message = apps.get_model("tasks", "Message")
    now = timezone.now()
    Message.objects.filter(sent_at__gt=now + AHEAD).update(sent_at=now)
    Message.objects.filter(sent_at__lt=EARLIEST).update(sent_at=EARLIEST)


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0005_member_data_version_triggers"),
    ]

    # Nothing to undo: the clamped times were not real times.
    operations = [migrations.RunPython(clamp_sent_at, migrations.RunPython.noop)]
