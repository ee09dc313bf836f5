use stockade_core::cis::CisRef;
use stockade_core::finding::Evidence;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity, Status};

use super::{DOCKERFILE_CHECK, runs};
use crate::check::{Check, Runner};
use crate::scan::input::DockerfileInput;

pub static DOCKERFILE_PIPE_TO_SHELL: Check = Check {
    meta: CheckMeta {
        id: "dockerfile-pipe-to-shell",
        title: "Downloaded scripts are verified before they run",
        severity: Severity::Medium,
        stride: &[Stride::Tampering],
        rationale: "`curl … | sh` executes whatever the server sends, as root, at build time, with no checksum and no record of what ran. A compromised host or a truncated download runs in the image build.",
        audit: "Fails a RUN (or ONBUILD RUN) that pipes the output of curl or wget into a shell or interpreter (sh, bash, zsh, ash, dash, python, perl, ruby, node), wherever the pipe stands in the script: after `&&` or `;`, inside `if … then … else … fi`, a loop or a heredoc body.",
        remediation: "Download to a file, verify it, then run it: `curl -fsSLo install.sh URL && echo \"<sha256>  install.sh\" | sha256sum -c - && sh install.sh`.",
        ..DOCKERFILE_CHECK
    },
    runner: Runner::Dockerfile(pipe_to_shell),
};

pub static DOCKERFILE_SUDO: Check = Check {
    meta: CheckMeta {
        id: "dockerfile-sudo",
        title: "RUN does not use sudo",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        rationale: "sudo in an image means a sudo binary and a sudoers policy ship with it, a ready path back to root for anyone who gets a shell as the application user. Build steps needing root should run before USER switches away.",
        audit: "Fails each command of a RUN (or ONBUILD RUN) that runs sudo, the script read as the shell reads it: after `&&`, `;` or `|`, after `then`, `else` or `do`, in a `{ …; }` group or a heredoc body; warns when a package manager installs the sudo package into the image.",
        remediation: "Run the privileged steps as root before the USER instruction and remove sudo from the image.",
        ..DOCKERFILE_CHECK
    },
    runner: Runner::Dockerfile(sudo),
};

pub static DOCKERFILE_CHMOD_WORLD_WRITABLE: Check = Check {
    meta: CheckMeta {
        id: "dockerfile-chmod-world-writable",
        title: "Files in the image are not made writable by everyone",
        severity: Severity::Medium,
        stride: &[Stride::Tampering, Stride::ElevationOfPrivilege],
        rationale: "`chmod 777` lets any user in the container (and any process sharing the volume) replace binaries, scripts or configuration that a more privileged process later trusts.",
        audit: "Fails `chmod` with an octal mode that grants write to others without the sticky bit (777, 666, 0777, 2777, …) or a symbolic mode adding write for others or all (`o+w`, `a+rwx`). `chmod 1777 /tmp`-style sticky directories pass.",
        remediation: "Give ownership to the user that needs it (`COPY --chown=app:app`, `chown app:app dir`) and keep modes at 755/644 or tighter.",
        ..DOCKERFILE_CHECK
    },
    runner: Runner::Dockerfile(chmod),
};

pub static DOCKERFILE_EXPOSES_SSH: Check = Check {
    meta: CheckMeta {
        id: "dockerfile-exposes-ssh",
        title: "The image does not expose SSH (port 22)",
        severity: Severity::Medium,
        stride: &[Stride::Spoofing, Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::docker_until("5.6", "1.13.0", "1.5.0"),
            CisRef::docker("5.7", "1.6.0"),
        ],
        rationale: "An SSH daemon in a container is another login service to patch, another set of credentials to manage and a way around the engine's audit trail; `docker exec` covers the debugging need.",
        audit: "Fails EXPOSE instructions that list port 22 (with or without /tcp).",
        remediation: "Remove sshd and the EXPOSE 22 line; use `docker exec` or `kubectl exec` to get a shell.",
        ..DOCKERFILE_CHECK
    },
    runner: Runner::Dockerfile(exposes_ssh),
};

const SHELLS: &[&str] = &[
    "sh", "bash", "zsh", "ash", "dash", "ksh", "python", "python3", "perl", "ruby", "node",
];

