"""Models of the task area, one module per concern."""

from tasks.models.messages import Broadcast, ChannelToken, Message, MessageQuerySet, PushRateBucket

__all__ = ["Broadcast", "ChannelToken", "Message", "MessageQuerySet", "PushRateBucket"]
