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
start devbroker "$bin/zepsync-devbroker" --brokers 3 --partitions 6 --die-with-parent --bootstrap-file "$state/bootstrap"
for _ in $(seq 100); do [ -s "$state/bootstrap" ] && break; sleep 0.1; done
[ -s "$state/bootstrap" ] || { echo "devbroker did not start" >&2; exit 1; }
export ZS_KAFKA_BROKERS=$(cat "$state/bootstrap")

export ZS_TENANTS_DIR=$state/tenants
for sb in personio zep; do
    if [ -x "$bin/zepsync-$sb-sandbox" ]; then
        rm -f "$state/$sb.url"
        extra=()
        [ $sb = zep ] && extra=(--instance zepdemo:demo-zep-rest-token:demo-zep-soap-token)
        start "$sb-sandbox" "$bin/zepsync-$sb-sandbox" --listen 127.0.0.1:0 --port-file "$state/$sb.url" "${extra[@]}"
        for _ in $(seq 100); do [ -s "$state/$sb.url" ] && break; sleep 0.1; done
        [ -s "$state/$sb.url" ] || { echo "$sb sandbox did not start" >&2; exit 1; }
    fi
done

# A demo tenant (fictional data) wired to both sandboxes; its secrets live in files.
provision_demo() {
    local purl zurl resp vac sick
    purl=$(cat "$state/personio.url")
    zurl=$(cat "$state/zep.url")
    printf 'demo-personio-secret\n' >"$state/secrets/demo-personio"
    printf 'demo-zep-rest-token\n' >"$state/secrets/demo-zep"
    printf 'demo-zep-soap-token\n' >"$state/secrets/demo-zep-soap"
    chmod 600 "$state/secrets/"*
    resp=$(curl -fsS -X POST "$purl/_sandbox/companies" -H 'Content-Type: application/json' \
        -d '{"name":"demo","client_id":"demo-client","client_secret":"demo-personio-secret","generate_persons":5}') ||
        { echo "could not create the demo company in the Personio sandbox" >&2; return 1; }
    vac=$(printf '%s' "$resp" | grep -o '"id":"[0-9a-f-]*","name":"Paid vacation"' | cut -d'"' -f4)
    sick=$(printf '%s' "$resp" | grep -o '"id":"[0-9a-f-]*","name":"Sick leave"' | cut -d'"' -f4)
    cat >"$state/tenants/demo.json" <<JSON
{"id":"demo",
 "personio":{"base_url":"$purl","client_id":"demo-client","client_secret_file":"$state/secrets/demo-personio",
             "partner_id":"ZEPSYNC","app_id":"ZEPSYNC"},
 "zep":{"base_url":"$zurl/zepdemo","token_file":"$state/secrets/demo-zep","soap_token_file":"$state/secrets/demo-zep-soap"},
 "sync_start_date":"2026-01-01",
 "employees":{"create_new":true,"match_by_email":true,"default_price_group":"01",
              "attributes":["first_name","last_name","email","personnel_number","weekly_working_hours","hire_date","termination_date"]},
 "attendances":{"mode":"daily","rules":"DE","deduction":"floating","cap":"warn","timezone":"Europe/Berlin"},
 "absences":{"leader":"personio","types":[{"personio":"$vac","zep":"UB"},{"personio":"$sick","zep":"KR"}]}}
JSON
    echo "demo tenant: $state/tenants/demo.json"
}
if [ -s "$state/personio.url" ] && [ -s "$state/zep.url" ]; then
    provision_demo
fi

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
    set -x
    redis-cli -p "$redis_port" ping | grep -q PONG
    kcat -b "$ZS_KAFKA_BROKERS" -L | grep -q 'topic "booking-recorded"'
    tok=$(curl -fsS -X POST "$(cat "$state/personio.url")/v2/auth/token" \
        -d 'grant_type=client_credentials&client_id=demo-client&client_secret=demo-personio-secret' |
        grep -o '"access_token":"[^"]*"' | cut -d'"' -f4)
    curl -fsS -H "Authorization: Bearer $tok" "$(cat "$state/personio.url")/v2/persons?limit=5" | grep -q '"_data"'
    curl -fsS -H 'Authorization: Bearer demo-zep-rest-token' -H 'Accept: application/json' \
        "$(cat "$state/zep.url")/zepdemo/next/api/v1/employees" | grep -q '"data"'
    if "$bin/zepsync" help 2>/dev/null | grep -q tenants; then "$bin/zepsync" tenants; fi
    echo '{"bookings":[{"id":"b1","start":"2026-06-02T08:00","end":"2026-06-02T17:00","project":"P1"}]}' |
        "$bin/zepsync" breaks
    set +x
    echo "local stack ok"
    exit 0
fi
echo "running; Ctrl-C stops everything"
while sleep 3600; do :; done
