//! The one way a test announces that it skips because a program is missing: straight to the
//! process's stderr (libtest captures `eprintln!` of a passing test, so that would be seen only
//! with `--nocapture`), and appended to the file `GRILL_SKIP_LOG` names, which
//! `scripts/test.sh` prints again after the last test binary, next to its closing line.

use std::io::Write;

pub fn announce(lines: &[String]) {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let _ = std::io::stderr().write_all(text.as_bytes());
    if let Some(path) = std::env::var_os("GRILL_SKIP_LOG") {
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let first = lines.iter().find(|l| l.contains("SKIPPED"));
            let _ = writeln!(
                f,
                "{}",
                first.unwrap_or(&text).trim_matches(['!', ' ', '\n'])
            );
        }
    }
}
