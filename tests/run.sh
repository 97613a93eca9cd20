#!/usr/bin/env bash
# zepsync test command: installs what is missing, builds (normal and ASan+UBSan), starts its own
# redis-server and embedded Kafka broker on loopback, runs every test through ctest, stops what it
# started (also on failure) and exits non-zero if anything failed.
#
#   tests/run.sh            default suites (unit + integration), both builds
#   tests/run.sh --long     also the slow suites (label "long"), valgrind over the unit tests,
#                           and 60 s of libFuzzer per fuzz target
#   tests/run.sh --quick    normal build only (for iterating locally)
#   tests/run.sh -R REGEX   only the tests whose name matches
set -euo pipefail
ZS_ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ZS_ROOT
. "$ZS_ROOT/tests/lib/deps.sh"

long=0 quick=0 filter=()
while [ $# -gt 0 ]; do
    case "$1" in
        --long) long=1 ;;
        --quick) quick=1 ;;
        -R) filter=(-R "$2"); shift ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

zs_install_deps
work=$(mktemp -d /tmp/zepsync-test.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "== build (normal)"
zs_build "$ZS_ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [ $quick = 0 ]; then
    echo "== build (asan+ubsan)"
    zs_build "$ZS_ROOT/build-asan" -DCMAKE_BUILD_TYPE=Debug -DZS_SANITIZE=ON
fi

redis_port=$(zs_free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --dir "$work" >"$work/redis.log" 2>&1 &
pids+=($!)
zs_wait_port "$redis_port" 10 || { echo "redis-server did not start"; cat "$work/redis.log"; exit 1; }
export ZS_TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
export ZS_TEST_REDIS_PORT=$redis_port
export ZS_TEST_WORKDIR=$work

if [ -x "$ZS_ROOT/build/bin/zepsync-devbroker" ]; then
    "$ZS_ROOT/build/bin/zepsync-devbroker" --brokers 3 --partitions 6 --die-with-parent \
        --bootstrap-file "$work/bootstrap" >"$work/devbroker.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do [ -s "$work/bootstrap" ] && break; sleep 0.1; done
    [ -s "$work/bootstrap" ] || { echo "devbroker did not start"; cat "$work/devbroker.log"; exit 1; }
    export ZS_TEST_KAFKA_BROKERS=$(cat "$work/bootstrap")
fi
echo "redis: $ZS_TEST_REDIS_URL  kafka: ${ZS_TEST_KAFKA_BROKERS:-none}"

labels='unit|integration'
[ $long = 1 ] && labels='unit|integration|long'
status=0
for dir in build build-asan; do
    [ $quick = 1 ] && [ $dir = build-asan ] && continue
    echo "== ctest ($dir)"
    # halt_on_error keeps a sanitizer finding from scrolling past as a mere log line.
    ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir "$ZS_ROOT/$dir" -L "$labels" "${filter[@]}" --output-on-failure \
        -j2 --timeout 600 || status=1
done
if [ $long = 1 ]; then
    # valgrind sees what the sanitizers do not (uninitialised reads) on the normal build.
    echo "== valgrind (unit tests, normal build)"
    for t in $(ctest --test-dir "$ZS_ROOT/build" -N -L unit | awk '/Test +#/ {print $3}'); do
        [ -x "$ZS_ROOT/build/tests/$t" ] || continue
        (cd "$ZS_ROOT/build/tests" && valgrind -q --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite "./$t") >"$work/valgrind-$t.log" 2>&1 &&
            echo "valgrind ok   $t" || { echo "valgrind FAIL $t"; tail -40 "$work/valgrind-$t.log"; status=1; }
    done
    # libFuzzer needs clang; only the fuzz targets are built there, for a bounded time each.
    echo "== fuzz (clang, build-fuzz, 60 s per target)"
    zs_build_targets "$ZS_ROOT/build-fuzz" "fuzz_breaks fuzz_codec fuzz_schema" \
        -DCMAKE_C_COMPILER=clang -DZS_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo || status=1
    ctest --test-dir "$ZS_ROOT/build-fuzz" -R '^fuzz_' --output-on-failure --timeout 300 || status=1
    # Corpus and crash artifacts stay in build-fuzz/ so a finding survives the cleanup.
    fz=$ZS_ROOT/build-fuzz/fuzz-schema
    mkdir -p "$fz/corpus" "$fz/artifacts"
    "$ZS_ROOT/build-fuzz/tests/fuzz_schema" -max_total_time=60 -max_len=8192 -timeout=10 \
        -artifact_prefix="$fz/artifacts/" "$fz/corpus" "$ZS_ROOT/schemas" \
        "$ZS_ROOT/schemas/examples" >"$fz/fuzz.log" 2>&1 ||
        { tail -30 "$fz/fuzz.log"; echo "artifacts: $fz/artifacts"; status=1; }
fi
exit $status
