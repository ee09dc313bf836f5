#!/usr/bin/env bash
# Times `stockade model` (process start included): the generic model of
# Docker and Kubernetes with no host, as text, JSON and a Markdown document.
# A live model of N running containers is timed by
#   STOCKADE_BENCH_COMMAND="model --format json" scripts/bench-docker.sh N
#
#   scripts/bench-model.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
cargo build --release -q -p stockade
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/stockade
empty=$(mktemp -d)
trap 'rm -rf "$empty"' EXIT
mkdir -p "$empty/etc"
hyperfine --warmup 3 --runs "$runs" -N \
    "$bin model --host-root $empty --docker-host unix:///nonexistent.sock" \
    "$bin model --host-root $empty --docker-host unix:///nonexistent.sock --format markdown" \
    "$bin model --generic --format json" \
    "$bin model --generic --format markdown"
