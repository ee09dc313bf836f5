//! The pre-commit hooks of `.pre-commit-hooks.yaml`, run by the real
//! pre-commit (`pip install pre-commit`; scripts/test.sh installs it) on a
//! throwaway git repository of fixture files, offline: inside a network
//! namespace of its own when the test runs as root, so nothing can be
//! fetched. The hooks run the `stockade` this test suite built (first on
//! PATH), as `language: system` hooks run the one a user installed.
//!
//! The hook repository is a fresh git repository holding this checkout's
//! `.pre-commit-hooks.yaml` (committed, so uncommitted edits are tested
//! too); with `language: system` that file is all pre-commit takes from it.
//!
//! Without pre-commit or git the tests skip, unless `STOCKADE_REQUIRE_LIVE=1`,
//! which makes that a failure.

#![allow(clippy::unwrap_used, clippy::print_stderr)] // tests stop at the first surprise

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ci-fixtures")
}

fn require_live() -> bool {
    std::env::var("STOCKADE_REQUIRE_LIVE").as_deref() == Ok("1")
}

/// Whether `program --version` runs; a failure under STOCKADE_REQUIRE_LIVE=1.
fn available(program: &str) -> bool {
    let ok = Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            !require_live(),
            "STOCKADE_REQUIRE_LIVE=1 but `{program}` is missing (scripts/test.sh installs it)"
        );
        eprintln!("{program} not found: pre-commit hook tests skipped");
    }
    ok
}

