"""Member pages of the task area, one module per concern."""

from tasks.views.home import HomeView

__all__ = ["HomeView"]
