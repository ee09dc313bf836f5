//! The FROM-scratch image of scripts/build-image.sh, built on a real dockerd
//! and run the ways README.md and deploy/kubernetes/ say: its verdicts must
//! be the native binary's, check by check.
//!
//! No Kubernetes cluster can run here (no kube-apiserver is installable),
//! so the Job's pod spec is translated into the `docker run` that gives the
//! same process the same view — hostPID → `--pid host`, each hostPath
//! volume → a read-only bind mount, the security context → user,
//! capabilities, read-only root — and run on a node root assembled from the
//! real kubeadm files of ../shared/corpus/k8s-node.

#![allow(clippy::unwrap_used, clippy::print_stderr)] // tests stop at the first surprise

mod common;
mod k8s_common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::audit_json;
use serde_json::{Value, json};
use stockade_testkit::{TestDaemon, live_or_skip};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Builds the image on `daemon` with the repository's script. The static
/// binary goes to its own target directory: the test run holds the lock of
/// the one this test was built in.
fn build_image(daemon: &TestDaemon, tag: &str) {
    let target_dir = std::env::var_os("STOCKADE_IMAGE_TARGET_DIR")
        .map_or_else(|| repo().join("target/static-image"), PathBuf::from);
    let output = Command::new(repo().join("scripts/build-image.sh"))
        .arg(tag)
        .env("DOCKER_HOST", daemon.socket_url())
        .env("CARGO_TARGET_DIR", &target_dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "scripts/build-image.sh failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let binary = target_dir.join(host_triple()).join("release/stockade");
    let ldd = Command::new("ldd").arg(&binary).output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&ldd.stdout),
        String::from_utf8_lossy(&ldd.stderr)
    );
    assert!(
        said.contains("not a dynamic executable") || said.contains("statically linked"),
        "ldd {}: {said}",
        binary.display()
    );
}

fn host_triple() -> String {
    let output = Command::new("rustc").arg("-vV").output().unwrap();
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap()
        .to_owned()
}

