#!/usr/bin/env bash
# Times `stockade report` on a fleet of HOSTS host files (default 1000).
#
#   scripts/bench-report.sh [HOSTS] [RUNS]
#
# Starts a throwaway dockerd (its own data root, exec root, socket and a
# private network namespace) running 20 containers with a mix of settings
# (all --network none), collects one snapshot of it and one of a bare host
# root, audits both to JSON, then writes HOSTS files: a quarter each of the
# two snapshots and of the two audit results, each with its own hostname
# (node-1 … node-HOSTS). Then hyperfine times the release build of
# `stockade report DIR` in JSON, text and HTML (snapshots are judged and
# every host's threat model evaluated in each run). Everything is removed
# on exit; STOCKADE_BENCH_KEEP=DIR copies the host files there first.
set -euo pipefail
cd "$(dirname "$0")/.."

hosts=${1:-1000}
runs=${2:-10}
count=20
say() { printf 'bench-report: %s\n' "$*" >&2; }

[ "$(id -u)" -eq 0 ] || { say "needs root (it starts a dockerd)"; exit 2; }
command -v hyperfine >/dev/null || { say "needs hyperfine (apt-get install hyperfine)"; exit 2; }
busybox=${STOCKADE_BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || { say "needs a static busybox at $busybox (apt-get install busybox-static)"; exit 2; }

# STOCKADE_BENCH_BIN times another build (a profiling one) instead.
stockade=${STOCKADE_BENCH_BIN:-}
if [ -z "$stockade" ]; then
    cargo build --release --locked -p stockade >&2
    stockade=${CARGO_TARGET_DIR:-$PWD/target}/release/stockade
fi

# shellcheck source=scripts/lib/bench-containers.bash
. scripts/lib/bench-containers.bash

# The four originals: a daemon with containers and a bare host root, each
# as a snapshot and as audit results.
mkdir -p "$work/root/etc/docker" "$work/originals" "$work/fleet"
echo '{"icc": false, "live-restore": true}' > "$work/root/etc/docker/daemon.json"
"$stockade" collect --docker-host "$DOCKER_HOST" -o "$work/originals/daemon-snapshot.json"
"$stockade" collect --host-root "$work/root" --docker-host "unix://$work/none.sock" \
    -o "$work/originals/root-snapshot.json"
for kind in daemon root; do
    # (DOCKER_HOST, exported for the daemon, is refused next to --from.)
    # The bare root has no daemon: checks that need one say error, exit 2.
    env -u DOCKER_HOST "$stockade" audit --from "$work/originals/$kind-snapshot.json" --format json --fail-on none \
        -o "$work/originals/$kind-audit.json" || [ -s "$work/originals/$kind-audit.json" ]
done
originals=(daemon-snapshot root-snapshot daemon-audit root-audit)

say "writing $hosts host files"
for i in $(seq 1 "$hosts"); do
    original=${originals[$(( (i - 1) % 4 ))]}
    # Each file names its own host (the snapshot's host, the audit's target).
    sed "0,/\"hostname\": [^,]*,/s//\"hostname\": \"node-$i\",/" \
        "$work/originals/$original.json" > "$work/fleet/node-$i.json"
done
du -sh "$work/fleet" | awk -v n="$hosts" '{printf "bench-report: %d files, %s\n", n, $1}' >&2

if [ -n "${STOCKADE_BENCH_KEEP:-}" ]; then
    mkdir -p "$STOCKADE_BENCH_KEEP" && cp -r "$work/fleet" "$work/originals" "$STOCKADE_BENCH_KEEP/"
fi

hyperfine --warmup 1 --runs "$runs" -N \
    --export-json "$work/hyperfine.json" \
    "$stockade report $work/fleet --format json --fail-on none -o $work/report.json" \
    "$stockade report $work/fleet --format text --fail-on none -o $work/report.txt" \
    "$stockade report $work/fleet --format html --fail-on none -o $work/report.html"

reported=$(grep -o '"hosts": [0-9]*' "$work/report.json" | head -1)
say "the JSON report counts $reported (expected $hosts)"
