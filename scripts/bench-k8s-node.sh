#!/usr/bin/env bash
# Times a Kubernetes node audit (CIS Kubernetes 1.12 sections 1-4) of the
# kubeadm files in ../shared/corpus/k8s-node, mounted as a fake node root,
# process start included.
#
#   scripts/bench-k8s-node.sh [RUNS]
#
# Builds the release binary, assembles a node root in a temporary directory
# from the corpus (stock kubeadm v1.29 control plane, kubeadm kubelet drop-in
# and flags file, kubeadm KubeletConfiguration), runs
# `stockade audit --host-root ROOT --target kubernetes` RUNS times (default
# 20) and prints min / median / max wall time (hyperfine when installed).
#
# kube-bench cannot audit a mounted root (it has no offline mode) and cannot
# be built here, so for comparison the script also times the floor of its
# design on this machine: one /bin/sh pipeline per tested check of sections
# 1-4 (92 of them), each a `ps -ef | grep` or a `stat`, as kube-bench runs
# its audits. Set KUBE_BENCH to a kube-bench binary to time a real
# `kube-bench run --targets master,etcd,controlplane,node` on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
corpus=${STOCKADE_K8S_CORPUS:-$PWD/../shared/corpus/k8s-node}
[ -d "$corpus" ] || { echo "no corpus at $corpus" >&2; exit 2; }

cargo build --release -q -p stockade
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/stockade

root=$(mktemp -d /tmp/stockade-node-bench.XXXXXX)
trap 'rm -rf "$root"' EXIT
for source in zetaoss-zeta-linux cy-gu-kubernetes-install-tutorial joneconsulting-k8s; do
    cp -r "$corpus/$source/." "$root/"
done
chmod -R u+w "$root"
audit=("$bin" audit --host-root "$root" --target kubernetes --fail-on none --format json --output /dev/null)

ms() { awk -v n="$1" '{ t[NR] = $1 } END { printf "%d runs, min %.1f ms, median %.1f ms, max %.1f ms\n", n, t[1]/1000, t[int((n+1)/2)]/1000, t[n]/1000 }'; }
time_runs() {
    local n=$1; shift
    local times=()
    for _ in $(seq 1 "$n"); do
        local start end
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        end=$(date +%s%N)
        times+=($(( (end - start) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | ms "$n"
}

checks=$("$bin" audit --host-root "$root" --target kubernetes --fail-on none --format json | grep -c '"benchmark": "cis-kubernetes"' || true)
echo "stockade node audit of the corpus root ($checks checks):"
if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --warmup 2 --runs "$runs" -N "${audit[*]}"
else
    printf '  '; time_runs "$runs" "${audit[@]}"
fi

shell_audits() {
    for _ in $(seq 1 46); do /bin/sh -c '/bin/ps -ef | grep kube-apiserver | grep -v grep' >/dev/null; done
    for _ in $(seq 1 46); do /bin/sh -c "stat -c permissions=%a $root/etc/kubernetes/manifests/kube-apiserver.yaml" >/dev/null; done
}
echo "kube-bench design floor (92 shell audits: 46 ps pipelines, 46 stat):"
printf '  '; time_runs 5 shell_audits

if [ -n "${KUBE_BENCH:-}" ]; then
    echo "kube-bench run --targets master,etcd,controlplane,node (this machine, live):"
    printf '  '; time_runs 5 "$KUBE_BENCH" run --targets master,etcd,controlplane,node --json
fi
