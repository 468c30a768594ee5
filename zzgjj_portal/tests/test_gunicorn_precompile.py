"""The gunicorn master compiles every project template with its own engine before forking."""

import runpy
from pathlib import Path

from django.conf import settings


def test_every_template_compiles_with_the_engine_that_renders_it(monkeypatch):
    config = runpy.run_path(str(Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"))
    compiled = []
    from django.template import engines

    for engine in engines.all():
        original = engine.get_template
        monkeypatch.setattr(
            engine, "get_template", lambda name, e=engine, o=original: compiled.append((e.name, name)) or o(name)
        )
    config["_precompile_templates"]()
    names = {name for _, name in compiled}
    assert ("jinja2", "tasks/home.html") in compiled and ("django", "admin/staff_login.html") in compiled
    # The Django engine's files are never handed to Jinja2 (they would not parse).
    assert not any(name.startswith("django/") for name in names)
    assert len(compiled) == sum(1 for _ in (Path(settings.BASE_DIR) / "templates").rglob("*.html"))


def test_the_master_freezes_what_it_loaded_before_forking(monkeypatch):
    import gc

    config = runpy.run_path(str(Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"))
    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    config["when_ready"](server=None)
    assert frozen == [True]
