#!/usr/bin/env bash
# RabbitMQ for the portal's jobs: a vhost and a user of its own (run as root on the broker host).
#   RABBITMQ_PASSWORD=… deploy/rabbitmq-setup.sh
# then set CELERY_BROKER_URL=amqp://zzgjj:<password>@<broker host>:5672/zzgjj in /etc/zzgjj/zzgjj.env.
#
# Queues need no setup here: Celery declares its queue `zzgjj` (CELERY_TASK_DEFAULT_QUEUE) on first
# use, and Celery's default is a durable queue on a durable direct exchange with persistent
# messages (delivery mode 2), so queued jobs survive a broker restart. Safe to run again.
set -euo pipefail

VHOST=${RABBITMQ_VHOST:-zzgjj}
USERNAME=${RABBITMQ_USER:-zzgjj}
: "${RABBITMQ_PASSWORD:?set RABBITMQ_PASSWORD for the portal user}"

if ! rabbitmqctl -q list_vhosts | grep -qx "$VHOST"; then
    rabbitmqctl add_vhost "$VHOST"
fi
if rabbitmqctl -q list_users | cut -f1 | grep -qx "$USERNAME"; then
    rabbitmqctl change_password "$USERNAME" "$RABBITMQ_PASSWORD"
else
    # Read from stdin, so the password is not on a command line (visible in ps).
    printf '%s' "$RABBITMQ_PASSWORD" | rabbitmqctl add_user "$USERNAME"
fi
# Everything within its own vhost (Celery declares queues and exchanges), nothing outside it.
rabbitmqctl set_permissions -p "$VHOST" "$USERNAME" '.*' '.*' '.*'
rabbitmqctl set_user_tags "$USERNAME"
# The default guest user may only connect from localhost; remove it where the broker is shared.
if [[ "${RABBITMQ_DELETE_GUEST:-false}" == "true" ]] && rabbitmqctl -q list_users | cut -f1 | grep -qx guest; then
    rabbitmqctl delete_user guest
fi
echo "rabbitmq: vhost $VHOST, user $USERNAME ready"
