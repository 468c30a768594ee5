"""Writes of the task area, one module per concern (messages, push, applications, decisions)."""

from tasks.services import applications, decisions  # noqa: F401  (tasks.services.applications.*, .decisions.*)
from tasks.services.messages import (
    BroadcastRefused,
    broadcast_audience_refusal,
    broadcast_send,
    message_delete,
    message_mark_read,
    message_send,
    message_send_on_commit,
    sound_set,
)
from tasks.services.push import message_push
from tasks.services.tokens import (
    api_rate_take,
    api_token_failure_record,
    api_token_lock,
    channel_token_create,
    channel_token_revoke,
    rate_bucket_key,
)

__all__ = [
    "api_rate_take",
    "api_token_failure_record",
    "api_token_lock",
    "BroadcastRefused",
    "broadcast_audience_refusal",
    "broadcast_send",
    "channel_token_create",
    "channel_token_revoke",
    "message_delete",
    "message_mark_read",
    "message_push",
    "message_send",
    "message_send_on_commit",
    "rate_bucket_key",
    "sound_set",
]
