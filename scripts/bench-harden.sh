#!/usr/bin/env bash
# Times `stockade harden` planning on a Docker host running N containers.
#
#   scripts/bench-harden.sh N [RUNS]
#
# Starts a throwaway dockerd (its own data root, exec root, socket and a
# private network namespace), imports a busybox image, starts N containers
# with a mix of settings (all --network none), collects one snapshot, then
# times the release build of `stockade harden --from SNAPSHOT` RUNS times
# (default 5): the plan alone (checks, threat evaluation, ranking, fix
# generation with recreate recipes, diffs), without the Engine API round
# trips. One live `stockade harden` (collection included) is timed too.
# Nothing is applied. Everything is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

count=${1:?usage: scripts/bench-harden.sh N [RUNS]}
runs=${2:-5}
say() { printf 'bench-harden: %s\n' "$*" >&2; }

[ "$(id -u)" -eq 0 ] || { say "needs root (it starts a dockerd)"; exit 2; }
busybox=${STOCKADE_BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || { say "needs a static busybox at $busybox (apt-get install busybox-static)"; exit 2; }

cargo build --release --locked -p stockade >&2
stockade=${CARGO_TARGET_DIR:-$PWD/target}/release/stockade

# shellcheck source=scripts/lib/bench-containers.bash
. scripts/lib/bench-containers.bash

"$stockade" collect --docker-host "$DOCKER_HOST" -o "$work/snapshot.json"

say "stockade harden --from snapshot, $runs runs, $count containers"
times=()
for run in $(seq 1 "$runs"); do
    start=$(date +%s%N)
    "$stockade" harden --from "$work/snapshot.json" --format json -o "$work/plan.json"
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 ))
    times+=("$ms")
    printf 'run %d: %d.%03d s\n' "$run" $((ms / 1000)) $((ms % 1000))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
entries=$(grep -c '"rank"' "$work/plan.json" || true)
printf 'harden planning: %d containers, %s plan entries, median %d.%03d s (min %s ms, max %s ms) over %d runs\n' \
    "$count" "$entries" $((median / 1000)) $((median % 1000)) "$(echo "$sorted" | head -1)" "$(echo "$sorted" | tail -1)" "$runs"

start=$(date +%s%N)
"$stockade" harden --docker-host "$DOCKER_HOST" --format json -o "$work/plan-live.json"
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
printf 'harden live (collection included): %d containers, %d.%03d s\n' "$count" $((ms / 1000)) $((ms % 1000))
