//! The CronJob schedule validator on arbitrary text: no panic, every error range inside the
//! text on character boundaries, and the meaning of an accepted schedule computable.
#![no_main]
use grill_lint::k8s::cron;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match cron::validate(text) {
        Ok(s) => {
            let _ = s.max_gap_minutes();
            let _ = s.at_least_daily();
            if let cron::Schedule::Spec(spec) = &s {
                let _ = spec.times_of_day();
            }
            let _ = s.describe();
            assert!(s.same_times(&s));
        }
        Err(e) => {
            assert!(e.at.start <= e.at.end && e.at.end <= text.len());
            assert!(text.is_char_boundary(e.at.start) && text.is_char_boundary(e.at.end));
        }
    }
});
