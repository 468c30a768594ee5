"""Member pages of the task area, one module per concern."""

from tasks.views import applications  # noqa: F401  (tasks.views.applications.*)
from tasks.views.home import HomeView

__all__ = ["HomeView"]
