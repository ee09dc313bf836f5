//! Results of other benchmark tools, turned into stockade findings so the
//! threat model and the hardening plan can work from a run someone already
//! has.

pub mod docker_bench;