/// Whether commands can be put in a network namespace of their own (root).
fn can_unshare() -> bool {
    Command::new("unshare")
        .args(["--net", "true"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A git repository of fixture files, a hook repository, and an isolated
/// pre-commit home.
struct Setup {
    _dir: tempfile::TempDir,
    project: PathBuf,
    hooks: PathBuf,
    home: PathBuf,
    offline: bool,
}

impl Setup {
    fn new() -> Option<Setup> {
        if !available("git") || !available("pre-commit") {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let setup = Setup {
            project: dir.path().join("project"),
            hooks: dir.path().join("hooks"),
            home: dir.path().join("pre-commit-home"),
            offline: can_unshare(),
            _dir: dir,
        };
        if !setup.offline {
            eprintln!("cannot unshare the network (not root): pre-commit runs with the network");
        }

        fs::create_dir_all(&setup.hooks).unwrap();
        fs::copy(
            workspace().join(".pre-commit-hooks.yaml"),
            setup.hooks.join(".pre-commit-hooks.yaml"),
        )
        .unwrap();
        setup.git(&setup.hooks, &["init", "-q"]);
        setup.git(&setup.hooks, &["add", ".pre-commit-hooks.yaml"]);
        setup.git(&setup.hooks, &["commit", "-q", "-m", "hooks"]);

        let copy = |from: &str, to: &str| {
            let target = setup.project.join(to);
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::copy(fixtures().join(from), target).unwrap();
        };
        copy("bad/Dockerfile", "bad/Dockerfile");
        copy("good/Dockerfile", "good/Dockerfile");
        copy("bad/compose.yaml", "bad/compose.yaml");
        copy("good/compose.yaml", "good/docker-compose.override.yml");
        copy("bad/deploy/agent.yaml", "deploy/agent.yaml");
        copy("good/deploy/web.yaml", "deploy/web.yaml");
        // Other names the Dockerfile hook must pick up...
        copy("bad/Dockerfile", "app/Dockerfile.prod");
        copy("bad/Dockerfile", "build/api.dockerfile");
        // ...and files no hook may hand to stockade: a Markdown page named
        // like a Dockerfile (not parseable as one) and unrelated YAML.
        fs::create_dir_all(setup.project.join("docs")).unwrap();
        fs::write(
            setup.project.join("docs/Dockerfile.md"),
            "# How we build\n\nFROM is explained below.\n\n- one: [\n",
        )
        .unwrap();
        fs::write(
            setup.project.join("settings.yaml"),
            "log_level: debug\nretries: 3\n",
        )
        .unwrap();
        setup.git(&setup.project, &["init", "-q"]);
        setup.git(&setup.project, &["add", "."]);
        Some(setup)
    }

    fn git(&self, cwd: &Path, args: &[&str]) -> Output {
        let output = self.command("git", cwd, args).output().unwrap();
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// `program args` in `cwd` with an isolated environment, offline when possible.
    fn command(&self, program: &str, cwd: &Path, args: &[&str]) -> Command {
        let mut command = if self.offline {
            let mut c = Command::new("unshare");
            c.args(["--net", program]);
            c
        } else {
            Command::new(program)
        };
        let bin = Path::new(env!("CARGO_BIN_EXE_stockade")).parent().unwrap();
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![bin.to_path_buf()];
        paths.extend(std::env::split_paths(&path));
        command
            .args(args)
            .current_dir(cwd)
            .env("PATH", std::env::join_paths(paths).unwrap())
            .env("PRE_COMMIT_HOME", &self.home)
            .env("PRE_COMMIT_COLOR", "never")
            .env("NO_COLOR", "1")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "stockade test")
            .env("GIT_AUTHOR_EMAIL", "test@stockade.invalid")
            .env("GIT_COMMITTER_NAME", "stockade test")
            .env("GIT_COMMITTER_EMAIL", "test@stockade.invalid")
            .env_remove("DOCKER_HOST")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE");
        command
    }

    /// `pre-commit try-repo HOOKS HOOK ARGS` in the project.
    fn try_repo(&self, hook: &str, args: &[&str]) -> Run {
        let hooks = self.hooks.to_string_lossy().into_owned();
        let all = [&["try-repo", hooks.as_str(), hook][..], args].concat();
        self.pre_commit(&all)
    }

    fn pre_commit(&self, args: &[&str]) -> Run {
        let started = Instant::now();
        let output = self
            .command("pre-commit", &self.project, args)
            .output()
            .unwrap();
        Run::new(&output, started)
    }

    /// Writes a .pre-commit-config.yaml using the hook repository at its HEAD.
    fn write_config(&self, hooks: &[&str]) {
        let rev = String::from_utf8(self.git(&self.hooks, &["rev-parse", "HEAD"]).stdout).unwrap();
        let mut config = format!(
            "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n",
            self.hooks.display(),
            rev.trim()
        );
        for hook in hooks {
            config.push_str(&format!("      - id: {hook}\n"));
        }
        fs::write(self.project.join(".pre-commit-config.yaml"), config).unwrap();
        self.git(&self.project, &["add", ".pre-commit-config.yaml"]);
    }
}

/// What a pre-commit run printed, and how it ended.
struct Run {
    code: Option<i32>,
    text: String,
    seconds: f64,
}

impl Run {
    fn new(output: &Output, started: Instant) -> Run {
        Run {
            code: output.status.code(),
            text: format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
            seconds: started.elapsed().as_secs_f64(),
        }
    }

    fn failed(&self) -> &Self {
        assert_eq!(self.code, Some(1), "the hook should fail:\n{}", self.text);
        assert!(self.text.contains("Failed"), "{}", self.text);
        self
    }

    fn passed(&self) -> &Self {
        assert_eq!(self.code, Some(0), "the hook should pass:\n{}", self.text);
        self
    }

    fn shows(&self, needle: &str) -> &Self {
        assert!(
            self.text.contains(needle),
            "`{needle}` missing from:\n{}",
            self.text
        );
        self
    }

    fn hides(&self, needle: &str) -> &Self {
        assert!(
            !self.text.contains(needle),
            "`{needle}` should not be in:\n{}",
            self.text
        );
        self
    }
}

#[test]
fn dockerfile_hook_fails_on_a_dockerfile_that_runs_as_root() {
    let Some(setup) = Setup::new() else { return };
    let run = setup.try_repo("stockade-dockerfile", &["--files", "bad/Dockerfile"]);
    run.failed()
        .shows("stockade (Dockerfiles)")
        .shows("high[dockerfile-runs-as-root]")
        .shows("--> bad/Dockerfile:")
        .shows("scanned 1 file (1 Dockerfile");
    eprintln!(
        "try-repo stockade-dockerfile on one file: {:.2} s",
        run.seconds
    );
}

#[test]
fn dockerfile_hook_passes_on_a_good_dockerfile() {
    let Some(setup) = Setup::new() else { return };
    setup
        .try_repo("stockade-dockerfile", &["--files", "good/Dockerfile"])
        .passed()
        .shows("stockade (Dockerfiles)")
        .shows("Passed");
}

#[test]
fn dockerfile_hook_takes_dockerfile_names_and_leaves_other_files() {
    let Some(setup) = Setup::new() else { return };
    // --verbose prints the hook's output: stockade's summary counts the files it got.
    setup
        .try_repo("stockade-dockerfile", &["--all-files", "--verbose"])
        .failed()
        .shows("--> app/Dockerfile.prod:")
        .shows("--> build/api.dockerfile:")
        .shows("--> bad/Dockerfile:")
        .shows("scanned 4 files (4 Dockerfiles, 0 Compose, 0 Kubernetes")
        .hides("docs/Dockerfile.md")
        .hides("file-parse-error");
    setup
        .try_repo(
            "stockade-dockerfile",
            &["--files", "docs/Dockerfile.md", "settings.yaml"],
        )
        .passed()
        .shows("(no files to check)Skipped");
}

#[test]
fn compose_hook_fails_on_a_privileged_service_and_scans_only_compose_files() {
    let Some(setup) = Setup::new() else { return };
    setup
        .try_repo("stockade-compose", &["--all-files", "--verbose"])
        .failed()
        .shows("stockade (Compose files)")
        .shows("critical[compose-privileged]")
        .shows("--> bad/compose.yaml:")
        .shows("scanned 2 files (0 Dockerfiles, 2 Compose, 0 Kubernetes")
        .hides("dockerfile-runs-as-root")
        .hides("k8s-host-pid");
    setup
        .try_repo(
            "stockade-compose",
            &["--files", "good/docker-compose.override.yml"],
        )
        .passed();
}

#[test]
fn kubernetes_hook_fails_on_host_pid_and_skips_other_yaml() {
    let Some(setup) = Setup::new() else { return };
    setup
        .try_repo("stockade-kubernetes", &["--all-files", "--verbose"])
        .failed()
        .shows("stockade (Kubernetes manifests)")
        .shows("high[k8s-host-pid]")
        .shows("--> deploy/agent.yaml:")
        // settings.yaml is handed over and skipped; Compose files are not handed over.
        .shows("scanned 2 files (0 Dockerfiles, 0 Compose, 2 Kubernetes")
        .hides("compose-privileged")
        .hides("settings.yaml");
    setup
        .try_repo(
            "stockade-kubernetes",
            &["--files", "deploy/web.yaml", "settings.yaml"],
        )
        .passed();
}

#[test]
fn installed_hooks_refuse_a_commit_with_a_bad_dockerfile_and_accept_the_fix() {
    let Some(setup) = Setup::new() else { return };
    setup.write_config(&[
        "stockade-dockerfile",
        "stockade-compose",
        "stockade-kubernetes",
    ]);
    let first = setup.pre_commit(&["run", "--all-files"]);
    first
        .failed()
        .shows("dockerfile-runs-as-root")
        .shows("compose-privileged")
        .shows("k8s-host-pid");
    let cached = setup.pre_commit(&["run", "--all-files"]);
    cached.failed();
    eprintln!(
        "pre-commit run --all-files, three hooks: {:.2} s with a fresh PRE_COMMIT_HOME, {:.2} s cached",
        first.seconds, cached.seconds
    );

    // Only the good files and the config in the first commit.
    setup.git(&setup.project, &["reset", "-q"]);
    setup.git(
        &setup.project,
        &["add", ".pre-commit-config.yaml", "good", "deploy/web.yaml"],
    );
    let install = setup.pre_commit(&["install"]);
    install.passed();
    let commit = |message: &str| {
        let started = Instant::now();
        let output = setup
            .command("git", &setup.project, &["commit", "-q", "-m", message])
            .output()
            .unwrap();
        Run::new(&output, started)
    };
    commit("good files").passed();

    // A Dockerfile that runs as root is refused, with the finding shown.
    let bad = setup.project.join("good/Dockerfile");
    fs::copy(fixtures().join("bad/Dockerfile"), &bad).unwrap();
    setup.git(&setup.project, &["add", "good/Dockerfile"]);
    let refused = commit("run as root");
    assert_ne!(refused.code, Some(0), "{}", refused.text);
    refused
        .shows("stockade (Dockerfiles)")
        .shows("Failed")
        .shows("high[dockerfile-runs-as-root]")
        .shows("--> good/Dockerfile:");
    let log = setup.git(&setup.project, &["log", "--oneline"]);
    assert_eq!(String::from_utf8_lossy(&log.stdout).lines().count(), 1);

    // Adding a USER fixes it.
    let mut text = fs::read_to_string(&bad).unwrap();
    text = text.replace("CMD [", "USER 10001:10001\nCMD [");
    fs::write(&bad, text).unwrap();
    setup.git(&setup.project, &["add", "good/Dockerfile"]);
    commit("run as a user").passed();
}