/// `docker run --rm ARGS`, its standard output parsed as JSON.
fn run_json(daemon: &TestDaemon, args: &[String]) -> Value {
    let mut all = vec!["run".to_owned(), "--rm".to_owned()];
    all.extend(args.iter().cloned());
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    let output = daemon.docker(&refs);
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "docker {} printed no JSON ({e}); stderr: {}",
            all.join(" "),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// Check id → its overall status.
fn verdicts(report: &Value) -> BTreeMap<String, String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// (check, subject, status) of every finding: containers and files are
/// judged one by one, and each must agree.
fn finding_verdicts(report: &Value) -> Vec<(String, String, String)> {
    let mut all: Vec<(String, String, String)> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["findings"].as_array().cloned().unwrap_or_default())
        .map(|f| {
            (
                f["check"].as_str().unwrap_or_default().to_owned(),
                f["subject"]["name"].as_str().unwrap_or_default().to_owned(),
                f["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    all.sort();
    all
}

fn differences(native: &Value, contained: &Value) -> Vec<String> {
    let native = verdicts(native);
    let contained = verdicts(contained);
    native
        .keys()
        .chain(contained.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|id| native.get(*id) != contained.get(*id))
        .map(|id| {
            format!(
                "{id}: native {}, in the container {}",
                native.get(id).map_or("absent", String::as_str),
                contained.get(id).map_or("absent", String::as_str)
            )
        })
        .collect()
}

#[test]
fn the_docker_bench_style_run_gives_the_native_verdicts() {
    // The running daemon's flags differ from the packaged unit file's
    // (which has no --iptables=false): only the process tells the truth.
    let Some(daemon) = live_or_skip(json!({"iptables": false})) else {
        return;
    };
    let tag = "stockade:image-test";
    build_image(&daemon, tag);

    let inspect: Value = serde_json::from_slice(
        &daemon
            .docker(&["image", "inspect", tag, "--format", "{{json .}}"])
            .stdout,
    )
    .unwrap();
    let labels = &inspect["Config"]["Labels"];
    for label in ["source", "version", "licenses"] {
        let value = labels[format!("org.opencontainers.image.{label}")]
            .as_str()
            .unwrap_or_default();
        assert!(!value.is_empty(), "no OCI {label} label: {labels}");
    }
    assert_eq!(
        labels["org.opencontainers.image.version"],
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(
        inspect["Config"]["Entrypoint"],
        json!(["/usr/local/bin/stockade"])
    );
    let size = inspect["Size"].as_u64().unwrap();
    assert!(size < 30_000_000, "the image is {size} bytes");
    assert_eq!(inspect["RootFS"]["Layers"].as_array().unwrap().len(), 1);

    // A workload for the container checks: one running, one risky.
    daemon.import_busybox("busybox:test").unwrap();
    daemon
        .docker_checked(&[
            "run",
            "-d",
            "--network",
            "none",
            "--name",
            "plain",
            "busybox:test",
        ])
        .unwrap();
    daemon
        .docker_checked(&[
            "create",
            "--network",
            "none",
            "--privileged",
            "--name",
            "risky",
            "busybox:test",
        ])
        .unwrap();

    let socket = daemon.socket().display().to_string();
    let (native, _) = audit_json(&["--docker-host", &daemon.socket_url()]);
    // README.md's line, with the test daemon's socket mounted where a
    // host's default socket would be.
    let readme_line = |pid_host: bool| -> Vec<String> {
        let mut args: Vec<String> = vec!["--network".into(), "none".into()];
        if pid_host {
            args.extend(["--pid".into(), "host".into()]);
        }
        args.extend(
            [
                "--userns",
                "host",
                "-v",
                "/:/host:ro",
                "-v",
                &format!("{socket}:/var/run/docker.sock:ro"),
                tag,
                "audit",
                "--host-root",
                "/host",
                "--docker-host",
                "unix:///var/run/docker.sock",
                "--format",
                "json",
                "--fail-on",
                "none",
            ]
            .map(str::to_owned),
        );
        args
    };
    let contained = run_json(&daemon, &readme_line(true));

    let wrong = differences(&native, &contained);
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert_eq!(finding_verdicts(&native), finding_verdicts(&contained));
    let iptables = verdicts(&contained)["daemon-iptables-disabled"].clone();
    assert_eq!(
        iptables, "fail",
        "--iptables=false is on the running daemon"
    );
    // The auditor's own container (host pid namespace, socket mounted) is
    // left out, not reported as the workload's.
    assert_eq!(
        verdicts(&contained)["container-host-pid"],
        verdicts(&native)["container-host-pid"]
    );

    // Without the host's pid namespace the running flags are not visible:
    // nothing may pass on the unit file's command line.
    let blind = run_json(&daemon, &readme_line(false));
    let blind_verdicts = verdicts(&blind);
    let iptables = &blind_verdicts["daemon-iptables-disabled"];
    assert!(
        iptables == "manual" || iptables == "error",
        "daemon-iptables-disabled: {iptables} without --pid host"
    );
    let message = blind["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "daemon-iptables-disabled")
        .unwrap()["findings"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("--pid host"), "{message}");
    let native_verdicts = verdicts(&native);
    let wrong_passes: Vec<&String> = blind_verdicts
        .iter()
        .filter(|(id, status)| *status == "pass" && native_verdicts[*id] != "pass")
        .map(|(id, _)| id)
        .collect();
    assert!(
        wrong_passes.is_empty(),
        "passes the running daemon does not earn: {wrong_passes:?}"
    );
    // Stopping dockerd leaves running containers' shims behind.
    daemon
        .docker_checked(&["rm", "--force", "plain", "risky"])
        .unwrap();
}

/// One hostPath volume of the pod, as a bind mount of the node root.
fn bind_mounts(pod: &Value, container: &Value, node_root: &Path) -> Vec<String> {
    let volumes = pod["volumes"].as_array().unwrap();
    let mut args = Vec::new();
    for mount in container["volumeMounts"].as_array().unwrap() {
        let name = &mount["name"];
        let volume = volumes.iter().find(|v| &v["name"] == name).unwrap();
        let host_path = volume["hostPath"]["path"].as_str().unwrap();
        assert_eq!(mount["readOnly"], true, "{name} is mounted writable");
        let source = node_root.join(host_path.trim_start_matches('/'));
        if volume["hostPath"]["type"] == "File" {
            assert!(source.is_file(), "{} is missing", source.display());
        } else if !source.exists() {
            std::fs::create_dir_all(&source).unwrap();
        }
        args.push("-v".to_owned());
        args.push(format!(
            "{}:{}:ro",
            source.display(),
            mount["mountPath"].as_str().unwrap()
        ));
    }
    args
}

/// The `docker run` arguments that give the audit container of `pod` the
/// view a kubelet would give it on a node whose root is `node_root`.
fn docker_run_of(pod: &Value, container: &Value, node_root: &Path, image: &str) -> Vec<String> {
    let mut args: Vec<String> = vec!["--network".into(), "none".into()];
    if pod["hostPID"] == true {
        args.extend(["--pid".into(), "host".into()]);
    }
    let security = &container["securityContext"];
    if let Some(user) = security["runAsUser"].as_u64() {
        let group = security["runAsGroup"].as_u64().unwrap_or(user);
        args.extend(["--user".into(), format!("{user}:{group}")]);
    }
    for capability in security["capabilities"]["drop"]
        .as_array()
        .into_iter()
        .flatten()
    {
        args.extend(["--cap-drop".into(), capability.as_str().unwrap().to_owned()]);
    }
    for capability in security["capabilities"]["add"]
        .as_array()
        .into_iter()
        .flatten()
    {
        args.extend(["--cap-add".into(), capability.as_str().unwrap().to_owned()]);
    }
    if security["readOnlyRootFilesystem"] == true {
        args.push("--read-only".into());
    }
    if security["allowPrivilegeEscalation"] == false {
        args.extend(["--security-opt".into(), "no-new-privileges".into()]);
    }
    args.extend(bind_mounts(pod, container, node_root));
    args.push(image.to_owned());
    args.extend(
        container["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_owned()),
    );
    args
}

fn manifest(name: &str) -> Value {
    let text = std::fs::read_to_string(repo().join("deploy/kubernetes").join(name)).unwrap();
    serde_saphyr::from_str(&text).unwrap()
}

#[test]
fn the_kubernetes_job_pod_gives_the_native_node_verdicts() {
    let Some(corpus) = k8s_common::corpus() else {
        return;
    };
    let Some(daemon) = live_or_skip(json!({})) else {
        return;
    };
    let tag = "stockade:job-test";
    build_image(&daemon, tag);

    // A kubeadm control-plane node: static pod manifests, the packaged
    // kubelet unit with kubeadm's drop-in, a kubelet configuration.
    let root = k8s_common::fake_root(
        &corpus,
        &[
            "zetaoss-zeta-linux",
            "kubernetes-release",
            "joneconsulting-k8s",
        ],
    );
    k8s_common::write(
        root.path(),
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/sh\netcd:x:998:998::/var/lib/etcd:/usr/sbin/nologin\n",
    );
    k8s_common::write(root.path(), "/etc/group", "root:x:0:\netcd:x:998:\n");
    std::fs::create_dir_all(root.path().join("var/lib/etcd/member")).unwrap();

    let job = manifest("job.yaml");
    let pod = &job["spec"]["template"]["spec"];
    let audit = &pod["containers"][0];
    assert_eq!(audit["name"], "audit");
    assert_eq!(pod["hostPID"], true);
    assert_eq!(
        pod["nodeSelector"]["node-role.kubernetes.io/control-plane"],
        ""
    );
    assert!(
        pod["tolerations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["key"] == "node-role.kubernetes.io/control-plane")
    );
    let job_run = docker_run_of(pod, audit, root.path(), tag);

    // The DaemonSet audits with the very same container.
    let daemonset = manifest("daemonset.yaml");
    let ds_pod = &daemonset["spec"]["template"]["spec"];
    let ds_run = docker_run_of(ds_pod, &ds_pod["initContainers"][0], root.path(), tag);
    assert_eq!(job_run, ds_run);

    let contained = run_json(&daemon, &job_run);
    let args: Vec<&str> = audit["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(&args[..3], ["audit", "--host-root", "/host"]);
    let root_arg = root.path().display().to_string();
    let (native, _) = audit_json(&["--host-root", &root_arg, "--target", "kubernetes"]);
    let wrong = differences(&native, &contained);
    assert!(wrong.is_empty(), "{wrong:#?}");
    let judged = verdicts(&contained)
        .values()
        .filter(|s| *s == "pass" || *s == "fail")
        .count();
    assert!(judged > 50, "only {judged} checks judged: {contained}");
    eprintln!(
        "job pod: {} checks, {judged} judged pass/fail, same verdicts as native",
        verdicts(&contained).len()
    );
}
