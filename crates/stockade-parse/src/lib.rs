//! Parsers for what stockade reads: daemon.json, dockerd's command line,
//! systemd units and audit rules. Every parser is pure (text in, structure
//! out), never panics on bad input, and reports errors with a line and column.

pub mod audit_rules;
pub mod daemon_json;
pub mod docker_bench_log;
pub mod dockerd_args;
pub mod k8s_node;
pub mod systemd_env;
pub mod systemd_unit;
pub mod text;
