"""Reads for the task area's pages, one module per concern."""

from tasks.selectors.messages import HOME_LIST_SIZE, HomeTasks, home_tasks, messages_read, messages_unread

__all__ = ["HOME_LIST_SIZE", "HomeTasks", "home_tasks", "messages_read", "messages_unread"]
