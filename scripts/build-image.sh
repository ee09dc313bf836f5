#!/usr/bin/env bash
# Builds the stockade image on the Docker daemon at DOCKER_HOST.
#
#   scripts/build-image.sh [TAG]        (default: stockade:VERSION)
#
# Compiles a statically linked release binary (the host's gnu target with
# -C target-feature=+crt-static: stockade reads /etc/passwd and /etc/group
# itself and needs no NSS module, so nothing is loaded at run time), checks
# that it is static, and builds deploy/image/Dockerfile FROM scratch with the
# binary as its only file. No base image and no registry are needed.
#
# Prints the image id on standard output; progress goes to standard error.
# STOCKADE_IMAGE_MAX_MB (default 30) is the size the image must stay under.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'build-image: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
[ -n "$version" ] || die "no version in Cargo.toml"
tag=${1:-stockade:$version}
max_mb=${STOCKADE_IMAGE_MAX_MB:-30}

command -v docker >/dev/null 2>&1 || die "needs the docker client (apt-get install docker.io)"
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 ||
    die "no Docker daemon answers at ${DOCKER_HOST:-unix:///var/run/docker.sock}"

triple=$(rustc -vV | sed -n 's/^host: //p')
case "$triple" in
    *-linux-gnu) ;;
    *) die "the static build needs a *-linux-gnu host target, not $triple" ;;
esac
target_dir=${CARGO_TARGET_DIR:-target}
say "building a static release binary for $triple"
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
    cargo build --release --locked -p stockade --target "$triple" >&2
binary=$target_dir/$triple/release/stockade
[ -x "$binary" ] || die "cargo built no $binary"

# ldd exits non-zero on a static executable; its words differ between
# versions ("not a dynamic executable", "statically linked").
if ldd "$binary" 2>&1 | grep -q '=>'; then
    ldd "$binary" >&2 || true
    die "$binary is dynamically linked: it cannot run FROM scratch"
fi

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
cp deploy/image/Dockerfile "$context/Dockerfile"
cp "$binary" "$context/stockade"
strip "$context/stockade" 2>/dev/null || true

revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
say "building $tag (FROM scratch)"
DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-0} docker build --quiet \
    --build-arg "VERSION=$version" \
    --build-arg "REVISION=$revision" \
    --build-arg "CREATED=$created" \
    --tag "$tag" "$context" >/dev/null

size=$(docker image inspect --format '{{.Size}}' "$tag")
say "$tag: $((size / 1024 / 1024)) MiB ($size bytes)"
[ "$size" -lt $((max_mb * 1000 * 1000)) ] || die "$tag is $size bytes, over ${max_mb} MB"
docker image inspect --format '{{.Id}}' "$tag"
