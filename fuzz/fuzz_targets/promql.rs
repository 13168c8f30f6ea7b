//! The bounded PromQL reader and the comparison finder on arbitrary text: no panic.
#![no_main]
use grill_lint::monitoring::promql;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(expr) = promql::parse(text) {
        for c in promql::comparisons(&expr) {
            let _ = c.unscaled_threshold();
        }
    }
});
