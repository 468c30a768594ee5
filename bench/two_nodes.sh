#!/usr/bin/env bash
# Two portal nodes behind nginx on this machine, sharing PostgreSQL and Redis,
# and the checks that show it works as one site:
#   1. a session made through one node works on the other;
#   2. the login lockout and the SMS limits count across both nodes;
#   3. a HUP reload of one node under load loses no request;
#   4. stopping one node under load gives no failed GET (nginx retries the other);
#   5. Django sees each client's own address through nginx (TRUSTED_PROXIES), and
#      nginx's access log holds no query string.
# Loopback addresses only. Prints what it checked; exits non-zero when a check fails.
# Usage: bench/two_nodes.sh   (root installs nginx and wrk from Debian when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY="$ROOT/.venv/bin/python"
RUN="$ROOT/var/two_nodes"
DB="${TWO_NODES_DB:-zzgjj_two_nodes}"
PORT_NGINX="${TWO_NODES_PORT:-8760}"
PORT_A=$((PORT_NGINX + 1))
PORT_B=$((PORT_NGINX + 2))

for tool in nginx:nginx-light wrk:wrk; do
  if ! command -v "${tool%%:*}" >/dev/null && ! [ -x "/usr/sbin/${tool%%:*}" ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q "${tool#*:}"
    else
      echo "two_nodes needs ${tool%%:*}: sudo apt-get install ${tool#*:}"; exit 1
    fi
  fi
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

rm -rf "$RUN" && mkdir -p "$RUN"
export DJANGO_SETTINGS_MODULE=bench.settings
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export REDIS_URL="${TWO_NODES_REDIS_URL:-redis://127.0.0.1:6379/12}"
export DEBUG=false SECRET_KEY="two-nodes-only-secret-not-for-production-0123456789"
export ALLOWED_HOSTS="127.0.0.1,localhost" TRUSTED_PROXIES=127.0.0.1 LOG_LEVEL=WARNING
export SMS_BACKEND=accounts.sms.FileBackend SMS_FILE_PATH="$RUN/sms"
export GUNICORN_WORKERS=2 GUNICORN_GRACEFUL_TIMEOUT=10

echo "== set-up: database $DB (90 scale members), nginx on 127.0.0.1:$PORT_NGINX, nodes :$PORT_A and :$PORT_B"
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
  || createdb -h 127.0.0.1 -U postgres "$DB"
# Quiet set-up (bench settings warn about the captcha test mode on every start).
export PYTHONWARNINGS="ignore::RuntimeWarning"
{
  "$PY" manage.py migrate --noinput -v0
  "$PY" manage.py createcachetable
  "$PY" manage.py seed_scale --members 90
  "$PY" manage.py collectstatic --noinput -v0
} >"$RUN/setup.log" 2>&1 || { cat "$RUN/setup.log"; exit 1; }
tail -1 "$RUN/setup.log"
# Leftovers of an earlier run (counters, codes) would skew the checks.
psql -h 127.0.0.1 -U postgres -d "$DB" -qc "DELETE FROM accounts_loginthrottle; DELETE FROM accounts_smscode; DELETE FROM accounts_smslog;"
redis-cli -u "$REDIS_URL" FLUSHDB >/dev/null 2>&1 || "$PY" -c "import redis,os; redis.from_url(os.environ['REDIS_URL']).flushdb()"

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$RUN/nginx.pid" ] && kill "$(cat "$RUN/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

start_node() {  # name port
  # Both nodes are the pages pool on one machine: each its own control socket.
  GUNICORN_BIND="127.0.0.1:$2" GUNICORN_CONTROL_SOCKET="$RUN/node-$1.ctl" "$ROOT/.venv/bin/gunicorn" -c deploy/gunicorn.conf.py \
    --pid "$RUN/node-$1.pid" >>"$RUN/node-$1.log" 2>&1 &
  PIDS+=($!)
}
start_node a "$PORT_A"
start_node b "$PORT_B"
sed -e "s#@RUN@#$RUN#g" -e "s#@PORT_A@#$PORT_A#g" -e "s#@PORT_B@#$PORT_B#g" -e "s#@PORT_NGINX@#$PORT_NGINX#g" \
  bench/nginx-two-nodes.conf >"$RUN/nginx.conf"
"$NGINX" -t -q -p "$RUN" -c "$RUN/nginx.conf"
"$NGINX" -p "$RUN" -c "$RUN/nginx.conf"

"$PY" bench/two_nodes_check.py --nginx "$PORT_NGINX" --a "$PORT_A" --b "$PORT_B" --run "$RUN"
