//! Container settings `docker update` cannot change (mounts, read-only root,
//! capabilities, user, security options, namespaces): the container must
//! be recreated. The recipe is the `docker run` that recreates it as it is
//! now — from its inspect data — with the fix applied, and the
//! stop/rename/run/remove sequence around it. A container that carries
//! Compose or swarm labels is pointed at its Compose service or swarm
//! service instead: a recreate by hand would be undone by the next
//! `docker compose up` or by swarm.
//!
//! The recipe fixes every recreate-only finding of the container in the
//! plan at once (one recreate, not one per check), and says so.

use std::collections::BTreeSet;

use stockade_checks::{Check, HostContext};
use stockade_core::finding::SubjectKind;
use stockade_core::fix::{Applicability, Change, Effort, Fix};
use stockade_core::snapshot::Probe;
use stockade_core::workload::{Container, ContainerInspect, Image};
use stockade_core::{Finding, Location};

use super::containers::docker_base;

/// The checks fixed by recreating the container, with what the fix does
/// and the Compose key that carries it.
const RECREATE: &[(&str, &str, &str)] = &[
    (
        "docker-sock-mounted",
        "without the Docker socket mount",
        "drop the docker.sock entry from `volumes`",
    ),
    (
        "container-sensitive-host-path-mounted",
        "without the sensitive host path mount",
        "drop the host path from `volumes`",
    ),
    (
        "container-mount-propagation-shared",
        "with private mount propagation",
        "drop `:shared`/`:rshared` from `volumes`",
    ),
    (
        "container-root-fs-writable",
        "with a read-only root filesystem",
        "set `read_only: true` (and `tmpfs: [/tmp]`)",
    ),
    (
        "container-capabilities-added",
        "without added capabilities",
        "remove `cap_add`",
    ),
    (
        "container-net-raw-kept",
        "without NET_RAW",
        "add NET_RAW to `cap_drop`",
    ),
    (
        "container-privileged",
        "unprivileged",
        "remove `privileged: true`",
    ),
    (
        "container-no-new-privileges-missing",
        "with no-new-privileges",
        "add `no-new-privileges:true` to `security_opt`",
    ),
    (
        "container-seccomp-unconfined",
        "with Docker's default seccomp profile",
        "remove `seccomp:unconfined` from `security_opt`",
    ),
    (
        "container-host-network",
        "on its own network namespace",
        "remove `network_mode: host`",
    ),
    (
        "container-host-pid",
        "on its own PID namespace",
        "remove `pid: host`",
    ),
    (
        "container-host-ipc",
        "on its own IPC namespace",
        "remove `ipc: host`",
    ),
    (
        "container-host-uts",
        "on its own UTS namespace",
        "remove `uts: host`",
    ),
    (
        "container-host-devices",
        "without host devices",
        "remove `devices`",
    ),
    (
        "container-apparmor-missing",
        "with the docker-default AppArmor profile",
        "add `apparmor=docker-default` to `security_opt`",
    ),
    (
        "container-runs-as-root",
        "as an unprivileged user",
        "set `user:` to an unprivileged uid:gid",
    ),
];

/// Fixes that need a value or a decision of their own (a uid, published
/// ports): made only in their own entry, never folded into another's recipe.
const NOT_MERGED: &[&str] = &["container-runs-as-root", "container-host-network"];

/// Whether the fix for `check` is folded into the container's one recreate.
pub fn folds(check: &str) -> bool {
    handles(check) && !NOT_MERGED.contains(&check)
}

pub fn handles(check: &str) -> bool {
    RECREATE.iter().any(|(id, _, _)| *id == check)
}

