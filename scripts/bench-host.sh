#!/usr/bin/env bash
# Times `stockade audit` (CIS Docker sections 1-3 and everything else that
# runs against a daemon) on a throwaway dockerd, process start included.
#
#   scripts/bench-host.sh [RUNS]
#
# Builds the release binary, starts an isolated dockerd (own data root, exec
# root, socket, --iptables=false), runs the audit RUNS times (default 20) and
# prints min / median / max wall time. Uses hyperfine when installed.
# Set DOCKER_BENCH_DIR to a docker-bench-security checkout to time it too,
# restricted to the same sections, on the same daemon.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}

cargo build --release -q -p stockade
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/stockade

work=$(mktemp -d /tmp/stockade-bench.XXXXXX)
cleanup() {
    [ -f "$work/dockerd.pid" ] && kill "$(cat "$work/dockerd.pid")" 2>/dev/null || true
    sleep 1
    awk -v p="$work" '$5 ~ "^"p {print $5}' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
echo '{}' > "$work/daemon.json"
dockerd --data-root "$work/data" --exec-root "$work/exec" --pidfile "$work/dockerd.pid" \
    --host "unix://$work/docker.sock" --config-file "$work/daemon.json" --iptables=false \
    >"$work/dockerd.log" 2>&1 &
for _ in $(seq 1 300); do
    curl -sf --unix-socket "$work/docker.sock" http://docker/_ping >/dev/null 2>&1 && break
    sleep 0.1
done
export DOCKER_HOST="unix://$work/docker.sock"

if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --warmup 2 --runs "$runs" -N "$bin audit --fail-on none --format json"
else
    times=()
    for _ in $(seq 1 "$runs"); do
        start=$(date +%s%N)
        "$bin" audit --fail-on none --format json >/dev/null || true
        end=$(date +%s%N)
        times+=($(( (end - start) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk -v n="$runs" '
        { t[NR] = $1 }
        END { printf "stockade audit: %d runs, min %.1f ms, median %.1f ms, max %.1f ms\n", n, t[1]/1000, t[int((n+1)/2)]/1000, t[n]/1000 }'
fi

if [ -n "${DOCKER_BENCH_DIR:-}" ]; then
    start=$(date +%s%N)
    (cd "$DOCKER_BENCH_DIR" && bash ./docker-bench-security.sh -b -c host_configuration,docker_daemon_configuration,docker_daemon_files >/dev/null 2>&1) || true
    end=$(date +%s%N)
    echo "docker-bench-security sections 1-3: $(( (end - start) / 1000000 )) ms"
fi
