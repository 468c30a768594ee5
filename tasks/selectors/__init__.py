"""Reads for the task area's pages, one module per concern."""

from tasks.selectors import applications, decisions  # noqa: F401  (tasks.selectors.applications.*, .decisions.*)
from tasks.selectors.messages import (
    HOME_LIST_SIZE,
    HomeTasks,
    channel_token_authenticate,
    home_tasks,
    member_by_id_number,
    message_get_for_member,
    messages_read,
    messages_unread,
)

__all__ = [
    "HOME_LIST_SIZE",
    "HomeTasks",
    "channel_token_authenticate",
    "home_tasks",
    "member_by_id_number",
    "message_get_for_member",
    "messages_read",
    "messages_unread",
]