/// The recreate fix for `finding` of `check`, also fixing the container's
/// other recreate-only findings in `results`.
pub fn fix(
    check: &Check,
    finding: &Finding,
    ctx: &HostContext<'_>,
    results: &[(&'static Check, Vec<Finding>)],
) -> Option<Fix> {
    let (_, outcome, _) = RECREATE.iter().find(|(id, _, _)| *id == check.meta.id)?;
    let subject = finding.subject.as_ref()?;
    if subject.kind != SubjectKind::Container {
        return None;
    }
    let workload = ctx.workload().collected()?;
    let container = workload
        .containers
        .iter()
        .find(|c| Some(c.id.as_str()) == subject.id.as_deref())?;
    let Probe::Ok(inspect) = &container.inspect else {
        return None;
    };
    // Every recreate-only finding of this container, this one first.
    let mut fixing: Vec<(&str, &Finding)> = vec![(check.meta.id, finding)];
    for (other, findings) in results {
        if other.meta.id == check.meta.id
            || !handles(other.meta.id)
            || NOT_MERGED.contains(&other.meta.id)
        {
            continue;
        }
        for f in findings.iter().filter(|f| f.status.is_problem()) {
            if f.subject.as_ref().and_then(|s| s.id.as_deref()) == Some(container.id.as_str()) {
                fixing.push((other.meta.id, f));
            }
        }
    }
    let short = container.id.get(..12).unwrap_or(&container.id);
    let named = format!(
        "container {} ({short}, image {})",
        container.name, container.image
    );
    let also: Vec<&str> = fixing.iter().skip(1).map(|(id, _)| *id).collect();
    let mut changes = Vec::new();
    let label = |key: &str| container.labels.get(key).map(String::as_str);
    let mut notes = Vec::new();
    if let Some(service) = label("com.docker.swarm.service.name") {
        changes.push(Change::Instruction {
            text: format!(
                "{named} is a task of swarm service `{service}`: swarm replaces a container recreated by hand. Change the service (`docker service update {service}`) or its stack file."
            ),
        });
    } else if let (Some(project), Some(service)) = (
        label("com.docker.compose.project"),
        label("com.docker.compose.service"),
    ) {
        let files = label("com.docker.compose.project.config_files").unwrap_or("its Compose file");
        let keys: Vec<&str> = fixing
            .iter()
            .filter_map(|(id, _)| {
                RECREATE
                    .iter()
                    .find(|(c, _, _)| c == id)
                    .map(|(_, _, k)| *k)
            })
            .collect();
        changes.push(Change::Instruction {
            text: format!(
                "{named} is service `{service}` of Compose project `{project}` ({files}): in service `{service}`, {}; then `docker compose -p {project} up -d {service}` recreates it. `stockade harden {files}` writes that patch.",
                keys.join("; ")
            ),
        });
    } else {
        let image_env = image_env(workload.images.ok().map(Vec::as_slice), container);
        let recipe = Recipe::from_inspect(container, inspect, &image_env);
        let mut recipe = recipe;
        for (id, f) in &fixing {
            recipe.apply(id, f, &mut notes);
        }
        let base = docker_base(ctx);
        let backup = format!("{}-before-stockade", container.name);
        let cmd = |args: &[&str]| {
            let mut argv = base.clone();
            argv.extend(args.iter().map(|a| (*a).to_owned()));
            argv
        };
        changes.push(Change::Instruction {
            text: format!(
                "Recreate {named} {outcome}: stop it, keep it under another name, run the new one, and remove the old one once the new one works (`docker rename {backup} {}` and `docker start` to go back).",
                container.name
            ),
        });
        changes.push(Change::Command {
            argv: cmd(&["stop", &container.name]),
        });
        changes.push(Change::Command {
            argv: cmd(&["rename", &container.name, &backup]),
        });
        let mut run = base.clone();
        run.extend(recipe.argv());
        changes.push(Change::Command { argv: run });
        for network in &recipe.extra_networks {
            changes.push(Change::Command {
                argv: cmd(&["network", "connect", network, &container.name]),
            });
        }
        changes.push(Change::Command {
            argv: cmd(&["rm", &backup]),
        });
        if recipe
            .cmd
            .iter()
            .chain(&recipe.entrypoint)
            .any(|a| a.contains("****"))
        {
            notes.push("Arguments of its command that look secret are masked (****) in the audit: put the real values back before running the recipe.".to_owned());
        }
        if !recipe.env_from_shell.is_empty() {
            notes.push(format!(
                "Environment values are not in the audit (masked): export {} in the shell before `docker run` (it passes them through), or use --env-file.",
                recipe.env_from_shell.join(", ")
            ));
        }
    }
    if !also.is_empty() {
        notes.push(format!("The same recreate also fixes {}.", also.join(", ")));
    }
    changes.extend(notes.into_iter().map(|text| Change::Instruction { text }));
    Some(Fix {
        title: format!("Recreate container {} {outcome}", container.name),
        applicability: Applicability::DisplayOnly,
        changes,
        effort: Effort::Medium,
        risk: "The container is stopped while it is recreated; anything it kept in its writable layer (not in a volume) stays with the old container. Check the recipe against how the container was started.".to_owned(),
        needs_daemon_restart: false,
    })
}

/// The variables the image itself defines (`PATH`...): the new container
/// gets them from the image again.
fn image_env(images: Option<&[Image]>, container: &Container) -> BTreeSet<String> {
    images
        .unwrap_or_default()
        .iter()
        .find(|i| i.id == container.image_id)
        .and_then(|i| i.inspect.ok())
        .map(|inspect| {
            inspect
                .config
                .env
                .iter()
                .filter_map(|e| e.split_once('=').map(|(n, _)| n.to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

struct Mount {
    kind: String,
    source: String,
    destination: String,
    read_only: bool,
    propagation: String,
}

/// `docker run` options rebuilt from an inspect.
struct Recipe {
    name: String,
    image: String,
    entrypoint: Vec<String>,
    cmd: Vec<String>,
    user: String,
    working_dir: String,
    tty: bool,
    stdin: bool,
    auto_remove: bool,
    env: Vec<String>,
    env_from_shell: Vec<String>,
    mounts: Vec<Option<Mount>>,
    tmpfs: Vec<(String, String)>,
    ports: Vec<(String, String, String)>,
    restart: String,
    labels: Vec<(String, String)>,
    network: String,
    extra_networks: Vec<String>,
    privileged: bool,
    cap_add: Vec<String>,
    cap_drop: Vec<String>,
    security_opt: Vec<String>,
    read_only: bool,
    memory: i64,
    memory_swap: i64,
    cpu_shares: i64,
    nano_cpus: i64,
    pids_limit: Option<i64>,
    pid: String,
    ipc: String,
    uts: String,
    userns: String,
    devices: Vec<String>,
    ulimits: Vec<String>,
    cgroup_parent: String,
}

impl Recipe {
    fn from_inspect(
        container: &Container,
        inspect: &ContainerInspect,
        image_env: &BTreeSet<String>,
    ) -> Recipe {
        let config = &inspect.config;
        let host = &inspect.host_config;
        let mut env = Vec::new();
        let mut env_from_shell = Vec::new();
        for assignment in &config.env {
            let (name, value) = assignment.split_once('=').unwrap_or((assignment, ""));
            if image_env.contains(name) || name == "PATH" {
                continue;
            }
            if value.is_empty() {
                env.push(format!("{name}="));
            } else {
                // Masked at collection: pass it through from the shell.
                env.push(name.to_owned());
                env_from_shell.push(name.to_owned());
            }
        }
        let mounts = inspect
            .mounts
            .iter()
            .map(|m| {
                Some(Mount {
                    kind: m.r#type.clone(),
                    source: if m.r#type == "volume" && !m.name.is_empty() {
                        m.name.clone()
                    } else {
                        m.source.clone()
                    },
                    destination: m.destination.clone(),
                    read_only: !m.rw,
                    propagation: m.propagation.clone(),
                })
            })
            .collect();
        let mut ports = Vec::new();
        for (port, bindings) in &host.port_bindings {
            for binding in bindings.iter().flatten() {
                ports.push((
                    binding.host_ip.clone(),
                    binding.host_port.clone(),
                    port.clone(),
                ));
            }
        }
        let restart = match host.restart_policy.name.as_str() {
            "" | "no" => String::new(),
            "on-failure" if host.restart_policy.maximum_retry_count > 0 => {
                format!("on-failure:{}", host.restart_policy.maximum_retry_count)
            }
            other => other.to_owned(),
        };
        let labels = container
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut networks: Vec<String> = inspect.network_settings.networks.keys().cloned().collect();
        let network = match host.network_mode.as_str() {
            "" | "default" => String::new(),
            mode => mode.to_owned(),
        };
        networks.retain(|n| *n != network && !(network.is_empty() && n == "bridge"));
        Recipe {
            name: container.name.clone(),
            image: if config.image.is_empty() {
                container.image.clone()
            } else {
                config.image.clone()
            },
            entrypoint: config.entrypoint.clone(),
            cmd: config.cmd.clone(),
            user: config.user.clone(),
            working_dir: config.working_dir.clone(),
            tty: config.tty,
            stdin: config.open_stdin,
            auto_remove: host.auto_remove,
            env,
            env_from_shell,
            mounts,
            tmpfs: host
                .tmpfs
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            ports,
            restart,
            labels,
            network,
            extra_networks: networks,
            privileged: host.privileged,
            cap_add: host.cap_add.clone(),
            cap_drop: host.cap_drop.clone(),
            security_opt: host.security_opt.clone(),
            read_only: host.readonly_rootfs,
            memory: host.memory,
            memory_swap: host.memory_swap,
            cpu_shares: host.cpu_shares,
            nano_cpus: host.nano_cpus,
            pids_limit: host.pids_limit,
            pid: host.pid_mode.clone(),
            ipc: host.ipc_mode.clone(),
            uts: host.uts_mode.clone(),
            userns: host.userns_mode.clone(),
            devices: host
                .devices
                .iter()
                .map(|d| {
                    let mut spec = format!("{}:{}", d.path_on_host, d.path_in_container);
                    if !d.cgroup_permissions.is_empty() {
                        spec.push(':');
                        spec.push_str(&d.cgroup_permissions);
                    }
                    spec
                })
                .collect(),
            ulimits: host
                .ulimits
                .iter()
                .map(|u| format!("{}={}:{}", u.name, u.soft, u.hard))
                .collect(),
            cgroup_parent: host.cgroup_parent.clone(),
        }
    }

    /// Makes the recipe fix `check`'s finding.
    fn apply(&mut self, check: &str, finding: &Finding, notes: &mut Vec<String>) {
        let flagged_mounts: Vec<usize> = finding
            .evidence
            .iter()
            .filter_map(|e| match &e.location {
                Some(Location::Container {
                    field: Some(field), ..
                }) => field
                    .strip_prefix("Mounts[")?
                    .strip_suffix(']')?
                    .parse()
                    .ok(),
                _ => None,
            })
            .collect();
        match check {
            "docker-sock-mounted" | "container-sensitive-host-path-mounted" => {
                for index in flagged_mounts {
                    if let Some(slot) = self.mounts.get_mut(index)
                        && let Some(mount) = slot.take()
                    {
                        notes.push(format!(
                            "The new container no longer mounts {} at {}: anything that used it there must get what it needs another way.",
                            mount.source, mount.destination
                        ));
                    }
                }
            }
            "container-mount-propagation-shared" => {
                for index in flagged_mounts {
                    if let Some(Some(mount)) = self.mounts.get_mut(index) {
                        mount.propagation.clear();
                    }
                }
            }
            "container-root-fs-writable" => {
                self.read_only = true;
                let has_tmp = self.tmpfs.iter().any(|(d, _)| d == "/tmp")
                    || self
                        .mounts
                        .iter()
                        .flatten()
                        .any(|m| m.destination == "/tmp");
                if !has_tmp {
                    self.tmpfs.push(("/tmp".to_owned(), String::new()));
                }
                notes.push("With --read-only the container can write only to its volumes and tmpfs mounts: add a volume or --tmpfs for every other path it writes.".to_owned());
            }
            "container-capabilities-added" => self.cap_add.clear(),
            "container-net-raw-kept" => {
                if !self.cap_drop.iter().any(|c| {
                    c.eq_ignore_ascii_case("ALL")
                        || c.eq_ignore_ascii_case("NET_RAW")
                        || c.eq_ignore_ascii_case("CAP_NET_RAW")
                }) {
                    self.cap_drop.push("NET_RAW".to_owned());
                }
                self.cap_add
                    .retain(|c| !c.to_ascii_uppercase().ends_with("NET_RAW"));
            }
            "container-privileged" => self.privileged = false,
            "container-no-new-privileges-missing" => {
                self.security_opt
                    .retain(|o| !o.starts_with("no-new-privileges"));
                self.security_opt.push("no-new-privileges".to_owned());
            }
            "container-seccomp-unconfined" => {
                self.privileged = false;
                self.security_opt
                    .retain(|o| o != "seccomp=unconfined" && o != "seccomp:unconfined");
            }
            "container-host-network" => {
                self.network.clear();
                notes.push("The new container is on the default bridge instead of the host's network: publish the ports it serves with -p.".to_owned());
            }
            "container-host-pid" => self.pid.clear(),
            "container-host-ipc" => self.ipc.clear(),
            "container-host-uts" => self.uts.clear(),
            "container-host-devices" => self.devices.clear(),
            "container-apparmor-missing" => {
                self.security_opt.retain(|o| !o.starts_with("apparmor"));
                self.security_opt.push("apparmor=docker-default".to_owned());
            }
            "container-runs-as-root" => {
                self.user = "65534:65534".to_owned();
                notes.push("--user 65534:65534 (nobody) is a placeholder: choose a uid:gid the image's files and volumes allow.".to_owned());
            }
            _ => {}
        }
    }

    /// `run -d --name NAME ... IMAGE [ARGS]`.
    fn argv(&self) -> Vec<String> {
        let mut argv: Vec<String> = vec![
            "run".into(),
            "-d".into(),
            "--name".into(),
            self.name.clone(),
        ];
        let mut opt = |flag: &str, value: String| {
            argv.push(flag.to_owned());
            argv.push(value);
        };
        if !self.user.is_empty() {
            opt("--user", self.user.clone());
        }
        if !self.working_dir.is_empty() {
            opt("--workdir", self.working_dir.clone());
        }
        for e in &self.env {
            opt("--env", e.clone());
        }
        for mount in self.mounts.iter().flatten() {
            match mount.kind.as_str() {
                "bind" | "volume" => {
                    let mut options = Vec::new();
                    if mount.read_only {
                        options.push("ro".to_owned());
                    }
                    if mount.kind == "bind"
                        && !mount.propagation.is_empty()
                        && mount.propagation != "rprivate"
                    {
                        options.push(mount.propagation.clone());
                    }
                    let mut spec = format!("{}:{}", mount.source, mount.destination);
                    if !options.is_empty() {
                        spec.push(':');
                        spec.push_str(&options.join(","));
                    }
                    opt("--volume", spec);
                }
                _ => {}
            }
        }
        for (destination, options) in &self.tmpfs {
            opt(
                "--tmpfs",
                if options.is_empty() {
                    destination.clone()
                } else {
                    format!("{destination}:{options}")
                },
            );
        }
        for (ip, host_port, port) in &self.ports {
            let spec = match (ip.as_str(), host_port.as_str()) {
                ("", "") => port.clone(),
                ("", hp) => format!("{hp}:{port}"),
                (ip, hp) => format!("{ip}:{hp}:{port}"),
            };
            opt("--publish", spec);
        }
        if !self.restart.is_empty() {
            opt("--restart", self.restart.clone());
        }
        if !self.network.is_empty() {
            opt("--network", self.network.clone());
        }
        for (key, value) in &self.labels {
            opt("--label", format!("{key}={value}"));
        }
        for cap in &self.cap_add {
            opt("--cap-add", cap.clone());
        }
        for cap in &self.cap_drop {
            opt("--cap-drop", cap.clone());
        }
        for option in &self.security_opt {
            opt("--security-opt", option.clone());
        }
        if self.memory > 0 {
            opt("--memory", self.memory.to_string());
        }
        if self.memory_swap != 0 && self.memory > 0 {
            opt("--memory-swap", self.memory_swap.to_string());
        }
        if self.cpu_shares > 0 {
            opt("--cpu-shares", self.cpu_shares.to_string());
        }
        if self.nano_cpus > 0 {
            #[allow(clippy::cast_precision_loss)]
            let cpus = self.nano_cpus as f64 / 1e9;
            opt("--cpus", format!("{cpus}"));
        }
        if let Some(limit) = self.pids_limit.filter(|l| *l > 0) {
            opt("--pids-limit", limit.to_string());
        }
        for (flag, mode) in [
            ("--pid", &self.pid),
            ("--uts", &self.uts),
            ("--userns", &self.userns),
        ] {
            if !mode.is_empty() {
                opt(flag, mode.clone());
            }
        }
        if !matches!(self.ipc.as_str(), "" | "private" | "shareable") {
            opt("--ipc", self.ipc.clone());
        }
        for device in &self.devices {
            opt("--device", device.clone());
        }
        for ulimit in &self.ulimits {
            opt("--ulimit", ulimit.clone());
        }
        if !self.cgroup_parent.is_empty() {
            opt("--cgroup-parent", self.cgroup_parent.clone());
        }
        if self.read_only {
            argv.push("--read-only".into());
        }
        if self.privileged {
            argv.push("--privileged".into());
        }
        if self.tty {
            argv.push("--tty".into());
        }
        if self.stdin {
            argv.push("--interactive".into());
        }
        if self.auto_remove {
            argv.push("--rm".into());
        }
        let mut args = self.cmd.clone();
        if let Some((first, rest)) = self.entrypoint.split_first() {
            argv.push("--entrypoint".into());
            argv.push(first.clone());
            let mut all = rest.to_vec();
            all.append(&mut args);
            args = all;
        }
        argv.push(self.image.clone());
        argv.extend(args);
        argv
    }
}
