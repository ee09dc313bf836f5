#!/usr/bin/env bash
# The steps of stockade's GitHub Action (action.yml at the repository root).
#
#   action.sh install   get stockade (INPUT_VERSION) and put it on PATH
#   action.sh run       run `stockade scan` or `stockade audit` and write the report
#
# The inputs arrive as environment variables, mapped by action.yml's `env:`
# blocks (a composite action sets no INPUT_* by itself): INPUT_VERSION,
# INPUT_COMMAND, INPUT_PATH, INPUT_FORMAT, INPUT_OUTPUT, INPUT_FAIL_ON,
# INPUT_CONFIG. They are never pasted into shell code, so an input cannot
# inject a command. GitHub's own variables are used when set:
# GITHUB_ACTION_PATH (this repository's checkout), RUNNER_TEMP, GITHUB_PATH,
# GITHUB_OUTPUT and GITHUB_STEP_SUMMARY. The same script runs outside
# GitHub with those variables set by hand (crates/stockade/tests/ci_action.rs
# does that).
#
# `run` exits with stockade's code: 0 nothing at or above fail-on, 1 findings
# at or above it, 2 a usage or runtime error. The report is written in every
# case, so a later step (SARIF upload) can run with `if: ${{ !cancelled() }}`.
set -euo pipefail

say() { printf 'stockade-action: %s\n' "$*" >&2; }

# A workflow error annotation (stdout is where GitHub reads them), then exit 2.
fail() {
    printf '::error title=stockade::%s\n' "$*"
    exit 2
}

# Appends KEY=VALUE to a GitHub file variable (GITHUB_OUTPUT...) when it is set.
github_file() {
    local file=$1 line=$2
    if [ -n "$file" ]; then
        printf '%s\n' "$line" >>"$file"
    fi
}

install() {
    local version=${INPUT_VERSION:-source}
    local root="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/stockade"
    case $version in
        installed)
            command -v stockade >/dev/null 2>&1 ||
                fail "version is 'installed' but there is no stockade on PATH: install it in an earlier step"
            say "using $(command -v stockade)"
            stockade --version
            return
            ;;
        source)
            command -v cargo >/dev/null 2>&1 ||
                fail "building stockade needs cargo (Rust 1.95 or later): add a Rust toolchain step before this action, or install stockade yourself and set version: installed"
            [ -f "${GITHUB_ACTION_PATH:-}/crates/stockade/Cargo.toml" ] ||
                fail "GITHUB_ACTION_PATH (${GITHUB_ACTION_PATH:-unset}) is not a checkout of stockade"
            say "building stockade from $GITHUB_ACTION_PATH (the ref this action was used at)"
            printf '::group::cargo install stockade\n'
            cargo install --locked --path "$GITHUB_ACTION_PATH/crates/stockade" --root "$root"
            printf '::endgroup::\n'
            ;;
        *)
            [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] ||
                fail "version must be 'source', 'installed' or a release such as 0.1.0, not '$version'"
            command -v cargo >/dev/null 2>&1 ||
                fail "installing stockade $version from crates.io needs cargo: add a Rust toolchain step before this action"
            say "installing stockade $version from crates.io"
            printf '::group::cargo install stockade %s\n' "$version"
            cargo install --locked stockade --version "=$version" --root "$root"
            printf '::endgroup::\n'
            ;;
    esac
    github_file "${GITHUB_PATH:-}" "$root/bin"
    "$root/bin/stockade" --version
}

run() {
    local command=${INPUT_COMMAND:-scan}
    local format=${INPUT_FORMAT:-sarif}
    local output=${INPUT_OUTPUT:-stockade.sarif}
    local fail_on=${INPUT_FAIL_ON:-high}
    local config=${INPUT_CONFIG:-}
    command -v stockade >/dev/null 2>&1 ||
        fail "no stockade on PATH (the install step puts it there)"

    local args=("$command")
    case $command in
        scan)
            case $format in
                text | json | sarif) ;;
                *) fail "format must be text, json or sarif for scan, not '$format'" ;;
            esac
            # One path per line; surrounding blanks and empty lines are dropped.
            local line paths=()
            while IFS= read -r line; do
                line="${line#"${line%%[![:space:]]*}"}"
                line="${line%"${line##*[![:space:]]}"}"
                if [ -n "$line" ]; then paths+=("$line"); fi
            done <<<"${INPUT_PATH:-.}"
            if [ ${#paths[@]} -eq 0 ]; then paths=(.); fi
            args+=("${paths[@]}")
            ;;
        audit)
            case $format in
                text | json) ;;
                sarif) fail "stockade audit writes text or json, not sarif (host findings have no file regions): set format: json and an output such as stockade-audit.json" ;;
                *) fail "format must be text or json for audit, not '$format'" ;;
            esac
            ;;
        *) fail "command must be scan or audit, not '$command'" ;;
    esac
    if [ -n "$config" ]; then
        # Never pass a flag this stockade lacks (an older one installed with version: installed).
        if stockade "$command" --help 2>/dev/null | grep -q -e '--config'; then
            args+=(--config "$config")
        else
            fail "config '$config' was given but this stockade has no --config option yet: leave config empty"
        fi
    fi
    args+=(--format "$format" --output "$output" --fail-on "$fail_on")
    mkdir -p -- "$(dirname -- "$output")"

    local runner=(stockade)
    if [ "$command" = audit ] && [ "$(id -u)" -ne 0 ] && sudo -n true 2>/dev/null; then
        # Host files (/etc/docker, unit files, audit rules) are root's to read.
        say "auditing as root through sudo"
        runner=(sudo -n --preserve-env=DOCKER_HOST "$(command -v stockade)")
    fi

    say "${runner[*]} ${args[*]}"
    local code=0
    "${runner[@]}" "${args[@]}" || code=$?
    if [ "${runner[0]}" = sudo ] && [ -e "$output" ]; then
        sudo -n chown "$(id -u):$(id -g)" -- "$output" || true
    fi

    local summary=""
    if [ "$command" = scan ] && [ "$format" != text ]; then
        # The last two lines of the text report count findings and files; scans are cheap.
        summary=$(stockade scan "${paths[@]}" --fail-on none 2>/dev/null | tail -n 2) || true
        if [ -n "$summary" ]; then printf '%s\n' "$summary"; fi
    fi
    local verdict
    case $code in
        0) verdict="nothing at or above $fail_on" ;;
        1) verdict="findings at or above $fail_on" ;;
        *) verdict="error (exit $code): some input could not be assessed, or a usage error" ;;
    esac
    if [ -e "$output" ]; then
        say "report written to $output; $verdict"
    else
        say "no report written; $verdict"
    fi
    github_file "${GITHUB_OUTPUT:-}" "report=$output"
    github_file "${GITHUB_OUTPUT:-}" "exit-code=$code"
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
        local tick="\`"
        {
            printf '### stockade %s\n\n%s%s%s: %s\n' "$command" "$tick" "$output" "$tick" "$verdict"
            if [ -n "$summary" ]; then printf '\n%s\n%s\n%s\n' "$tick$tick$tick" "$summary" "$tick$tick$tick"; fi
        } >>"$GITHUB_STEP_SUMMARY"
    fi
    exit "$code"
}

case ${1:-} in
    install) install ;;
    run) run ;;
    *)
        printf 'usage: %s install|run (inputs in INPUT_* variables, see action.yml)\n' "$0" >&2
        exit 2
        ;;
esac
