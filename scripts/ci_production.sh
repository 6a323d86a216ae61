#!/usr/bin/env bash
# Follow the README's "Running in production" steps literally and check the result through HTTP:
#
#   DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS → make setup → migrate → collectstatic
#   → gunicorn (4 workers, --preload, 127.0.0.1:$PORT) + manage.py run_huey
#
# then, as the reverse proxy would pass them on (Host kefu.example.com, X-Forwarded-Proto: https):
# /healthz; an anonymous page redirects to the login page; an unknown page is a 404 (not a 500); log in
# THROUGH THE LOGIN PAGE with curl (GET /login/ for the CSRF cookie and token, POST the credentials,
# follow the redirect to the home page → 200, the user's name on it); every stylesheet and script the home
# page links is a hashed static URL that answers 200 with the right type. The cookies are Secure (as in
# production), so they are carried by hand: curl keeps no Secure cookie over plain HTTP.
#
# Only for this check, the demo organisation is seeded (seed_demo) so that a user exists; the README says
# not to do that in production.
#
# Usage: scripts/ci_production.sh LABEL      (run from anywhere; works in the repository)
# Environment:
#   DATABASE_URL           postgres://… or sqlite:///… (required: the README's production uses one)
#   REDIS_URL              optional: RedisHuey and the Redis cache (else SqliteHuey in KEFU_DATA_DIR)
#   KEFU_DATA_DIR          default: a new temporary folder, removed at the end
#   KEFU_PROD_PORT=8001    the port gunicorn binds on 127.0.0.1 (the README's)
#   KEFU_PROD_WAIT=180     seconds to wait for gunicorn's /healthz
#   KEFU_PROD_PGID_DIR     if set, the process groups of gunicorn and the Huey consumer are written there
#                          as production-LABEL-*.pgid, so a caller can stop them if this script is killed
# It stops gunicorn and the Huey consumer (own process groups) whatever happens, and checks the port is free.
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")/.."
LABEL=${1:?usage: scripts/ci_production.sh LABEL}
PORT=${KEFU_PROD_PORT:-8001}
WAIT=${KEFU_PROD_WAIT:-180}
HOST_NAME=kefu.example.com
BASE=http://127.0.0.1:$PORT
WORK=$(mktemp -d "/tmp/kefu-production-$LABEL.XXXXXX")
GUNICORN_PGID=""
HUEY_PGID=""

: "${DATABASE_URL:?set DATABASE_URL (postgres://… or sqlite:///…)}"
unset KEFU_TESTING KEFU_TEST_CLOCK
if [ -z "${KEFU_DATA_DIR:-}" ]; then
    KEFU_DATA_DIR=$WORK/data
fi
export KEFU_DATA_DIR

note() { printf -- '--- production (%s): %s\n' "$LABEL" "$*"; }

stop_group() {
    local pgid=$1 i
    [ -n "$pgid" ] || return 0
    kill -0 -- "-$pgid" 2>/dev/null || return 0
    kill -TERM -- "-$pgid" 2>/dev/null || true
    for i in $(seq 1 40); do
        kill -0 -- "-$pgid" 2>/dev/null || return 0
        sleep 0.5
    done
    kill -KILL -- "-$pgid" 2>/dev/null || true
}

port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

cleanup() {
    local status=$?
    set +e
    trap - EXIT INT TERM
    stop_group "$GUNICORN_PGID"
    stop_group "$HUEY_PGID"
    if [ -n "${KEFU_PROD_PGID_DIR:-}" ]; then
        rm -f "$KEFU_PROD_PGID_DIR/production-$LABEL-gunicorn.pgid" "$KEFU_PROD_PGID_DIR/production-$LABEL-huey.pgid"
    fi
    if [ "$status" != 0 ]; then
        for log in "$WORK"/gunicorn.log "$WORK"/huey.log; do
            [ -s "$log" ] && { echo "--- last lines of $(basename "$log"):" >&2; tail -n 40 "$log" >&2; }
        done
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
    echo "production ($LABEL): $*" >&2
    return 1
}

