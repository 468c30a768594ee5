"""gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py zzgjj_portal.wsgi`.

Two pools run from this one file (see deploy/nginx-zzgjj.conf):
  GUNICORN_POOL=pages   every page, on 127.0.0.1:8000, one sync worker per core
  GUNICORN_POOL=prints  /loans/plan/print/ and everything under /certificates/
                        (WeasyPrint: 1-3 s of CPU per cold plan PDF, a
                        certificate rendered and signed at each issue), on
                        127.0.0.1:8001, few workers: a burst of prints and
                        certificates queues there instead of taking every
                        page worker.
Each value can be overridden by the GUNICORN_* variable next to it.
"""

import gc
import multiprocessing
import os

from gunicorn.config import ControlSocket

pool = os.environ.get("GUNICORN_POOL", "pages")
cores = multiprocessing.cpu_count()

wsgi_app = "zzgjj_portal.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001" if pool == "prints" else "127.0.0.1:8000")
# Sync workers: every page is short and CPU-bound in Python; one per core
# keeps the cores busy without paying for context switches. Prints get half.
workers = int(os.environ.get("GUNICORN_WORKERS", max(1, cores // 2) if pool == "prints" else cores))
worker_class = "sync"
# A print of a 360-row plan takes about 3 s cold; nothing legitimate takes 30.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
# On HUP or TERM a worker finishes the request it has (up to this long) before exiting.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
# Recycle workers now and then (WeasyPrint's caches grow); the jitter keeps
# them from all restarting in the same second. Each restart shows in the tail
# latency (the new worker recomputes its plans), so page workers, which serve
# hundreds of requests a second at peak, are recycled rarely. Print workers
# count repeat prints too (10 ms each, from the cache): at 500 a burst of
# repeat prints restarted the worker every 5 s and put the p95 at 116 ms
# instead of 12. A cold print grew a worker by about 0.3 MB (measured over
# 50), so even 2,000 cold prints (an hour or more of rendering) add some
# hundreds of MB at worst before the worker is replaced.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000 if pool == "prints" else 20000))
max_requests_jitter = max_requests // 10
# Only the local nginx may set X-Forwarded-*; Django (TRUSTED_PROXIES=127.0.0.1)
# then takes the client address from the header nginx writes.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Load the app before forking: workers share its memory pages, and a broken
# release fails at start instead of in every worker.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true") == "true"
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
# The path, never the query string nor the Referer: admin search is a GET with
# ?q=<ID number or phone>, and every page opened from its results sends that
# URL as its Referer. gunicorn's default format (%(r)s, %(f)s) kept both.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
# gunicornc's control socket, one per pool: with gunicorn's single default
# path the master started second would take over the first one's socket.
# Next to gunicorn's default ($XDG_RUNTIME_DIR or ~/.gunicorn), named after
# the pool; two nodes of one pool on a machine each set their own.
control_socket = os.environ.get(
    "GUNICORN_CONTROL_SOCKET", os.path.join(os.path.dirname(ControlSocket.default), f"zzgjj-{pool}.ctl")
)
errorlog = "-"
proc_name = f"zzgjj-{pool}"


def _precompile_templates() -> None:
    """Compile every project template with the engine that renders it: the
    Jinja2 engine's directory (templates/) holds the Django engine's
    (templates/django/), whose files are not Jinja2 and are left to it."""
    from pathlib import Path

    from django.template import engines

    all_engines = engines.all()
    for engine in all_engines:
        others = [Path(d) for e in all_engines if e is not engine for d in e.template_dirs]
        for directory in map(Path, engine.template_dirs):
            for path in directory.rglob("*.html"):
                if not any(path.is_relative_to(o) for o in others if o != directory and o.is_relative_to(directory)):
                    engine.get_template(str(path.relative_to(directory)))


def when_ready(server):
    # With preload_app the master holds Django: compile every project template
    # into the cached loader once, here, so that each worker (and each
    # recycled one) starts with them instead of compiling on its first pages.
    if not preload_app:
        return
    _precompile_templates()
    # The page cache's release digest reads every source file: once, here.
    from zzgjj_portal import pagecache

    pagecache.release()
    if pool == "prints":
        # WeasyPrint takes about a second to import: once here, not in every
        # recycled worker. A throwaway certificate drawn here loads its fonts,
        # stylesheets and template for every worker: the first issue in a
        # worker then costs what the others do.
        import inquiry.printing  # noqa: F401
        from inquiry.certificates import rendering

        try:
            rendering.warm_up()
        except Exception as exc:  # noqa: BLE001 - a warm-up never stops the pool from starting
            server.log.warning("prints pool: certificate warm-up failed (%s: %s)", type(exc).__name__, exc)
    # Everything loaded so far lives as long as the worker: moved out of the
    # garbage collector's reach (gc.freeze), a worker's full collection scans
    # only what its requests made instead of some 126,000 objects (a 29 ms
    # pause, measured in-process, that lands in some page's p99); forked
    # memory also stays shared with the master instead of being copied when
    # the collector touches it. Last, after every import above.
    gc.freeze()


def post_fork(server, worker):
    # Print workers run at a lower CPU priority: on a machine they share with
    # the page workers, a burst of PDFs then takes the cores only when pages
    # do not need them (pages' p99 stays low, prints just take longer).
    if pool == "prints":
        os.nice(int(os.environ.get("GUNICORN_PRINTS_NICE", 10)))
        _signer_load(server, worker)


def _signer_load(server, worker) -> None:
    """The center's signing key, opened in each print worker as it starts
    (deriving the key from the passphrase is about 0.1 s) rather than by the
    first certificate it issues. Per worker, not in the master: the key stays
    out of the process that only forks. Never fatal: without a usable signer
    the worker still prints plans, and issuing says 证明签章服务暂不可用
    (and tries the file again) until the certificate is fixed."""
    from zzgjj_portal.signing import SignerUnavailable, signer

    try:
        signer()
    except SignerUnavailable as exc:
        server.log.warning("prints worker %s: no signing certificate (%s): %s", worker.pid, exc.code, exc)
    except Exception as exc:  # noqa: BLE001 - whatever else goes wrong, the worker serves on
        server.log.warning("prints worker %s: signing certificate not loaded (%s)", worker.pid, type(exc).__name__)


def child_exit(server, worker):
    # prometheus_client multiprocess mode (PROMETHEUS_MULTIPROC_DIR, see deploy/README.md):
    # a dead worker's live gauges must stop counting; its counters are kept.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
