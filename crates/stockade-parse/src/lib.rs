//! Parsers for what stockade reads: daemon.json, dockerd's command line,
//! systemd units, audit rules, Dockerfiles, and YAML with the Compose and
//! Kubernetes views of it. Every parser is pure (text in, structure out),
//! never panics on bad input, and reports errors with a line and column.

pub mod audit_rules;
pub mod compose;
pub mod compose_env;
pub mod compose_extends;
pub mod daemon_json;
pub mod docker_bench_log;
pub mod dockerd_args;
pub mod dockerfile;
pub mod ignore;
pub mod k8s;
pub mod k8s_node;
pub mod systemd_env;
pub mod systemd_unit;
pub mod text;
pub mod yaml;
