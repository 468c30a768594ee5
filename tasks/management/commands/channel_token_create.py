"""Create a token for the machine endpoints and print it once: a channel's
push token (`channel_token_create counter`) or the core system's
(`channel_token_create core`)."""

from django.core.management.base import BaseCommand, CommandError

from tasks.models import ChannelToken, Message
from tasks.services import channel_token_create

CORE = "core"


class Command(BaseCommand):
    help = (
        "Create a token and print it (only its hash is stored; it is never shown again): for a channel, "
        "one for POST /api/messages/; 'core', one for the core system's /api/core/outbox/."
    )

    def add_arguments(self, parser):
        parser.add_argument("channel", help="one of: " + ", ".join(Message.Channel.values) + f", or {CORE}")
        parser.add_argument("--name", default="", help="what the token is for (default: the channel's name)")

    def handle(self, *args, channel, name, **options):
        if channel == CORE:
            kind, channel, default_name = ChannelToken.Kind.CORE, "", ChannelToken.Kind.CORE.label
        elif channel in Message.Channel.values:
            kind, default_name = ChannelToken.Kind.PUSH, Message.Channel(channel).label
        else:
            choices = ", ".join([*Message.Channel.values, CORE])
            raise CommandError(f"unknown channel {channel!r}; choose one of: {choices}")
        _, plain = channel_token_create(kind=kind, channel=channel, name=name or default_name)
        # Only the token on stdout, so scripts can capture it: TOKEN=$(manage.py channel_token_create counter)
        self.stdout.write(plain)
