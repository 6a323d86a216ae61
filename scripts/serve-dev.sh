#!/usr/bin/env bash
# Serve kefu for development: the Huey consumer (SqliteHuey, or RedisHuey when REDIS_URL is set)
# beside Django's server. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
host=${1:-127.0.0.1}
port=${2:-8000}
.venv/bin/python manage.py run_huey --quiet &
huey_pid=$!
trap 'kill $huey_pid 2>/dev/null || true' EXIT INT TERM
echo "kefu: http://$host:$port/  (demo users: admin, director1, head1, lead1, lead2, qa1, agent1…agent6, wuliu1 (物流部), weixiu1 (维修部); password kefu-demo-2026)"
.venv/bin/python manage.py runserver "$host:$port"
