"""The settings module as a given environment makes it: the module run
afresh in its own namespace, Django's configured settings untouched (the
test fixtures swap some of them, e.g. a memory cache per test)."""

import runpy
from pathlib import Path

from zzgjj_portal import settings as settings_module


def configured(monkeypatch, **environment: str) -> dict:
    """The settings module's names and values with `environment` set (an
    empty string reads as unset for the settings that default on it)."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(settings_module.__file__)))
