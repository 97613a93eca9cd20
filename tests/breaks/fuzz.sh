#!/usr/bin/env bash
# Fuzzes the break-rule engine and its JSON front end with libFuzzer for a bounded time.
#
#   tests/breaks/fuzz.sh [SECONDS]    default 60; builds with clang into build-fuzz (ZS_FUZZ=ON)
#
# New interesting inputs land in build-fuzz/tests/breaks/fuzz/corpus (the checked-in seeds in
# tests/breaks/fuzz/corpus are read only); a crash is saved under .../fuzz/artifacts/ and makes
# this script exit non-zero. Reproduce one with: build-fuzz/tests/fuzz_breaks <artifact>
set -euo pipefail
secs=${1:-60}
case "$secs" in ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${ZS_FUZZ_BUILD:-$root/build-fuzz}
command -v clang >/dev/null || { echo "fuzz.sh: clang is required" >&2; exit 1; }
mkdir -p "$build"
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DZS_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    >"$build/fuzz-configure.log" 2>&1 || { cat "$build/fuzz-configure.log"; exit 1; }
cmake --build "$build" --target fuzz_breaks -j2 >"$build/fuzz-build.log" 2>&1 ||
    { tail -40 "$build/fuzz-build.log"; exit 1; }
out=$build/tests/breaks/fuzz
mkdir -p "$out/corpus" "$out/artifacts"
exec "$build/tests/fuzz_breaks" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$out/artifacts/" "$out/corpus" "$root/tests/breaks/fuzz/corpus"
