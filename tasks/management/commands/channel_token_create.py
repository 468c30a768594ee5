"""Create a push token for one of the center's channels and print it once."""

from django.core.management.base import BaseCommand, CommandError

from tasks.models import Message
from tasks.services import channel_token_create


class Command(BaseCommand):
    help = "Create a token for POST /api/messages/ and print it (only its hash is stored; it is never shown again)."

    def add_arguments(self, parser):
        parser.add_argument("channel", help="one of: " + ", ".join(Message.Channel.values))
        parser.add_argument("--name", default="", help="what the token is for (default: the channel's name)")

    def handle(self, *args, channel, name, **options):
        if channel not in Message.Channel.values:
            raise CommandError(f"unknown channel {channel!r}; choose one of: {', '.join(Message.Channel.values)}")
        _, plain = channel_token_create(channel=channel, name=name or Message.Channel(channel).label)
        # Only the token on stdout, so scripts can capture it: TOKEN=$(manage.py channel_token_create counter)
        self.stdout.write(plain)
