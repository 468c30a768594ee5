"""Write the notification sound (static/audio/chime.wav) from tasks.chime."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from tasks.chime import chime_wav

CHIME_PATH = Path(settings.BASE_DIR) / "static" / "audio" / "chime.wav"


class Command(BaseCommand):
    help = "Generate static/audio/chime.wav, the two-tone notification sound (commit the result)."

    def handle(self, *args, **options):
        data = chime_wav()
        CHIME_PATH.parent.mkdir(parents=True, exist_ok=True)
        CHIME_PATH.write_bytes(data)
        self.stdout.write(f"{CHIME_PATH} ({len(data)} bytes)")
