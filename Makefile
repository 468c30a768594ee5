# Quickstart: `make run` (set up, seed demo data, serve on SQLite) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# One stamp per requirements file: `make run` installs only the runtime, `make
# test`/`make lint` add the test tools; each reinstalls only when its file changes.
STAMP := $(VENV)/.requirements-installed
DEV_STAMP := $(VENV)/.requirements-dev-installed
# apt waits up to 5 minutes for another process's dpkg lock instead of failing.
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300

.PHONY: run simulate test setup sysdeps browser lint check clean bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changes, so re-running is fast.
$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

$(DEV_STAMP): requirements-dev.txt $(STAMP)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(DEV_STAMP)

# WeasyPrint needs Pango and libharfbuzz-subset0 (without it Chinese PDFs
# render about 5x slower) and a CJK font; espeak-ng speaks the 语音验证码.
# Installed with apt when we can.
sysdeps:
	@missing=""; \
	ldconfig -p | grep -q 'libpango-1.0.so' || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	ldconfig -p | grep -q 'libharfbuzz-subset.so' || missing="$$missing libharfbuzz-subset0"; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-wqy-microhei"; \
	command -v espeak-ng >/dev/null || missing="$$missing espeak-ng"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing system packages:$$missing"; \
	    $(APT_GET) update -q && $(APT_GET) install -y -q $$missing fontconfig; \
	  else \
	    echo "Please install these system packages first (e.g. sudo apt-get install$$missing)"; exit 1; \
	  fi; \
	fi

# Browser tests drive Debian's chromium through Playwright (no browser download).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    $(APT_GET) update -q && $(APT_GET) install -y -q chromium; \
	  else \
	    echo "Browser tests need /usr/bin/chromium: sudo apt-get install chromium"; exit 1; \
	  fi; \
	fi

# A local .env turns on development mode so that plain `manage.py` commands
# work in a checkout; created once, never overwritten. Production sets the
# environment itself (SECRET_KEY required) and never runs make.
.env:
	printf '# Local development only, created by make (every variable: .env.example).\nDEBUG=true\n' > .env

setup: sysdeps $(STAMP) .env

run: setup
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py createcachetable
# The self-signed development certificate that certificate PDFs are signed with
# (var/certificate-signer-dev.p12, or CERTIFICATE_SIGNER_P12); kept once made.
	DEBUG=true $(PY) manage.py certificate_signer_create --if-missing
	DEBUG=true $(PY) manage.py seed_demo
	DEBUG=true $(PY) manage.py collectstatic --noinput -v0
	@echo "Portal: http://127.0.0.1:$(PORT)/  (demo login 370402199001011238 / Demo@2026)"
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The core system simulated, beside `make run` in a second terminal: every
# SIMULATE_EVERY seconds it books the decisions staff approved (提取 -> 已入账,
# 贷款 -> a 借款合同) through books_import. See README, "The core simulator".
SIMULATE_EVERY ?= 10
simulate: setup
	DEBUG=true $(PY) manage.py core_simulate --loop $(SIMULATE_EVERY) $(SIMULATE_ARGS)

test: setup $(DEV_STAMP) browser
	$(PY) -m pytest

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: $(STAMP)
	DEBUG=true $(PY) manage.py check
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles db.sqlite3

# Load test on 100,000 members / ~22M ledger rows (PostgreSQL and Redis on
# loopback, wrk from Debian); writes bench/RESULTS.md. See bench/run.py.
BENCH_STAMP := $(VENV)/.bench-requirements-installed
$(BENCH_STAMP): bench/requirements.txt | $(STAMP)
	$(PY) -m pip install --quiet -r bench/requirements.txt
	touch $(BENCH_STAMP)

bench: setup $(BENCH_STAMP)
	@command -v wrk >/dev/null || { if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; else echo "bench needs wrk: sudo apt-get install wrk"; exit 1; fi; }
	$(PY) bench/run.py $(BENCH_ARGS)