# ------------------------------------------------------------------------ the README's steps, literally
note "the README's steps (DATABASE_URL=${DATABASE_URL%%:*}://…${REDIS_URL:+, REDIS_URL set}, KEFU_DATA_DIR=$KEFU_DATA_DIR)"
export DEBUG=0 SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
export ALLOWED_HOSTS=$HOST_NAME CSRF_TRUSTED_ORIGINS=https://$HOST_NAME
export DATABASE_URL
[ -n "${REDIS_URL:-}" ] && export REDIS_URL
make setup
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput
note "seed_demo (only so that a user exists for this check)"
.venv/bin/python manage.py seed_demo

port_free "$PORT" || fail "port $PORT is already in use" || exit 1
note "gunicorn on 127.0.0.1:$PORT and the Huey consumer, each in its own process group"
# --preload: the application is loaded once in the master and shared by the forked workers (kefu/wsgi.py)
setsid .venv/bin/gunicorn kefu.wsgi:application --bind "127.0.0.1:$PORT" --workers 4 --preload \
    --forwarded-allow-ips 127.0.0.1 >"$WORK/gunicorn.log" 2>&1 </dev/null &
GUNICORN_PGID=$!
setsid .venv/bin/python manage.py run_huey >"$WORK/huey.log" 2>&1 </dev/null &
HUEY_PGID=$!
if [ -n "${KEFU_PROD_PGID_DIR:-}" ]; then
    echo "$GUNICORN_PGID" >"$KEFU_PROD_PGID_DIR/production-$LABEL-gunicorn.pgid"
    echo "$HUEY_PGID" >"$KEFU_PROD_PGID_DIR/production-$LABEL-huey.pgid"
fi

# ------------------------------------------------------------------------------------------- checks
# A request as nginx passes it on: the public host name, and HTTPS terminated in front.
req() {
    # req OUT_PREFIX [curl arguments…] → prints the status; body in OUT_PREFIX.body, headers in OUT_PREFIX.headers
    local out=$1
    shift
    curl -sS --max-time 30 -H "Host: $HOST_NAME" -H "X-Forwarded-Proto: https" \
        -D "$out.headers" -o "$out.body" -w '%{http_code}' "$@"
}

cookie() {
    # cookie NAME HEADERS_FILE → the value of the last Set-Cookie for NAME
    grep -i "^set-cookie: $1=" "$2" | tail -n 1 | sed -e "s/^[^=]*=//" -e 's/;.*//' | tr -d '\r'
}

header() {
    grep -i "^$1:" "$2" | tail -n 1 | sed -e 's/^[^:]*: *//' | tr -d '\r'
}

note "waiting up to ${WAIT}s for /healthz"
body=""
for i in $(seq 1 "$WAIT"); do
    if body=$(curl -fsS --max-time 5 -H "Host: $HOST_NAME" "$BASE/healthz" 2>/dev/null); then
        break
    fi
    body=""
    kill -0 "$GUNICORN_PGID" 2>/dev/null || fail "gunicorn exited before /healthz answered" || exit 1
    sleep 1
done
[ -n "$body" ] || fail "/healthz did not answer within ${WAIT}s" || exit 1
python3 -c 'import json, sys; assert json.loads(sys.argv[1]).get("ok") is True' "$body" \
    || fail "/healthz said $body" || exit 1
note "/healthz after ${i}s: $body"

status=$(req "$WORK/anon" "$BASE/")
[ "$status" = 302 ] || fail "GET / without a session returned $status, expected 302 to the login page" || exit 1
case $(header location "$WORK/anon.headers") in
    */login/*) ;;
    *) fail "GET / without a session redirected to $(header location "$WORK/anon.headers")" || exit 1 ;;
esac
status=$(req "$WORK/missing" "$BASE/no-such-page/")
[ "$status" = 404 ] || fail "GET /no-such-page/ returned $status, expected 404" || exit 1
note "anonymous GET / → 302 to the login page; unknown page → 404"

status=$(req "$WORK/login" "$BASE/login/")
[ "$status" = 200 ] || fail "GET /login/ returned $status: $(head -c 300 "$WORK/login.body")" || exit 1
csrf_cookie=$(cookie csrftoken "$WORK/login.headers")
[ -n "$csrf_cookie" ] || fail "GET /login/ set no csrftoken cookie" || exit 1
grep -i '^set-cookie: csrftoken=' "$WORK/login.headers" | grep -qi '; *secure' \
    || fail "the csrftoken cookie is not Secure with DEBUG=0" || exit 1
csrf_token=$(sed -n 's/.*name="csrfmiddlewaretoken" value="\([^"]*\)".*/\1/p' "$WORK/login.body" | head -n 1)
[ -n "$csrf_token" ] || fail "no csrfmiddlewaretoken in the login form" || exit 1
note "GET /login/ → 200, CSRF cookie (Secure) and form token"

