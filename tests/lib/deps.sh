# Sourced by tests/run.sh and run-local.sh: installs the Debian packages zepsync builds and runs with,
# only when something is missing, so a prepared machine pays nothing and a fresh one needs nothing.
ZS_DEB_PACKAGES="build-essential cmake pkg-config clang librdkafka-dev libcurl4-openssl-dev libjson-c-dev
libhiredis-dev uuid-dev libmicrohttpd-dev libxml2-dev redis-server kcat tzdata curl valgrind"

zs_install_deps() {
    local missing=()
    for p in $ZS_DEB_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" != 0 ]; then
        echo "missing packages: ${missing[*]} (run as root, or install them)" >&2
        return 1
    fi
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || return 1
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || return 1
}

# zs_build DIR [cmake args...]: configure once, then build with both cores.
zs_build() {
    local dir=$1
    shift
    cmake -S "$ZS_ROOT" -B "$dir" "$@" >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; return 1; }
    cmake --build "$dir" -j"$(nproc)" >"$dir.build.log" 2>&1 || { tail -50 "$dir.build.log"; return 1; }
}

# zs_build_targets DIR "TARGETS" [cmake args...]: like zs_build, only the named targets.
zs_build_targets() {
    local dir=$1 targets=$2
    shift 2
    cmake -S "$ZS_ROOT" -B "$dir" "$@" >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; return 1; }
    # shellcheck disable=SC2086
    cmake --build "$dir" -j"$(nproc)" --target $targets >"$dir.build.log" 2>&1 ||
        { tail -50 "$dir.build.log"; return 1; }
}

zs_free_port() { # a loopback port nothing listens on (no python needed on a fresh machine)
    local p
    for _ in $(seq 200); do
        p=$((20000 + RANDOM % 30000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
    done
    return 1
}

# zs_wait_port PORT SECONDS
zs_wait_port() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
