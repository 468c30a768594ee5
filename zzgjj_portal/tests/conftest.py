import io
import json
import logging

import pytest


@pytest.fixture
def json_log():
    """The lines the configured console handler writes (JSON, as in
    production with DEBUG off), captured instead of printed; call it for the
    parsed lines."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        handler.setStream(previous)
        root.setLevel(level)
