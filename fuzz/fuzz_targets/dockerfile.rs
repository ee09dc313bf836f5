#![no_main]
//! The Dockerfile parser on arbitrary text: no panic, positions inside it.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let parsed = stockade_parse::dockerfile::parse(text);
    for instruction in &parsed.instructions {
        let _ = instruction.key_values();
        let _ = instruction.exec_form();
        let (line, _) = instruction.position_of(instruction.args.len());
        assert!(line >= 1);
    }
    let _ = parsed.stages();
    let _ = parsed.global_args();
});