status=$(req "$WORK/post" -X POST -H "Cookie: csrftoken=$csrf_cookie" \
    -H "Origin: https://$HOST_NAME" -H "Referer: https://$HOST_NAME/login/" \
    --data-urlencode "csrfmiddlewaretoken=$csrf_token" --data-urlencode "next=" \
    --data-urlencode "username=agent1" --data-urlencode "password=kefu-demo-2026" "$BASE/login/")
[ "$status" = 302 ] || fail "POST /login/ returned $status, expected 302: $(head -c 500 "$WORK/post.body")" || exit 1
session=$(cookie sessionid "$WORK/post.headers")
[ -n "$session" ] || fail "POST /login/ set no sessionid cookie" || exit 1
csrf_after=$(cookie csrftoken "$WORK/post.headers")
location=$(header location "$WORK/post.headers")
case $location in
    /*) target=$BASE$location ;;
    https://$HOST_NAME/*) target=$BASE/${location#https://"$HOST_NAME"/} ;;
    *) fail "POST /login/ redirected to $location" || exit 1 ;;
esac
note "POST /login/ (agent1) → 302 to $location with a session"

jar="sessionid=$session; csrftoken=${csrf_after:-$csrf_cookie}"
status=$(req "$WORK/home" -H "Cookie: $jar" "$target")
[ "$status" = 200 ] || fail "GET $location after logging in returned $status" || exit 1
grep -q '张三\|agent1' "$WORK/home.body" || fail "the home page does not show agent1 (张三)" || exit 1
grep -q 'lang="zh-hans"' "$WORK/home.body" || fail "the home page is not in Chinese" || exit 1
note "GET $location → 200, logged in as agent1 (张三)"

mapfile -t assets < <(grep -o '/static/[^"'"'"' ]*\.\(css\|js\)' "$WORK/home.body" | sort -u)
[ "${#assets[@]}" -gt 0 ] || fail "the home page links no stylesheet or script" || exit 1
css=0
for asset in "${assets[@]}"; do
    [[ $asset =~ \.[0-9a-f]{12}\.(css|js)$ ]] || fail "$asset is not a hashed static URL (collectstatic manifest)" || exit 1
    status=$(req "$WORK/asset" -H "Cookie: $jar" "$BASE$asset")
    [ "$status" = 200 ] || fail "GET $asset returned $status" || exit 1
    type=$(header content-type "$WORK/asset.headers")
    case $asset in
        *.css) [[ $type == text/css* ]] || fail "$asset has Content-Type $type, expected text/css" || exit 1
               css=$((css + 1)) ;;
        *.js) [[ $type == *javascript* ]] || fail "$asset has Content-Type $type" || exit 1 ;;
    esac
done
[ "$css" -gt 0 ] || fail "the home page links no stylesheet" || exit 1
note "${#assets[@]} hashed static files of the home page → 200 ($css stylesheets, text/css), e.g. ${assets[0]}"

kill -0 "$GUNICORN_PGID" 2>/dev/null || fail "gunicorn is no longer running" || exit 1
kill -0 "$HUEY_PGID" 2>/dev/null || fail "the Huey consumer (manage.py run_huey) is no longer running" || exit 1
note "gunicorn and the Huey consumer are still running; stopping them"
stop_group "$GUNICORN_PGID"
stop_group "$HUEY_PGID"
! kill -0 -- "-$GUNICORN_PGID" 2>/dev/null || fail "gunicorn did not stop" || exit 1
! kill -0 -- "-$HUEY_PGID" 2>/dev/null || fail "the Huey consumer did not stop" || exit 1
GUNICORN_PGID=""
HUEY_PGID=""
port_free "$PORT" || fail "port $PORT still answers after stopping gunicorn" || exit 1
note "passed"