fn pipe_to_shell(meta: &CheckMeta, input: &DockerfileInput<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (_, commands) in runs(input) {
        for pair in commands.windows(2) {
            let (download, consumer) = (&pair[0], &pair[1]);
            if download.piped
                && matches!(download.program(), Some("curl" | "wget"))
                && consumer.program().is_some_and(|p| SHELLS.contains(&p))
            {
                findings.push(
                    input.finding(
                        meta,
                        Status::Fail,
                        format!(
                            "{} output is piped into {} without verification",
                            download.program().unwrap_or(""),
                            consumer.program().unwrap_or("")
                        ),
                        Evidence::observed(format!(
                            "{} | {}",
                            download.words.join(" "),
                            consumer.words.join(" ")
                        ))
                        .expected("download, verify the checksum, then run")
                        .at(download.location.clone()),
                    ),
                );
            }
        }
    }
    findings
}

fn sudo(meta: &CheckMeta, input: &DockerfileInput<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (_, commands) in runs(input) {
        for command in commands.iter().filter(|c| installs_sudo(c)) {
            findings.push(
                input.finding(
                    meta,
                    Status::Warn,
                    "the sudo package is installed into the image",
                    Evidence::observed(command.words.join(" "))
                        .expected("no sudo in the image")
                        .at(command.location.clone()),
                ),
            );
        }
        for command in commands
            .iter()
            .filter(|c| c.words.first().is_some_and(|w| w == "sudo"))
        {
            findings.push(
                input.finding(
                    meta,
                    Status::Fail,
                    "RUN uses sudo",
                    Evidence::observed(command.words.join(" "))
                        .expected("the command run as root before USER, without sudo")
                        .at(command.location.clone()),
                ),
            );
        }
    }
    findings
}

/// `apt-get install … sudo`, `apk add sudo`, `yum install sudo`.
fn installs_sudo(command: &super::Command) -> bool {
    let installing = ["apt-get", "apt", "yum", "dnf", "microdnf", "zypper"]
        .iter()
        .any(|p| command.is(p, "install"))
        || command.is("apk", "add");
    installing && command.words.iter().skip(2).any(|w| w == "sudo")
}

/// Whether a chmod mode makes files writable by others.
fn world_writable(mode: &str) -> bool {
    if !mode.is_empty() && mode.chars().all(|c| c.is_digit(8)) {
        let digits: Vec<u32> = mode.chars().filter_map(|c| c.to_digit(8)).collect();
        let others = digits.last().copied().unwrap_or(0);
        let sticky = digits.len() == 4 && digits[0] & 1 == 1;
        return others & 2 == 2 && !sticky;
    }
    mode.split(',').any(|clause| {
        let Some(op) = clause.find(['+', '=']) else {
            return false;
        };
        let (who, perms) = clause.split_at(op);
        (who.contains('o') || who.contains('a')) && perms.contains('w') && !perms.contains('t')
    })
}

fn chmod(meta: &CheckMeta, input: &DockerfileInput<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (_, commands) in runs(input) {
        for command in commands.iter().filter(|c| c.program() == Some("chmod")) {
            let mode = command
                .words
                .iter()
                .skip_while(|w| *w != "chmod")
                .skip(1)
                .find(|w| !w.starts_with('-'));
            if let Some(mode) = mode.filter(|m| world_writable(m)) {
                findings.push(
                    input.finding(
                        meta,
                        Status::Fail,
                        format!("chmod {mode} makes files writable by every user"),
                        Evidence::observed(command.words.join(" "))
                            .expected(
                                "755/644 or tighter, with ownership given to the user that writes",
                            )
                            .at(command.location.clone()),
                    ),
                );
            }
        }
    }
    findings
}

fn exposes_ssh(meta: &CheckMeta, input: &DockerfileInput<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for instruction in input
        .dockerfile
        .instructions
        .iter()
        .filter(|i| i.keyword == "EXPOSE")
    {
        for (offset, word) in instruction.words() {
            let port = word.split('/').next().unwrap_or(word);
            if port == "22" {
                findings.push(
                    input.finding(
                        meta,
                        Status::Fail,
                        "the image exposes port 22 (SSH)",
                        Evidence::observed(format!("EXPOSE {word}"))
                            .expected("no SSH port; use docker/kubectl exec")
                            .at(input.at_offset(instruction, offset)),
                    ),
                );
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::world_writable;

    #[test]
    fn world_writable_modes() {
        for mode in ["777", "0777", "666", "2777", "o+w", "a+rwx", "u+x,o+w"] {
            assert!(world_writable(mode), "{mode}");
        }
        for mode in ["755", "1777", "644", "u+w", "+x", "o-w", "g+w"] {
            assert!(!world_writable(mode), "{mode}");
        }
    }
}
