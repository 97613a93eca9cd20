#!/usr/bin/env bash
# zepsync local stack: installs what is missing, builds, and starts on loopback
#   redis-server, the embedded Kafka broker (zepsync-devbroker), the Personio and ZEP sandboxes
#   with a demo tenant ("demo", obviously fictional data), and every zepsync worker that is built.
# It prints the endpoints and runs until Ctrl-C (or SIGTERM), then stops everything it started.
#
#   deploy/local/up.sh            start the stack and keep it running
#   deploy/local/up.sh --check    start it, run a smoke check of every service, stop (exit 0 = ok)
#   deploy/local/up.sh --help
set -euo pipefail
ZS_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export ZS_ROOT
. "$ZS_ROOT/tests/lib/deps.sh"

check=0
case "${1:-}" in
    --check) check=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    "") ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
esac

zs_install_deps
echo "== build"
zs_build "$ZS_ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
bin=$ZS_ROOT/build/bin
state=${ZS_LOCAL_STATE:-$ZS_ROOT/build/local}
mkdir -p "$state/secrets" "$state/tenants"
pids=()
stop_all() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap stop_all EXIT
trap 'exit 0' INT TERM

start() { # name, then the command; output goes to $state/<name>.log
    local name=$1
    shift
    "$@" >"$state/$name.log" 2>&1 &
    pids+=($!)
    echo "started $name (pid $!, log $state/$name.log)"
}

redis_port=$(zs_free_port)
start redis redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$state"
zs_wait_port "$redis_port" 10 || { echo "redis-server did not start" >&2; exit 1; }
export ZS_REDIS_URL="redis://127.0.0.1:$redis_port/0"

rm -f "$state/bootstrap"
start devbroker "$bin/zepsync-devbroker" --brokers 3 --partitions 6 --bootstrap-file "$state/bootstrap"
for _ in $(seq 100); do [ -s "$state/bootstrap" ] && break; sleep 0.1; done
[ -s "$state/bootstrap" ] || { echo "devbroker did not start" >&2; exit 1; }
export ZS_KAFKA_BROKERS=$(cat "$state/bootstrap")

export ZS_TENANTS_DIR=$state/tenants
for sb in personio zep; do
    if [ -x "$bin/zepsync-$sb-sandbox" ]; then
        rm -f "$state/$sb.url"
        start "$sb-sandbox" "$bin/zepsync-$sb-sandbox" --listen 127.0.0.1:0 --port-file "$state/$sb.url"
        for _ in $(seq 100); do [ -s "$state/$sb.url" ] && break; sleep 0.1; done
        [ -s "$state/$sb.url" ] || { echo "$sb sandbox did not start" >&2; exit 1; }
    fi
done

# Workers and producers join here as they are built; each reads ZS_* from this environment.
for w in personio-producer zep-producer employee-worker booking-worker absence-worker; do
    if [ -x "$bin/zepsync-$w" ]; then
        start "$w" "$bin/zepsync-$w"
    fi
done

echo
echo "redis:    $ZS_REDIS_URL"
echo "kafka:    $ZS_KAFKA_BROKERS"
for sb in personio zep; do [ -s "$state/$sb.url" ] && echo "$sb:  $(cat "$state/$sb.url")"; done
echo "tenants:  $ZS_TENANTS_DIR"

if [ $check = 1 ]; then
    redis-cli -p "$redis_port" ping | grep -q PONG
    kcat -b "$ZS_KAFKA_BROKERS" -L -J | grep -q '"booking-recorded"'
    echo '{"bookings":[{"id":"b1","start":"2026-06-02T08:00","end":"2026-06-02T17:00","project":"P1"}]}' |
        "$bin/zepsync" breaks
    echo "local stack ok"
    exit 0
fi
echo "running; Ctrl-C stops everything"
while sleep 3600; do :; done
