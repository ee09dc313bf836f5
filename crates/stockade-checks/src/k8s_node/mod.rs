//! A Kubernetes node against the CIS Kubernetes Benchmark, sections 1-4:
//! control-plane files and components, etcd, control-plane configuration,
//! worker files, the kubelet and kube-proxy.
//!
//! Components and their effective settings come from [`K8sView`]: command
//! lines of running processes (or, offline, static pod manifests and systemd
//! units), the configuration files they name, and each component's defaults.
//! A setting that cannot be read makes a check say `error`, never `pass`.
//! Controls the benchmark marks "Manual" but that evidence can settle are
//! judged too; when they are not met they `warn` instead of `fail`.

/// A static [`Check`](crate::check::Check) whose runner is a [`SettingRule`].
macro_rules! setting_check {
    ($name:ident {
        id: $id:literal,
        title: $title:literal,
        cis: [$($cis:expr),* $(,)?],
        severity: $severity:ident,
        stride: [$($stride:ident),* $(,)?],
        component: $component:ident,
        settings: [$($setting:expr),* $(,)?],
        test: $test:expr,
        scored: $scored:literal,
        expected: $expected:literal,
        pass: $pass:literal,
        fail: $fail:literal,
        rationale: $why:literal,
        audit: $audit:expr,
        remediation: $fix:literal $(,)?
    }) => {
        pub static $name: $crate::check::Check = $crate::check::Check {
            meta: stockade_core::meta::CheckMeta {
                id: $id,
                title: $title,
                cis: &[$($cis),*],
                severity: stockade_core::Severity::$severity,
                stride: &[$(stockade_core::meta::Stride::$stride),*],
                rationale: $why,
                audit: $audit,
                remediation: $fix,
                ..$crate::k8s_node::K8S_CHECK
            },
            runner: $crate::check::Runner::K8sSetting(&$crate::k8s_node::rule::SettingRule {
                component: stockade_core::kubernetes::ComponentKind::$component,
                settings: &[$($setting),*],
                test: $test,
                scored: $scored,
                expected: $expected,
                pass: $pass,
                fail: $fail,
            }),
        };
    };
}

/// A static [`Check`](crate::check::Check) whose runner is a [`FileRule`].
macro_rules! file_check {
    ($base:ident, $name:ident, $id:literal, $title:literal, $cis:literal, $role:expr, $test:expr, $select:expr, $scored:literal, $why:expr, $audit:expr, $fix:literal) => {
        pub static $name: Check = Check {
            meta: CheckMeta {
                id: $id,
                title: $title,
                cis: &[CisRef::kubernetes($cis, "1.10")],
                rationale: $why,
                audit: $audit,
                remediation: $fix,
                ..$base
            },
            runner: Runner::K8sFile(&$crate::k8s_node::files::FileRule {
                role: $role,
                test: $test,
                select: $select,
                scored: $scored,
            }),
        };
    };
}

mod api_server;
mod control_plane;
mod control_plane_files;
mod controller_manager;
mod etcd;
pub mod files;
mod kubelet;
mod policies;
mod proxy;
pub mod rule;
mod scheduler;
pub mod view;
mod worker_files;

pub use api_server::*;
pub use control_plane::*;
pub use control_plane_files::*;
pub use controller_manager::*;
pub use etcd::*;
pub use files::FileRule;
pub use kubelet::*;
pub use policies::*;
pub use proxy::*;
pub use rule::SettingRule;
pub use scheduler::*;
pub use view::K8sView;
pub use worker_files::*;

use stockade_core::Severity;
use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Scope};

/// Fields every Kubernetes node check shares.
const K8S_CHECK: CheckMeta = CheckMeta {
    id: "",
    title: "",
    family: "k8s_node",
    scope: Scope::K8sNode,
    severity: Severity::Medium,
    stride: &[],
    mode: CheckMode::Automated,
    cis: &[],
    rationale: "",
    audit: "",
    remediation: "",
    fix: FixAvailability::None,
};
