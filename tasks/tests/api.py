"""Helpers of the machine endpoints' tests (test_api_*.py): URLs, tokens, calls."""

import json

from django.urls import reverse

from tasks import services
from tasks.models import ChannelToken, Message

PUSH_URL = reverse("api:message_push")
OUTBOX_URL = reverse("api:core_outbox")
ACK_URL = reverse("api:core_outbox_ack")
OPENAPI_URL = reverse("api:openapi-json")


def push_token(channel: str = Message.Channel.COUNTER) -> str:
    return services.channel_token_create(channel=channel, name="柜面系统")[1]


def core_token(name: str = "业务系统") -> str:
    return services.channel_token_create(kind=ChannelToken.Kind.CORE, name=name)[1]


def auth(token: str | None) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}


def post(client, url: str, token: str | None, data, *, content_type: str = "application/json", **extra):
    raw = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(url, raw, content_type=content_type, **auth(token), **extra)


def get(client, url: str, token: str | None, params: dict | None = None, **extra):
    return client.get(url, params or {}, **auth(token), **extra)
