#!/usr/bin/env bash
# Times `stockade audit` on a Docker host running N containers.
#
#   scripts/bench-docker.sh N [RUNS]
#
# Starts a throwaway dockerd (its own data root, exec root, socket and a
# private network namespace), imports a busybox image (no registry needed),
# starts N containers with a mix of settings (all --network none), then runs
# the release build of `stockade audit` RUNS times (default 5) and prints the
# wall time of each run, process start included. Everything is removed on
# exit.
#
# STOCKADE_BENCH_COMMAND picks what is timed (default `audit --format json
# --fail-on none`); `model --format json` times the live threat model and
# `model --format markdown` its document.
#
# With DOCKER_BENCH_DIR=/path/to/docker-bench-security, docker-bench is timed
# once on the same daemon for comparison (it is not part of this repository:
# fetch it yourself, never commit it).
set -euo pipefail
cd "$(dirname "$0")/.."

count=${1:?usage: scripts/bench-docker.sh N [RUNS]}
runs=${2:-5}
say() { printf 'bench-docker: %s\n' "$*" >&2; }

[ "$(id -u)" -eq 0 ] || { say "needs root (it starts a dockerd)"; exit 2; }
busybox=${STOCKADE_BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || { say "needs a static busybox at $busybox (apt-get install busybox-static)"; exit 2; }

cargo build --release --locked -p stockade >&2
stockade=${CARGO_TARGET_DIR:-$PWD/target}/release/stockade

# shellcheck source=scripts/lib/bench-containers.bash
. scripts/lib/bench-containers.bash

command=${STOCKADE_BENCH_COMMAND:-audit --format json --fail-on none}
say "stockade $command, $runs runs, $count running containers"
times=()
for run in $(seq 1 "$runs"); do
    start=$(date +%s%N)
    # shellcheck disable=SC2086 # the command is a list of words
    "$stockade" $command --docker-host "$DOCKER_HOST" -o "$work/report.json"
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 ))
    times+=("$ms")
    printf 'run %d: %d.%03d s\n' "$run" $((ms / 1000)) $((ms % 1000))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
printf 'stockade: %d containers, median %d.%03d s (min %s ms, max %s ms) over %d runs\n' \
    "$count" $((median / 1000)) $((median % 1000)) "$(echo "$sorted" | head -1)" "$(echo "$sorted" | tail -1)" "$runs"
findings=$(grep -c '"status"' "$work/report.json" || true)
printf 'stockade: the last report holds %s status entries (checks and findings)\n' "$findings"

if [ -n "${DOCKER_BENCH_DIR:-}" ]; then
    say "docker-bench-security from $DOCKER_BENCH_DIR (one run)"
    start=$(date +%s%N)
    (cd "$DOCKER_BENCH_DIR" && bash docker-bench-security.sh -b -l "$work/docker-bench.log" >/dev/null 2>&1) || true
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 ))
    printf 'docker-bench-security: %d containers, %d.%03d s\n' "$count" $((ms / 1000)) $((ms % 1000))
fi
