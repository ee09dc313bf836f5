#!/usr/bin/env python3
"""Compares checkov's failed checks with stockade's findings, object by object.

For every checkov rule that has a stockade counterpart, counts the objects
(file + line range) checkov flags and how many of them stockade flags with
the corresponding rule (a finding of that rule inside the object's lines).
Prints one Markdown row per rule, and with --misses the objects stockade did
not flag, so each difference can be looked at.

  checkov -d k8s --framework kubernetes --quiet --compact -o json > checkov.json
  stockade scan k8s --format json --fail-on none > stockade.json
  scripts/compare-checkov.py checkov.json stockade.json [--exclude SOURCE]... [--misses]
"""

import json
import sys
from collections import defaultdict

# checkov id -> stockade rule ids that cover it.
SAME_RULE = {
    "CKV_K8S_10": ["k8s-resource-requests-missing"],
    "CKV_K8S_11": ["k8s-cpu-limit-missing"],
    "CKV_K8S_12": ["k8s-resource-requests-missing"],
    "CKV_K8S_13": ["k8s-memory-limit-missing"],
    "CKV_K8S_14": ["k8s-image-latest-tag"],
    "CKV_K8S_16": ["k8s-privileged-container"],
    "CKV_K8S_17": ["k8s-host-pid"],
    "CKV_K8S_18": ["k8s-host-ipc"],
    "CKV_K8S_19": ["k8s-host-network"],
    "CKV_K8S_20": ["k8s-privilege-escalation-allowed"],
    "CKV_K8S_21": ["k8s-default-namespace"],
    "CKV_K8S_22": ["k8s-root-filesystem-writable"],
    "CKV_K8S_23": ["k8s-runs-as-root"],
    "CKV_K8S_25": ["k8s-capabilities-added"],
    "CKV_K8S_26": ["k8s-host-port"],
    "CKV_K8S_27": ["k8s-host-path-volume"],
    "CKV_K8S_28": ["k8s-net-raw-not-dropped"],
    "CKV_K8S_31": ["k8s-seccomp-unconfined"],
    "CKV_K8S_35": ["k8s-secret-in-env"],
    "CKV_K8S_37": ["k8s-capabilities-not-dropped"],
    "CKV_K8S_38": ["k8s-service-account-token-mounted"],
    "CKV_K8S_39": ["k8s-capabilities-added"],
    "CKV_K8S_41": ["k8s-default-service-account"],
    "CKV_K8S_42": ["k8s-default-service-account"],
    "CKV_K8S_43": ["k8s-image-not-pinned", "k8s-image-latest-tag"],
    "CKV_K8S_49": ["k8s-rbac-wildcard"],
    "CKV_K8S_155": ["k8s-rbac-webhook-config"],
    "CKV_K8S_156": ["k8s-rbac-csr-approval"],
    "CKV_K8S_157": ["k8s-rbac-escalation-verbs"],
    "CKV_K8S_158": ["k8s-rbac-escalation-verbs"],
    "CKV2_K8S_3": ["k8s-rbac-escalation-verbs"],
    "CKV2_K8S_5": ["k8s-rbac-secrets-read"],
    "CKV2_K8S_6": ["k8s-namespace-without-network-policy"],
    "CKV_DOCKER_1": ["dockerfile-exposes-ssh"],
    "CKV_DOCKER_2": ["dockerfile-no-healthcheck"],
    "CKV_DOCKER_3": ["dockerfile-runs-as-root"],
    "CKV_DOCKER_4": ["dockerfile-add-instead-of-copy", "dockerfile-add-from-url"],
    "CKV_DOCKER_5": ["dockerfile-update-without-install"],
    "CKV_DOCKER_7": ["dockerfile-base-image-latest"],
    "CKV_DOCKER_8": ["dockerfile-runs-as-root"],
    "CKV2_DOCKER_1": ["dockerfile-sudo"],
    "CKV2_DOCKER_7": ["dockerfile-package-signature-unchecked"],
    "CKV2_DOCKER_17": ["dockerfile-hardcoded-secret"],
}
for n in (2, 3, 4, 5, 6, 12, 13, 14, 15, 16):
    SAME_RULE[f"CKV2_DOCKER_{n}"] = ["dockerfile-tls-verification-disabled"]
for n in (8, 9, 10, 11):
    SAME_RULE[f"CKV2_DOCKER_{n}"] = ["dockerfile-package-signature-unchecked"]


def normalise(path):
    return path.lstrip("./").lstrip("/")


def checkov_failures(path):
    data = json.load(open(path))
    reports = data if isinstance(data, list) else [data]
    for report in reports:
        for failed in report.get("results", {}).get("failed_checks", []):
            yield failed


def stockade_lines(path):
    """(file, rule) -> sorted lines of stockade findings."""
    data = json.load(open(path))
    lines = defaultdict(list)
    for file in data["files"]:
        for finding in file["findings"]:
            location = (finding.get("evidence") or [{}])[0].get("location") or {}
            lines[(normalise(file["path"]), finding["check"])].append(location.get("line", 0))
    return lines


def main(argv):
    show_misses = "--misses" in argv
    excludes = [argv[i + 1] for i, a in enumerate(argv) if a == "--exclude"]
    positional = [a for i, a in enumerate(argv) if not a.startswith("--") and (i == 0 or argv[i - 1] != "--exclude")]
    checkov_json, stockade_json = positional[:2]
    ours = stockade_lines(stockade_json)
    suffixes = defaultdict(list)
    for (file, rule) in ours:
        suffixes[file.split("/", 1)[-1]].append(file)

    totals = defaultdict(lambda: [0, 0])
    misses = defaultdict(list)
    for failed in checkov_failures(checkov_json):
        rule = failed["check_id"]
        if rule not in SAME_RULE:
            continue
        file = normalise(failed["file_path"])
        if any(e in file for e in excludes):
            continue
        start, end = failed.get("file_line_range") or [0, 0]
        # checkov paths are relative to the scanned directory.
        candidates = [f for f in suffixes.get(file, [])] or [file]
        # A resource naming the whole file (`path.`) matches anywhere in it.
        whole_file = failed.get("resource", "").endswith(".")
        found = any(
            (whole_file or start <= line <= end)
            for ours_rule in SAME_RULE[rule]
            for f in candidates
            for line in ours.get((f, ours_rule), [])
        )
        totals[rule][0] += 1
        if found:
            totals[rule][1] += 1
        else:
            misses[rule].append(f"{file}:{start}-{end} {failed.get('resource', '')}")

    print("| checkov | stockade | objects checkov flags | also flagged by stockade | missed |")
    print("|---|---|---:|---:|---:|")
    for rule in sorted(totals, key=lambda r: (r.split("_")[0], int(r.split("_")[-1]))):
        flagged, both = totals[rule]
        print(f"| {rule} | {', '.join(SAME_RULE[rule])} | {flagged} | {both} | {flagged - both} |")
    if show_misses:
        for rule, items in sorted(misses.items()):
            print(f"\n## {rule} ({len(items)} missed)")
            for item in items[:40]:
                print(f"- {item}")


if __name__ == "__main__":
    main(sys.argv[1:])
