"""Member pages of the task area, one module per concern."""

from tasks.views import applications  # noqa: F401  (tasks.views.applications.*)
from tasks.views.home import HomeView
from tasks.views.messages import (
    MessageDeleteView,
    MessageDetailView,
    MessageListView,
    MessageMarkReadView,
    SoundView,
)

__all__ = [
    "HomeView",
    "MessageDeleteView",
    "MessageDetailView",
    "MessageListView",
    "MessageMarkReadView",
    "SoundView",
]
