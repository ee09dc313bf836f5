#![no_main]
use libfuzzer_sys::fuzz_target;
use stockade_parse::dockerd_args::DockerdArgs;

fuzz_target!(|text: &str| {
    let argv: Vec<String> = text.split(['\0', ' ']).map(str::to_owned).collect();
    let args = DockerdArgs::parse(&argv);
    let _ = args.bool("icc");
    let _ = args.all("host").count();
});
