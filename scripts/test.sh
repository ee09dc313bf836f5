#!/usr/bin/env bash
# Runs every stockade test against real components.
#
# Installs what the tests need when it is missing (Debian packages), starts an
# isolated throwaway dockerd (its own data root, exec root, pidfile, socket
# and --config-file in a temporary directory, --iptables=false), runs the
# whole test suite with STOCKADE_TEST_DOCKER_HOST pointing at it, then stops
# it. Tests that need a daemon with another configuration start their own in
# a private network namespace (crates/stockade-testkit). The Kubernetes tests
# start a real etcd (Debian's etcd-server) on free 127.0.0.1 ports, plain and
# with TLS, and read the kubeadm files of ../shared/corpus/k8s-node. The
# diagram tests render with Graphviz `dot` and mermaid-cli (`mmdc`, installed
# with npm, using Debian's chromium through the puppeteer configuration in
# STOCKADE_TEST_MMDC_CONFIG). The pre-commit hook tests run pre-commit (pip).
#
# With STOCKADE_REQUIRE_LIVE=1 (set by .ci/run) a daemon or etcd that cannot
# start, a missing renderer or a missing corpus, is a failure, not a skip. Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'test.sh: %s\n' "$*" >&2; }

packages=()
command -v dockerd >/dev/null 2>&1 || packages+=(docker.io)
command -v nsenter >/dev/null 2>&1 || packages+=(util-linux)
command -v ip >/dev/null 2>&1 || packages+=(iproute2)
command -v curl >/dev/null 2>&1 || packages+=(curl)
command -v docker-compose >/dev/null 2>&1 || packages+=(docker-compose)
command -v openssl >/dev/null 2>&1 || packages+=(openssl)
command -v etcd >/dev/null 2>&1 || packages+=(etcd-server)
# The diagram tests render with Graphviz and with mermaid-cli, which drives
# Debian's chromium (mermaid-cli itself comes from npm, below).
command -v dot >/dev/null 2>&1 || packages+=(graphviz fonts-dejavu-core)
[ -x /usr/bin/chromium ] || packages+=(chromium)
command -v mmdc >/dev/null 2>&1 || command -v npm >/dev/null 2>&1 || packages+=(npm)
# harden --format diff / script are checked with git apply, patch, bash -n and shellcheck.
command -v git >/dev/null 2>&1 || packages+=(git)
command -v patch >/dev/null 2>&1 || packages+=(patch)
command -v shellcheck >/dev/null 2>&1 || packages+=(shellcheck)
# Test images hold a statically linked busybox (no registry here).
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || packages+=(busybox-static)
if [ ${#packages[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        say "installing ${packages[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq "${packages[@]}" >/dev/null
    else
        say "missing ${packages[*]} and not root: live tests will be skipped"
    fi
fi

if ! command -v mmdc >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v npm >/dev/null 2>&1; then
        say "installing mermaid-cli"
        # It drives Debian's chromium: no browser download.
        PUPPETEER_SKIP_DOWNLOAD=1 npm install -g --no-fund --no-audit @mermaid-js/mermaid-cli >/dev/null
    else
        say "mermaid-cli (mmdc) missing and not root or no npm: diagram tests will not render"
    fi
fi

# The pre-commit hook tests run the real pre-commit, from PyPI.
if ! command -v pre-commit >/dev/null 2>&1; then
    if command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then
        say "installing pre-commit"
        python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore pre-commit >/dev/null ||
            say "pip could not install pre-commit: pre-commit hook tests will be skipped"
        hash -r
    else
        say "pre-commit missing and no pip: pre-commit hook tests will be skipped"
    fi
fi

work=$(mktemp -d /tmp/stockade-test.XXXXXX)
# mermaid-cli's browser: Debian's chromium, run as root without its sandbox.
cat > "$work/puppeteer.json" <<'JSON'
{"executablePath": "/usr/bin/chromium", "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]}
JSON
export STOCKADE_TEST_MMDC_CONFIG="$work/puppeteer.json"
dockerd_pid=""
cleanup() {
    if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
        kill -TERM "$dockerd_pid" 2>/dev/null || true
        for _ in $(seq 1 200); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$dockerd_pid" 2>/dev/null || true
    fi
    # dockerd leaves mounts below its data root when killed: unmount, deepest first.
    awk -v p="$work" '$5 ~ "^"p {print $5}' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT

if [ "$(id -u)" -eq 0 ] && command -v dockerd >/dev/null 2>&1; then
    echo '{}' > "$work/daemon.json"
    dockerd \
        --data-root "$work/data" \
        --exec-root "$work/exec" \
        --pidfile "$work/dockerd.pid" \
        --host "unix://$work/docker.sock" \
        --config-file "$work/daemon.json" \
        --iptables=false \
        >"$work/dockerd.log" 2>&1 &
    dockerd_pid=$!
    for _ in $(seq 1 600); do
        if curl -sf --max-time 2 --unix-socket "$work/docker.sock" http://docker/_ping >/dev/null 2>&1; then
            break
        fi
        kill -0 "$dockerd_pid" 2>/dev/null || break
        sleep 0.1
    done
    if curl -sf --max-time 2 --unix-socket "$work/docker.sock" http://docker/_ping >/dev/null 2>&1; then
        say "test dockerd ready at unix://$work/docker.sock"
        export STOCKADE_TEST_DOCKER_HOST="unix://$work/docker.sock"
        export STOCKADE_TEST_DOCKER_CONFIG="$work/daemon.json"
    else
        say "test dockerd did not start:"; tail -5 "$work/dockerd.log" >&2 || true
        if [ "${STOCKADE_REQUIRE_LIVE:-0}" = 1 ]; then exit 1; fi
    fi
elif [ "${STOCKADE_REQUIRE_LIVE:-0}" = 1 ]; then
    say "STOCKADE_REQUIRE_LIVE=1 needs root and dockerd"; exit 1
fi

cargo test --workspace --locked "$@"
