"""The arrows between our apps run one way (CONTRIBUTING.md, "Apps and arrows").

Every module of ours except tests and migrations is parsed (`ast`, so imports
inside functions count too) and each import of another app of ours is checked
against the allowed arrows. A new module is covered without editing this test.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = {"accounts", "inquiry", "tasks", "zzgjj_portal"}
# Which apps each app may import, besides itself.
ALLOWED = {
    "inquiry": {"zzgjj_portal"},
    "accounts": {"inquiry", "zzgjj_portal"},
    "tasks": {"inquiry", "accounts", "zzgjj_portal"},
    "zzgjj_portal": set(),
}
# The places that by nature know every app: the root URLs and the commands
# that fill every app's tables with demo or scale data.
COMPOSITION_POINTS = {
    "zzgjj_portal/urls.py",
    "zzgjj_portal/management/commands/seed_demo.py",
    "zzgjj_portal/management/commands/seed_scale.py",
    "zzgjj_portal/management/commands/_scale_rows.py",  # seed_scale's row builders
    "zzgjj_portal/management/commands/_batches.py",  # what the batch-writing commands share
    "zzgjj_portal/management/commands/core_simulate.py",  # the outbox (tasks) booked through the import
}


def imported_apps(source: str, module: str) -> list[tuple[int, str]]:
    """(line, app) for every import in `source` that names one of our apps;
    `module` is the dotted name of the file, to resolve relative imports."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.split(".")[: -node.level]
                names = [".".join(package + ([node.module] if node.module else []))]
            else:
                names = [node.module or ""]
        else:
            continue
        found += [(node.lineno, name.split(".")[0]) for name in names if name.split(".")[0] in APPS]
    return found


def forbidden_arrows(path: str, source: str) -> list[str]:
    """Each import in the file at `path` (relative to the repository) that the arrows forbid."""
    app = path.split("/")[0]
    if app not in APPS or path in COMPOSITION_POINTS:
        return []
    module = path.removesuffix(".py").replace("/", ".")
    return [
        f"{path}:{line}: {app} → {target} is not an allowed arrow (allowed from {app}: "
        f"{', '.join(sorted(ALLOWED[app])) or 'none'})"
        for line, target in imported_apps(source, module)
        if target != app and target not in ALLOWED[app]
    ]


def checked_files() -> list[Path]:
    files = []
    for app in sorted(APPS):
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            files.append(path)
    return files


def test_architecture_arrows_between_apps_run_one_way():
    files = checked_files()
    assert len(files) > 30  # the walk found the code
    problems = []
    for path in files:
        problems += forbidden_arrows(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
    assert not problems, "Forbidden imports between apps:\n" + "\n".join(problems)


def test_architecture_checker_names_the_file_and_the_arrow():
    source = "import os\nfrom tasks.models import Message\n\ndef f():\n    from accounts import services\n"
    assert forbidden_arrows("inquiry/views.py", source) == [
        "inquiry/views.py:2: inquiry → tasks is not an allowed arrow (allowed from inquiry: zzgjj_portal)",
        "inquiry/views.py:5: inquiry → accounts is not an allowed arrow (allowed from inquiry: zzgjj_portal)",
    ]
    assert forbidden_arrows("zzgjj_portal/frame.py", "from inquiry import selectors\n")
    assert not forbidden_arrows("zzgjj_portal/urls.py", "from inquiry import views\n")
    assert not forbidden_arrows("tasks/views.py", "from inquiry import selectors\nfrom . import services\n")


def test_architecture_relative_imports_resolve_to_their_package():
    assert imported_apps("from .. import models\n", "accounts.management.commands.x") == [(1, "accounts")]
    assert imported_apps("from .selectors import f\n", "tasks.views") == [(1, "tasks")]
