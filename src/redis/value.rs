//! Redis' number readers, reproduced exactly: the strict `string2ll` used for integer
//! directives, the lenient C `strtoll`/`atoi` used by `save`, `replicaof` and Sentinel, and
//! `memtoull` for memory sizes (`1k` = 1000, `1kb` = 1024, case-insensitive units
//! `b k kb m mb g gb`, no sign, no decimals, no `KiB`, no terabytes).

use std::fmt;

/// Why a memory size is not one Redis reads as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemoryError {
    /// Redis refuses it: "argument must be a memory value".
    Invalid,
    /// Redis accepts it but reads 0: a unit without digits (`mb`) or an empty value.
    NoDigits,
    /// Redis accepts it but the number wraps around 2^64 (no overflow check in `memtoull`).
    Overflow,
}

impl fmt::Display for MemoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MemoryError::Invalid => {
                "not a memory size: digits and an optional unit b, k, kb, m, mb, g or gb"
            }
            MemoryError::NoDigits => "a memory size without digits: Redis reads it as 0",
            MemoryError::Overflow => {
                "a memory size above 2^64 bytes: Redis silently wraps it around"
            }
        })
    }
}

impl std::error::Error for MemoryError {}

/// Reads a memory size as Redis 7 does (`memtoull`), in bytes.
pub fn parse_memory(s: &str) -> Result<u64, MemoryError> {
    let (value, wrapped) = memtoull(s).ok_or(MemoryError::Invalid)?;
    if !s.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
        return Err(MemoryError::NoDigits);
    }
    if wrapped {
        return Err(MemoryError::Overflow);
    }
    Ok(value)
}

/// `memtoull`: `None` when Redis refuses; otherwise the value Redis stores and whether it
/// wrapped (Redis accepts wrapped values).
pub fn memtoull(s: &str) -> Option<(u64, bool)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let unit = s[digits..].to_ascii_lowercase();
    let mul: u64 = match unit.as_str() {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if digits >= 128 {
        return None;
    }
    // strtoull saturates at 2^64-1 on overflow (ERANGE is not checked), then `val*mul` wraps.
    let (val, saturated) = match s[..digits].parse::<u64>() {
        Ok(v) => (v, false),
        Err(_) if digits == 0 => (0, false),
        Err(_) => (u64::MAX, true),
    };
    let (product, overflow) = val.overflowing_mul(mul);
    Some((product, saturated || overflow))
}

/// `string2ll`: optional `-`, no `+`, no leading zeros, no spaces, fits in `i64`.
pub fn string2ll(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() >= 21 {
        return None;
    }
    if b == b"0" {
        return Some(0);
    }
    let (neg, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v: u128 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    if neg {
        i64::try_from(-(v as i128)).ok()
    } else {
        i64::try_from(v).ok()
    }
}

/// C `strtoll(s, &end, base)`: leading whitespace, optional sign, digits; saturates on overflow.
/// Returns the value and whether the whole string was consumed (`*end == '\0'`).
pub fn strtoll(s: &str, base: u32) -> (i64, bool) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let neg = match b.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let start = i;
    let mut v: i128 = 0;
    while let Some(d) = b.get(i).and_then(|&c| (c as char).to_digit(base)) {
        v = (v * base as i128 + d as i128).min(i64::MAX as i128 + 1);
        i += 1;
    }
    if i == start {
        // No digits: the end pointer is the start of the string.
        return (0, s.is_empty());
    }
    let v = if neg { -v } else { v };
    (
        v.clamp(i64::MIN as i128, i64::MAX as i128) as i64,
        i == b.len(),
    )
}

/// C `atoi` (glibc: `(int) strtol(s, NULL, 10)`).
pub fn atoi(s: &str) -> i32 {
    strtoll(s, 10).0 as i32
}

/// `yesnotoi`: `yes`/`no`, case-insensitive.
pub fn yes_no(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("yes") {
        Some(true)
    } else if s.eq_ignore_ascii_case("no") {
        Some(false)
    } else {
        None
    }
}

/// `string2ld` as the percentile list uses it: a C float, no leading space, not NaN.
pub fn string2ld(s: &str) -> Option<f64> {
    let first = *s.as_bytes().first()?;
    if first.is_ascii_whitespace() {
        return None;
    }
    let lower = s.to_ascii_lowercase();
    let trimmed = lower.trim_start_matches(['+', '-']);
    if trimmed.starts_with("nan") {
        return None;
    }
    s.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_units_follow_redis() {
        assert_eq!(parse_memory("1k"), Ok(1000));
        assert_eq!(parse_memory("1kb"), Ok(1024));
        assert_eq!(parse_memory("1KB"), Ok(1024));
        assert_eq!(parse_memory("100m"), Ok(100_000_000));
        assert_eq!(parse_memory("100mb"), Ok(104_857_600));
        assert_eq!(parse_memory("2G"), Ok(2_000_000_000));
        assert_eq!(parse_memory("2gB"), Ok(2_147_483_648));
        assert_eq!(parse_memory("100b"), Ok(100));
        assert_eq!(parse_memory("0100mb"), Ok(104_857_600));
        assert_eq!(parse_memory("42"), Ok(42));
        for bad in [
            "2GiB", "1.5gb", "2TB", "2t", "-1", "+100mb", "0x10", "1gb ", "50%", " 1",
        ] {
            assert_eq!(parse_memory(bad), Err(MemoryError::Invalid), "{bad}");
        }
        assert_eq!(parse_memory("mb"), Err(MemoryError::NoDigits));
        assert_eq!(parse_memory(""), Err(MemoryError::NoDigits));
        assert_eq!(
            parse_memory("99999999999999999999gb"),
            Err(MemoryError::Overflow)
        );
        assert_eq!(
            memtoull("99999999999999999999gb"),
            Some((18_446_744_072_635_809_792, true))
        );
        assert_eq!(memtoull(&"1".repeat(128)), None);
    }

    #[test]
    fn string2ll_is_strict() {
        assert_eq!(string2ll("0"), Some(0));
        assert_eq!(string2ll("-1"), Some(-1));
        assert_eq!(string2ll("9223372036854775807"), Some(i64::MAX));
        assert_eq!(string2ll("-9223372036854775808"), Some(i64::MIN));
        for bad in [
            "",
            "016",
            "+16",
            "16.5",
            "1e3",
            "1k",
            "-0",
            "-",
            " 1",
            "9223372036854775808",
        ] {
            assert_eq!(string2ll(bad), None, "{bad}");
        }
    }

    #[test]
    fn strtoll_is_lenient() {
        assert_eq!(strtoll("+900", 10), (900, true));
        assert_eq!(strtoll(" 01", 10), (1, true));
        assert_eq!(strtoll("12x", 10), (12, false));
        assert_eq!(strtoll("", 10), (0, true));
        assert_eq!(strtoll("x", 10), (0, false));
        assert_eq!(strtoll("99999999999999999999", 10), (i64::MAX, true));
        assert_eq!(strtoll("777", 8), (0o777, true));
        assert_eq!(strtoll("999", 8), (0, false));
        assert_eq!(atoi("two"), 0);
        assert_eq!(atoi("2x"), 2);
    }
}
