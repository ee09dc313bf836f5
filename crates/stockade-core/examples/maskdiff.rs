fn main() {
    for path in std::env::args().skip(1) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let masked = stockade_core::mask::mask(&text);
        if masked != text {
            for (a, b) in text.lines().zip(masked.lines()) {
                if a != b {
                    println!(
                        "{path}\n  - {}\n  + {}",
                        &a[..a.len().min(200)],
                        &b[..b.len().min(200)]
                    );
                }
            }
        }
    }
}
