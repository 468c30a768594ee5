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
from tasks.services.push import (
    channel_token_create,
    channel_token_revoke,
    message_push,
    push_rate_take,
    push_token_failure_record,
    push_token_lock,
)

__all__ = [
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
    "push_rate_take",
    "push_token_failure_record",
    "push_token_lock",
    "sound_set",
]
