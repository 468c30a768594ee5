"""Every environment variable an operator is told to set (deploy/, bench/,
README.md, .env.example) is one something reads: the settings
(zzgjj_portal/settings.py, bench/settings.py), gunicorn's configuration or
the script that names it. A renamed setting (TRUSTED_PROXY_COUNT became
TRUSTED_PROXIES) otherwise lives on in the deployment files, silently
ignored, and every client is seen as the proxy's address."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Read by Python, Django or apt, not by our settings.
# Read by tools other than the portal: Django and Python themselves, apt, and
# libpq (the PostgreSQL client the deploy scripts run).
OUTSIDE_NAMES = {"DJANGO_SETTINGS_MODULE", "PYTHONWARNINGS", "DEBIAN_FRONTEND", "PGOPTIONS", "PGAPPNAME"}
NAME = r"[A-Z][A-Z0-9_]*[A-Z0-9]"
ASSIGNED = re.compile(rf"(?<![A-Za-z0-9_$.])({NAME})=")
# A shell variable of the script (or README example) itself: assigned alone on its
# line, not exported and not put in front of a command.
SHELL_LOCAL = re.compile(
    rf"^\s*({NAME})=(?:\"[^\"]*\"|'[^']*'|\$\((?:[^()]|\([^()]*\))*\)|\S*)\s*(?:#.*)?$", re.MULTILINE
)
SHELL_READ = re.compile(rf"\$\{{({NAME}):?[-?=]")
PYTHON_READ = re.compile(
    rf"(?:env(?:\.\w+)?|os\.environ\.get|os\.getenv|os\.environ\.setdefault)\(\s*[\"']({NAME})[\"']"
)
PYTHON_INDEX = re.compile(rf"os\.environ\[[\"']({NAME})[\"']\]")


def _files() -> list[Path]:
    files = [ROOT / "README.md", ROOT / ".env.example"]
    for folder in ("deploy", "bench"):
        files += [path for path in sorted((ROOT / folder).iterdir()) if path.suffix in {".py", ".sh", ".conf", ".md"}]
    return files


def named_in(path: Path) -> set[str]:
    """The environment variables a file tells someone to set (`NAME=value`,
    in prose, a shell line, an nginx comment or a Python env dict), without
    the file's own shell variables and the variables it reads itself."""
    text = path.read_text(encoding="utf-8")
    names = set(ASSIGNED.findall(text))
    if path.suffix in {".sh", ".md"}:
        names -= set(SHELL_LOCAL.findall(text))
    if path.suffix == ".py":
        # HTTP_HOST=… and the like are request headers of Django's test client.
        names = {name for name in names if not name.startswith("HTTP_")}
    return names - set(SHELL_READ.findall(text)) - set(reads_in(path))


def reads_in(path: Path) -> set[str]:
    """The environment variables a Python file reads (django-environ or os.environ)."""
    text = path.read_text(encoding="utf-8")
    return set(PYTHON_READ.findall(text)) | set(PYTHON_INDEX.findall(text))


def read_by_the_portal() -> set[str]:
    readers = [ROOT / "zzgjj_portal/settings.py", ROOT / "bench/settings.py", ROOT / "deploy/gunicorn.conf.py"]
    return set().union(*(reads_in(path) for path in readers))


def test_environment_names_parser_finds_names_and_reads():
    # The parsers themselves: a dead name in each kind of file is found.
    assert {"TRUSTED_PROXIES", "DEBUG", "SECRET_KEY", "GUNICORN_POOL", "SESSION_IDLE_MINUTES"} <= read_by_the_portal()
    assert "TRUSTED_PROXY_COUNT" not in read_by_the_portal()
    sample = (
        'export ALLOWED_HOSTS="127.0.0.1" TRUSTED_PROXY_COUNT=1 LOG_LEVEL=WARNING\n'
        'RUN="$ROOT/var/x"\nPORT_A=$((PORT + 1))\nDB="${TWO_DB:-x}"\n'
        'GUNICORN_BIND="127.0.0.1:$2" gunicorn -c deploy/gunicorn.conf.py\n'
        "TOKEN=$(DEBUG=true manage.py channel_token_create counter)   # printed once\n"
    )
    assert set(ASSIGNED.findall(sample)) - set(SHELL_LOCAL.findall(sample)) - set(SHELL_READ.findall(sample)) == {
        "ALLOWED_HOSTS",
        "TRUSTED_PROXY_COUNT",
        "LOG_LEVEL",
        "GUNICORN_BIND",
        "DEBUG",
    }


def test_environment_names_in_deploy_bench_readme_and_env_example_are_all_read():
    known = read_by_the_portal() | OUTSIDE_NAMES
    named = {path: named_in(path) for path in _files()}
    # Each place names variables (the parser sees them).
    assert "TRUSTED_PROXIES" in named[ROOT / ".env.example"] and "TRUSTED_PROXIES" in named[ROOT / "README.md"]
    assert "GUNICORN_POOL" in named[ROOT / "README.md"] and "SECRET_KEY" in named[ROOT / "bench" / "two_nodes.sh"]
    unknown = [f"{path.relative_to(ROOT)}: {name}" for path, names in named.items() for name in sorted(names - known)]
    assert not unknown, "named but read by nothing:\n" + "\n".join(unknown)


def test_env_example_documents_every_variable_the_settings_read():
    example = set(re.findall(rf"^#?\s*({NAME})=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    settings_reads = reads_in(ROOT / "zzgjj_portal" / "settings.py")
    assert not settings_reads - example, sorted(settings_reads - example)
