#![no_main]
use libfuzzer_sys::fuzz_target;
use stockade_parse::systemd_unit::UnitSettings;

fuzz_target!(|text: &str| {
    let mut unit = UnitSettings::default();
    unit.apply(text);
    let _ = unit.exec_start_argv();
});
