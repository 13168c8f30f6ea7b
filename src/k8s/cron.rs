//! Kubernetes CronJob schedules: exactly what the API server accepts, and what a schedule means.
//!
//! The API server validates `spec.schedule` with robfig/cron v3's `ParseStandard` (five fields or
//! an `@descriptor`) and, since 1.27, refuses any schedule that contains `TZ` (`TZ=`/`CRON_TZ=`
//! prefixes): the zone belongs in `spec.timeZone`. This module mirrors that grammar, including
//! its quirks (`?` in any field, `*/61` firing at minute 0, empty comma items ignored, `*-5`
//! reading as `*`, `+5` as 5, `@every` with Go's duration syntax clamped to one second), and
//! gives each refusal the byte range of the offending text.
//!
//! A parsed [`Schedule`] answers the questions the backup rules ask: when the longest gap
//! between two runs is ([`Schedule::max_gap_minutes`]), whether two schedules fire at the same
//! times ([`Schedule::same_times`]: field sets compared by the days and times they select, not by
//! text), and a short English reading for messages.

use std::ops::Range;

/// Longest schedule text read; longer text is refused with a located error (the API server has
/// no such limit, but no real schedule comes near it).
pub const MAX_SCHEDULE_LEN: usize = 1024;

/// A refusal: what the API server would say, where in the schedule text, and what to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CronError {
    pub kind: CronErrorKind,
    pub message: String,
    /// Byte range inside the schedule text.
    pub at: Range<usize>,
    pub help: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CronErrorKind {
    /// The schedule is empty (the API server: "Required value").
    Empty,
    /// `TZ`/`CRON_TZ` in the schedule (refused since Kubernetes 1.27).
    TimeZoneInSchedule,
    /// robfig/cron refuses the text.
    Syntax,
    /// Longer than [`MAX_SCHEDULE_LEN`].
    TooLong,
}

/// A parsed schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    Spec(Spec),
    /// `@every D`: runs every `seconds` seconds from the controller's start (at least 1 s).
    Every {
        seconds: u64,
    },
}

/// Five field sets as robfig keeps them: bit `n` set when value `n` matches. `dom_star` and
/// `dow_star` record robfig's star bit (the field was `*` or `?` without a step above 1), which
/// decides whether day-of-month and day-of-week combine with AND (one is a star) or OR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    pub minutes: u64,
    pub hours: u64,
    pub dom: u64,
    pub months: u64,
    pub dow: u64,
    pub dom_star: bool,
    pub dow_star: bool,
}

struct Bounds {
    min: u64,
    max: u64,
    names: &'static [(&'static str, u64)],
    what: &'static str,
}

const MONTH_NAMES: &[(&str, u64)] = &[
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("may", 5),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
];
const DOW_NAMES: &[(&str, u64)] = &[
    ("sun", 0),
    ("mon", 1),
    ("tue", 2),
    ("wed", 3),
    ("thu", 4),
    ("fri", 5),
    ("sat", 6),
];
const FIELDS: [Bounds; 5] = [
    Bounds {
        min: 0,
        max: 59,
        names: &[],
        what: "minute",
    },
    Bounds {
        min: 0,
        max: 23,
        names: &[],
        what: "hour",
    },
    Bounds {
        min: 1,
        max: 31,
        names: &[],
        what: "day of month",
    },
    Bounds {
        min: 1,
        max: 12,
        names: MONTH_NAMES,
        what: "month",
    },
    Bounds {
        min: 0,
        max: 6,
        names: DOW_NAMES,
        what: "day of week",
    },
];

fn err(message: String, at: Range<usize>) -> CronError {
    CronError {
        kind: CronErrorKind::Syntax,
        message,
        at,
        help: None,
    }
}

/// Validates a CronJob `spec.schedule` as the API server does on create (Kubernetes ≥ 1.27).
pub fn validate(schedule: &str) -> Result<Schedule, CronError> {
    if schedule.len() > MAX_SCHEDULE_LEN {
        return Err(CronError {
            kind: CronErrorKind::TooLong,
            message: format!(
                "schedule is {} bytes long; grill-lint reads at most {MAX_SCHEDULE_LEN}",
                schedule.len()
            ),
            at: 0..schedule.len(),
            help: None,
        });
    }
    if schedule.is_empty() {
        return Err(CronError {
            kind: CronErrorKind::Empty,
            message: "schedule is empty; the API server requires one".into(),
            at: 0..0,
            help: Some("write five fields, e.g. `0 2 * * *` (daily at 02:00)".into()),
        });
    }
    if let Some(at) = schedule.find("TZ") {
        // The zone robfig would read: `TZ=<zone> rest` or `CRON_TZ=<zone> rest`.
        let prefixed = schedule
            .strip_prefix("CRON_TZ=")
            .or_else(|| schedule.strip_prefix("TZ="));
        let help = match prefixed.and_then(|r| r.split_once(' ')) {
            Some((zone, rest)) if !zone.is_empty() && !rest.trim().is_empty() => format!(
                "write `schedule: \"{}\"` and `timeZone: \"{zone}\"`",
                rest.trim()
            ),
            _ => "move the time zone to `spec.timeZone` (e.g. `timeZone: \"Etc/UTC\"`)".into(),
        };
        let end = prefixed
            .map(|r| schedule.len() - r.len() + r.find(' ').unwrap_or(r.len()))
            .unwrap_or(at + 2);
        return Err(CronError {
            kind: CronErrorKind::TimeZoneInSchedule,
            message: "cannot use TZ or CRON_TZ in schedule (refused since Kubernetes 1.27)".into(),
            at: if prefixed.is_some() {
                0..end
            } else {
                at..at + 2
            },
            help: Some(help),
        });
    }
    parse_standard(schedule)
}

/// robfig/cron v3 `ParseStandard` without its `TZ=` prefix (which Kubernetes refuses anyway).
pub fn parse_standard(spec: &str) -> Result<Schedule, CronError> {
    if spec.is_empty() {
        return Err(err("empty spec string".into(), 0..0));
    }
    if spec.starts_with('@') {
        return descriptor(spec);
    }
    let fields: Vec<(usize, &str)> = split_whitespace_indices(spec).collect();
    if fields.len() != 5 {
        let at = match fields.len() {
            0 => 0..spec.len(),
            n if n > 5 => fields[5].0..spec.len(),
            _ => fields[0].0..spec.len(),
        };
        let mut e = err(
            format!("expected exactly 5 fields, found {}", fields.len()),
            at,
        );
        e.help = Some("write minute hour day-of-month month day-of-week, e.g. `0 2 * * *`".into());
        if fields.len() == 6 {
            e.help =
                Some("Kubernetes schedules have no seconds field: drop the first field".into());
        }
        return Err(e);
    }
    let mut bits = [0u64; 5];
    let mut stars = [false; 5];
    for (k, ((off, text), b)) in fields.iter().zip(FIELDS.iter()).enumerate() {
        let (v, star) = field(text, *off, b)?;
        bits[k] = v;
        stars[k] = star;
    }
    Ok(Schedule::Spec(Spec {
        minutes: bits[0],
        hours: bits[1],
        dom: bits[2],
        months: bits[3],
        dow: bits[4],
        dom_star: stars[2],
        dow_star: stars[4],
    }))
}

/// `strings.Fields` with byte offsets (Unicode White_Space separates, as in Go).
fn split_whitespace_indices(s: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let rest = &s[pos..];
        let start = pos + rest.find(|c: char| !c.is_whitespace())?;
        let len = s[start..]
            .find(char::is_whitespace)
            .unwrap_or(s.len() - start);
        pos = start + len;
        Some((start, &s[start..start + len]))
    })
}

/// A comma list; returns the bits and whether any item carried the star bit.
fn field(text: &str, off: usize, b: &Bounds) -> Result<(u64, bool), CronError> {
    let mut bits = 0;
    let mut star = false;
    let mut at = off;
    for item in text.split(',') {
        // `strings.FieldsFunc` drops empty items.
        if !item.is_empty() {
            let (v, s) = range(item, at, b)?;
            bits |= v;
            star |= s;
        }
        at += item.len() + 1;
    }
    Ok((bits, star))
}

fn range(expr: &str, off: usize, b: &Bounds) -> Result<(u64, bool), CronError> {
    let whole = off..off + expr.len();
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_high: Vec<&str> = range_and_step[0].split('-').collect();
    let single = low_high.len() == 1;
    let (start, mut end, mut star);
    if low_high[0] == "*" || low_high[0] == "?" {
        // robfig ignores whatever follows a hyphen here.
        (start, end, star) = (b.min, b.max, true);
    } else {
        star = false;
        start = int_or_name(low_high[0], off, b)?;
        end = match low_high.len() {
            1 => start,
            2 => int_or_name(low_high[1], off + low_high[0].len() + 1, b)?,
            _ => return Err(err(format!("too many hyphens in `{expr}`"), whole)),
        };
    }
    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let s_off = off + range_and_step[0].len() + 1;
            let step = int(range_and_step[1], s_off)?;
            if single {
                end = b.max;
            }
            if step > 1 {
                star = false;
            }
            step
        }
        _ => return Err(err(format!("too many slashes in `{expr}`"), whole)),
    };
    let what = b.what;
    if start < b.min {
        return Err(err(
            format!("{what} {start} is below the minimum {} in `{expr}`", b.min),
            whole,
        ));
    }
    if end > b.max {
        return Err(err(
            format!("{what} {end} is above the maximum {} in `{expr}`", b.max),
            whole,
        )
        .with_help(if what == "day of week" && end == 7 {
            "Kubernetes counts Sunday as 0, not 7: write `0` or `SUN`".to_string()
        } else {
            format!("{what}s run from {} to {}", b.min, b.max)
        }));
    }
    if start > end {
        return Err(err(
            format!("range `{expr}` starts at {start}, beyond its end {end}"),
            whole,
        ));
    }
    if step == 0 {
        return Err(err(
            format!("step of `{expr}` must be positive, not 0"),
            whole,
        ));
    }
    let mut bits = 0u64;
    let mut i = start;
    while i <= end {
        bits |= 1 << i;
        i = i.saturating_add(step);
    }
    Ok((bits, star))
}

impl CronError {
    fn with_help(mut self, help: String) -> CronError {
        self.help = Some(help);
        self
    }
}

/// Go's `strings.ToLower` for the comparison with names (`İ` lowers to `i` there).
fn go_lower(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let lower: Vec<char> = if c == '\u{130}' {
                vec!['i']
            } else {
                c.to_lowercase().collect()
            };
            lower
        })
        .collect()
}

fn int_or_name(text: &str, off: usize, b: &Bounds) -> Result<u64, CronError> {
    if !b.names.is_empty() {
        let lower = go_lower(text);
        if let Some(&(_, v)) = b.names.iter().find(|(n, _)| *n == lower) {
            return Ok(v);
        }
    }
    int(text, off)
}

/// Go's `strconv.Atoi` followed by robfig's refusal of negative numbers.
fn int(text: &str, off: usize) -> Result<u64, CronError> {
    let at = off..off + text.len();
    let (neg, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        let shown = if text.is_empty() {
            "an empty string"
        } else {
            text
        };
        return Err(err(format!("`{shown}` is not a number"), at));
    }
    // Atoi's range is int64; beyond it Go reports "value out of range".
    let trimmed = digits.trim_start_matches('0');
    let value: Option<u64> = if trimmed.len() > 19 {
        None
    } else {
        trimmed
            .parse::<u64>()
            .ok()
            .or(Some(0).filter(|_| trimmed.is_empty()))
    };
    let limit = if neg { 1u64 << 63 } else { (1u64 << 63) - 1 };
    match value {
        Some(v) if v <= limit => {
            if neg && v > 0 {
                Err(err(format!("negative number `{text}` is not allowed"), at))
            } else {
                Ok(v)
            }
        }
        _ => Err(err(format!("`{text}` is out of range"), at)),
    }
}

fn descriptor(spec: &str) -> Result<Schedule, CronError> {
    let all = |b: &Bounds| -> u64 { (b.min..=b.max).fold(0, |a, i| a | 1 << i) };
    let [mi, ho, dm, mo, dw] = &FIELDS;
    let _ = (mi, ho);
    let daily = Spec {
        minutes: 1,
        hours: 1,
        dom: all(dm),
        months: all(mo),
        dow: all(dw),
        dom_star: true,
        dow_star: true,
    };
    let s = match spec {
        "@yearly" | "@annually" => Spec {
            dom: 1 << 1,
            months: 1 << 1,
            dom_star: false,
            ..daily
        },
        "@monthly" => Spec {
            dom: 1 << 1,
            dom_star: false,
            ..daily
        },
        "@weekly" => Spec {
            dow: 1,
            dow_star: false,
            ..daily
        },
        "@daily" | "@midnight" => daily,
        "@hourly" => Spec {
            hours: all(ho),
            ..daily
        },
        _ => {
            if let Some(d) = spec.strip_prefix("@every ") {
                return match go_duration_nanos(d) {
                    Some(n) => Ok(Schedule::Every {
                        // robfig's Every: below one second reads as one second; rounded down.
                        seconds: (n.max(1_000_000_000) / 1_000_000_000) as u64,
                    }),
                    None => Err(err(format!("`{d}` is not a Go duration"), 7..spec.len())
                        .with_help(
                            "write a duration such as `@every 24h` or `@every 1h30m`".into(),
                        )),
                };
            }
            let mut e = err(format!("unrecognized descriptor `{spec}`"), 0..spec.len());
            e.help = Some(
                "use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration>"
                    .into(),
            );
            return Err(e);
        }
    };
    Ok(Schedule::Spec(s))
}

/// Go's `time.ParseDuration`, in nanoseconds (signed).
fn go_duration_nanos(orig: &str) -> Option<i128> {
    let mut s = orig.as_bytes();
    let mut neg = false;
    if let Some(&c) = s.first() {
        if c == b'-' || c == b'+' {
            neg = c == b'-';
            s = &s[1..];
        }
    }
    if s == b"0" {
        return Some(0);
    }
    if s.is_empty() {
        return None;
    }
    const LIMIT: u64 = 1 << 63;
    let mut d: u64 = 0;
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return None;
        }
        // Leading integer.
        let mut v: u64 = 0;
        let mut i = 0;
        while i < s.len() && s[i].is_ascii_digit() {
            if v > LIMIT / 10 {
                return None;
            }
            v = v * 10 + u64::from(s[i] - b'0');
            if v > LIMIT {
                return None;
            }
            i += 1;
        }
        let pre = i > 0;
        s = &s[i..];
        // Fraction.
        let (mut f, mut scale, mut post) = (0u64, 1f64, false);
        if s.first() == Some(&b'.') {
            s = &s[1..];
            let mut i = 0;
            let mut overflow = false;
            while i < s.len() && s[i].is_ascii_digit() {
                if !overflow {
                    if f > (LIMIT - 1) / 10 {
                        overflow = true;
                    } else {
                        let y = f * 10 + u64::from(s[i] - b'0');
                        if y > LIMIT {
                            overflow = true;
                        } else {
                            f = y;
                            scale *= 10.0;
                        }
                    }
                }
                i += 1;
            }
            post = i > 0;
            s = &s[i..];
        }
        if !pre && !post {
            return None;
        }
        // Unit: everything up to the next digit or period.
        let i = s
            .iter()
            .position(|&c| c == b'.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if i == 0 {
            return None;
        }
        let unit: u64 = match &s[..i] {
            b"ns" => 1,
            b"us" | b"\xc2\xb5s" | b"\xce\xbcs" => 1_000,
            b"ms" => 1_000_000,
            b"s" => 1_000_000_000,
            b"m" => 60_000_000_000,
            b"h" => 3_600_000_000_000,
            _ => return None,
        };
        s = &s[i..];
        if v > LIMIT / unit {
            return None;
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > LIMIT {
                return None;
            }
        }
        d = d.checked_add(v)?;
        if d > LIMIT {
            return None;
        }
    }
    if neg {
        return Some(-(d as i128));
    }
    if d > LIMIT - 1 {
        return None;
    }
    Some(d as i128)
}

// ---- what a schedule means ----

/// Days in the Gregorian 400-year cycle (the calendar repeats exactly after it).
const CYCLE_DAYS: u32 = 146_097;

fn is_leap(y: u32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn month_len(y: u32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Spec {
    /// robfig's `dayMatches`: AND when either day field is a star, OR otherwise.
    pub fn day_matches(&self, month: u32, dom: u32, weekday: u32) -> bool {
        if self.months & (1 << month) == 0 {
            return false;
        }
        let d = self.dom & (1 << dom) != 0;
        let w = self.dow & (1 << weekday) != 0;
        if self.dom_star || self.dow_star {
            d && w
        } else {
            d || w
        }
    }

    /// Minutes of the day at which it fires (on a day that matches), ascending.
    pub fn times_of_day(&self) -> Vec<u32> {
        let mut out = Vec::new();
        for h in 0..24 {
            if self.hours & (1 << h) != 0 {
                for m in 0..60 {
                    if self.minutes & (1 << m) != 0 {
                        out.push(h * 60 + m);
                    }
                }
            }
        }
        out
    }

    /// Calls `f` with each day number (0 = 2000-01-01, a Saturday) of one 400-year cycle on
    /// which it fires, in order, until `f` returns `false`. Months it never fires in are skipped
    /// whole.
    fn each_firing_day(&self, mut f: impl FnMut(u32) -> bool) {
        let mut n = 0u32;
        for y in 2000..2400 {
            for m in 1..=12 {
                let len = month_len(y, m);
                if self.months & (1 << m) != 0 {
                    for d in 1..=len {
                        if self.day_matches(m, d, (n + d - 1 + 6) % 7) && !f(n + d - 1) {
                            return;
                        }
                    }
                }
                n += len;
            }
        }
    }

    /// Whether it fires on at least one day of the calendar (`0 0 30 2 *` never does).
    fn fires_some_day(&self) -> bool {
        let mut any = false;
        self.each_firing_day(|_| {
            any = true;
            false
        });
        any
    }

    /// Whether it fires on every day. Every (month, day of month, weekday) combination a
    /// calendar has occurs within the 400-year cycle, so checking the combinations is exact.
    fn fires_every_day(&self) -> bool {
        (1..=12).all(|m| {
            let days = if m == 2 { 29 } else { month_len(2001, m) };
            (1..=days).all(|d| (0..7).all(|w| self.day_matches(m, d, w)))
        })
    }

    /// The longest run of days between two firing days (wrapping around the cycle), or `None`
    /// when it never fires.
    fn max_day_gap(&self) -> Option<u32> {
        if self.fires_every_day() {
            return Some(1);
        }
        let every_month = (1..=12).all(|m| self.months & (1 << m) != 0);
        if every_month && self.dom_star && !self.dow_star {
            // Weekdays alone decide, and they repeat every 7 days (146,097 days are whole weeks).
            let days: Vec<u32> = (0..7).filter(|w| self.dow & (1 << w) != 0).collect();
            let (&first, &last) = (days.first()?, days.last()?);
            let wrap = first + 7 - last;
            return Some(days.windows(2).map(|w| w[1] - w[0]).fold(wrap, u32::max));
        }
        let (mut first, mut prev, mut gap) = (None, 0u32, 0u32);
        self.each_firing_day(|n| {
            match first {
                None => first = Some(n),
                Some(_) => gap = gap.max(n - prev),
            }
            prev = n;
            true
        });
        let first = first?;
        Some(gap.max(first + CYCLE_DAYS - prev))
    }

    /// Whether the same (month, day, weekday) combinations match, for every calendar day.
    fn same_days(&self, other: &Spec) -> bool {
        for m in 1..=12 {
            let days = if m == 2 { 29 } else { month_len(2001, m) };
            for d in 1..=days {
                for w in 0..7 {
                    if self.day_matches(m, d, w) != other.day_matches(m, d, w) {
                        return false;
                    }
                }
            }
        }
        true
    }
}

impl Schedule {
    /// The longest time between two consecutive runs, in minutes (UTC, no DST), or `None` when
    /// the schedule never fires (`0 0 30 2 *`, an empty field such as `,`).
    pub fn max_gap_minutes(&self) -> Option<u64> {
        match self {
            Schedule::Every { seconds } => Some(seconds.div_ceil(60)),
            Schedule::Spec(s) => {
                let times = s.times_of_day();
                let (&first, &last) = (times.first()?, times.last()?);
                let max_day_gap = s.max_day_gap()?;
                let intra = times.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
                let across = u64::from(max_day_gap) * 1440 + u64::from(first) - u64::from(last);
                Some(across.max(u64::from(intra)))
            }
        }
    }

    /// True when it never goes more than 24 hours without a run.
    pub fn at_least_daily(&self) -> bool {
        self.max_gap_minutes().is_some_and(|g| g <= 24 * 60)
    }

    /// Whether both fire at exactly the same minutes (compared by the days and times their
    /// fields select, so `0 2 1-31 * *` matches `0 2 * * *`). `@every` schedules fire relative to
    /// the controller's start and match only each other with the same period.
    pub fn same_times(&self, other: &Schedule) -> bool {
        match (self, other) {
            (Schedule::Every { seconds: a }, Schedule::Every { seconds: b }) => a == b,
            (Schedule::Spec(a), Schedule::Spec(b)) => {
                let (ta, tb) = (a.times_of_day(), b.times_of_day());
                let never_a = ta.is_empty() || !a.fires_some_day();
                let never_b = tb.is_empty() || !b.fires_some_day();
                if never_a || never_b {
                    return never_a == never_b;
                }
                ta == tb && a.same_days(b)
            }
            _ => false,
        }
    }

    /// A short reading for messages: "daily at 02:00", "every 168h", "weekly (Sun 00:00)".
    pub fn describe(&self) -> String {
        match self {
            Schedule::Every { seconds } => format!("every {seconds}s"),
            Schedule::Spec(s) => {
                let times = s.times_of_day();
                let at = match times.as_slice() {
                    [] => return "never".into(),
                    [t] => format!("at {:02}:{:02}", t / 60, t % 60),
                    many => format!("{} times a day", many.len()),
                };
                let every_day = s.fires_every_day();
                match self.max_gap_minutes() {
                    None => "never".into(),
                    Some(_) if every_day => format!("daily {at}"),
                    Some(g) => format!("{at} on some days (longest gap {}h)", g / 60),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Schedule {
        validate(s).unwrap_or_else(|e| panic!("{s:?} refused: {}", e.message))
    }

    /// Accept/refuse table: the cases of robfig/cron v3's parser tests (TestRange,
    /// TestParseScheduleErrors, TestStandardSpecSchedule), the Kubernetes CronJob validation
    /// tests, and the research table in crates.md (where croner/saffron disagree with Kubernetes).
    #[test]
    fn accepts_exactly_what_kubernetes_accepts() {
        let valid = [
            "* * * * *",
            "* * * * ?",
            "5 * * * *",
            "*/5 * * * *",
            "0 9-17 * * MON-FRI",
            "0 0 1 JAN *",
            "0 0 1 jan *",
            "0 0 1 Jan-Dec/2 *",
            "15 10 ? * *",
            "0 2 * * *",
            "0 3 * * 0",
            "0 3 * * sun",
            "0 0 * * 6",
            "@hourly",
            "@daily",
            "@midnight",
            "@weekly",
            "@monthly",
            "@yearly",
            "@annually",
            "@every 5m",
            "@every 1h30m",
            "@every 1.5h",
            "@every 0s",
            "@every 0",
            "@every -5m",
            "@every 300ms",
            "@every 1µs",
            "*/61 * * * *",
            "5-7/2 * * * *",
            "5-5 * * * *",
            "5/15 * * * *",
            "*/1 * * * *",
            "*-5 * * * *",
            "+5 * * * *",
            "05 02 * * *",
            "1,,2 * * * *",
            ", * * * *",
            "0 0 31 2 *",
            "  0   2 * * *  ",
            "0\t2\n*  * *",
            "1,5-7/2,3 * * * *",
            "0 0 1-31 * 1",
        ];
        for s in valid {
            ok(s);
        }
        let invalid = [
            ("", CronErrorKind::Empty),
            ("TZ=UTC 0 0 * * *", CronErrorKind::TimeZoneInSchedule),
            (
                "CRON_TZ=Europe/Berlin 0 2 * * *",
                CronErrorKind::TimeZoneInSchedule,
            ),
            ("TZ=UTC  @midnight", CronErrorKind::TimeZoneInSchedule),
            ("0 2 * * * TZ", CronErrorKind::TimeZoneInSchedule),
            ("0 0 * * 7", CronErrorKind::Syntax),
            ("0 0 L * *", CronErrorKind::Syntax),
            ("0 0 * * 5L", CronErrorKind::Syntax),
            ("0 0 * * 1#2", CronErrorKind::Syntax),
            ("0 0 15W * *", CronErrorKind::Syntax),
            ("60 * * * *", CronErrorKind::Syntax),
            ("0 24 * * *", CronErrorKind::Syntax),
            ("0 0 0 * *", CronErrorKind::Syntax),
            ("0 0 32 * *", CronErrorKind::Syntax),
            ("0 0 * 0 *", CronErrorKind::Syntax),
            ("0 0 * 13 *", CronErrorKind::Syntax),
            ("*/0 * * * *", CronErrorKind::Syntax),
            ("* * * *", CronErrorKind::Syntax),
            ("0 * * * * *", CronErrorKind::Syntax),
            ("bogus", CronErrorKind::Syntax),
            ("error", CronErrorKind::Syntax),
            ("5 j * * *", CronErrorKind::Syntax),
            ("* 5 j * *", CronErrorKind::Syntax),
            ("5--5 * * * *", CronErrorKind::Syntax),
            ("0 0 * jan-x *", CronErrorKind::Syntax),
            ("2-x * * * *", CronErrorKind::Syntax),
            ("*/-12 * * * *", CronErrorKind::Syntax),
            ("*//2 * * * *", CronErrorKind::Syntax),
            ("5-3 * * * *", CronErrorKind::Syntax),
            ("-5 * * * *", CronErrorKind::Syntax),
            ("5- * * * *", CronErrorKind::Syntax),
            ("*/ * * * *", CronErrorKind::Syntax),
            ("1_0 * * * *", CronErrorKind::Syntax),
            ("99999999999999999999 * * * *", CronErrorKind::Syntax),
            ("@every Xm", CronErrorKind::Syntax),
            ("@every", CronErrorKind::Syntax),
            ("@every 5", CronErrorKind::Syntax),
            ("@every  5m", CronErrorKind::Syntax),
            ("@every 5m ", CronErrorKind::Syntax),
            ("@every .s", CronErrorKind::Syntax),
            ("@every 5d", CronErrorKind::Syntax),
            ("@unrecognized", CronErrorKind::Syntax),
            ("@daily ", CronErrorKind::Syntax),
            ("@Daily", CronErrorKind::Syntax),
            (" @daily", CronErrorKind::Syntax),
        ];
        for (s, kind) in invalid {
            match validate(s) {
                Ok(v) => panic!("{s:?} accepted as {v:?}"),
                Err(e) => {
                    assert_eq!(e.kind, kind, "{s:?}: {}", e.message);
                    assert!(e.at.end <= s.len() && e.at.start <= e.at.end, "{s:?}");
                }
            }
        }
    }

    #[test]
    fn field_sets_match_robfig() {
        // TestRange / TestField cases, on the minute field.
        let Schedule::Spec(s) = ok("5-7/2 * * * *") else {
            panic!()
        };
        assert_eq!(s.minutes, 1 << 5 | 1 << 7);
        let Schedule::Spec(s) = ok("1,5-7/2,3 * * * *") else {
            panic!()
        };
        assert_eq!(s.minutes, 1 << 1 | 1 << 5 | 1 << 7 | 1 << 3);
        let Schedule::Spec(s) = ok("*/61 * * * *") else {
            panic!()
        };
        assert_eq!(s.minutes, 1);
        // `*/2` loses the star bit, `*/1` keeps it.
        let Schedule::Spec(s) = ok("0 0 */2 * */1") else {
            panic!()
        };
        assert!(!s.dom_star && s.dow_star);
        let Schedule::Spec(s) = ok("0 0 1 * fri") else {
            panic!()
        };
        assert_eq!(s.dow, 1 << 5);
        assert!(!s.dom_star && !s.dow_star);
    }

    #[test]
    fn errors_point_at_the_offending_text() {
        let s = "0 2 * * 7";
        let e = validate(s).unwrap_err();
        assert_eq!(&s[e.at.clone()], "7");
        assert!(e.help.unwrap().contains("Sunday"));
        let s = "0 2 1-40 * *";
        let e = validate(s).unwrap_err();
        assert_eq!(&s[e.at.clone()], "1-40");
        assert!(
            e.message.contains("40") && e.message.contains("31"),
            "{}",
            e.message
        );
        let s = "0 2 * jan-x *";
        let e = validate(s).unwrap_err();
        assert_eq!(&s[e.at.clone()], "x");
        let s = "CRON_TZ=Europe/Berlin 0 2 * * *";
        let e = validate(s).unwrap_err();
        assert_eq!(&s[e.at.clone()], "CRON_TZ=Europe/Berlin");
        assert_eq!(
            e.help.as_deref(),
            Some("write `schedule: \"0 2 * * *\"` and `timeZone: \"Europe/Berlin\"`")
        );
        let e = validate("0 0 * * * *").unwrap_err();
        assert!(e.help.unwrap().contains("seconds"));
        let long = "1,".repeat(600);
        assert_eq!(validate(&long).unwrap_err().kind, CronErrorKind::TooLong);
    }

    #[test]
    fn gaps_and_frequency() {
        let gap = |s: &str| ok(s).max_gap_minutes();
        assert_eq!(gap("0 2 * * *"), Some(1440));
        assert_eq!(gap("@daily"), Some(1440));
        assert_eq!(gap("0 2,14 * * *"), Some(720));
        assert_eq!(gap("*/5 * * * *"), Some(5));
        assert_eq!(gap("0 3 * * 0"), Some(7 * 1440));
        assert_eq!(gap("@weekly"), Some(7 * 1440));
        // Weekdays only: Friday 23:00 to Monday 23:00.
        assert_eq!(gap("0 23 * * 1-5"), Some(3 * 1440));
        // dom and dow both restricted: OR (the 1st or any Monday).
        assert_eq!(gap("0 0 1 * 1"), Some(7 * 1440));
        // dom restricted, dow a star: AND.
        assert!(gap("0 0 1 * *").unwrap() >= 28 * 1440);
        assert_eq!(gap("0 0 30 2 *"), None);
        assert_eq!(gap(", * * * *"), None);
        assert_eq!(gap("@every 36h"), Some(36 * 60));
        assert_eq!(gap("@every 100ms"), Some(1));
        // Feb 29: 2096 → 2104 (2100 is no leap year): 8 years.
        assert!(gap("0 0 29 2 *").unwrap() > 7 * 365 * 1440);
        assert!(ok("0 2 * * *").at_least_daily());
        assert!(ok("0 */6 * * *").at_least_daily());
        assert!(!ok("0 2 * * 1-6").at_least_daily());
        assert!(!ok("@every 25h").at_least_daily());
        assert!(!ok("0 0 30 2 *").at_least_daily());
    }

    #[test]
    fn equivalence_by_field_sets() {
        let same = |a: &str, b: &str| ok(a).same_times(&ok(b));
        assert!(same("0 2 * * *", "0 2 * * *"));
        assert!(same("0 2 * * *", "00 02 * * ?"));
        assert!(same("0 2 * * *", "0 2 1-31 * *"));
        assert!(same("0 2 * * *", "0 2 * * 0-6"));
        assert!(same("0 2 * * *", "0 2 * jan-dec sun-sat"));
        assert!(same("0 2 * * *", "0 2 */1 * *"));
        assert!(same("0 0 * * *", "@daily"));
        assert!(same("0 0 * * 0", "@weekly"));
        assert!(same("0 0 1 1 *", "@yearly"));
        assert!(same("0 2 * * *", "0 2 1-15,16-31 * 1"));
        assert!(same("0 0 30 2 *", "0 0 31 4 *"));
        assert!(!same("0 2 * * *", "0 3 * * *"));
        assert!(!same("0 2 * * *", "0 2 * * 1-5"));
        assert!(!same("0 2 * * *", "@every 24h"));
        assert!(!same("0 0 1 * 1", "0 0 1 * *"));
        assert!(!same("0 0 */2 * *", "0 0 * * *"));
        assert!(ok("@every 24h").same_times(&ok("@every 1440m")));
    }

    #[test]
    fn describe_reads_for_messages() {
        assert_eq!(ok("0 2 * * *").describe(), "daily at 02:00");
        assert_eq!(ok("@every 5m").describe(), "every 300s");
        assert_eq!(ok("0 0 30 2 *").describe(), "never");
        assert!(ok("0 3 * * 0").describe().contains("168h"));
    }

    #[test]
    fn go_durations() {
        let n = |s: &str| go_duration_nanos(s);
        assert_eq!(n("1h30m"), Some(5_400_000_000_000));
        assert_eq!(n("1.5h"), Some(5_400_000_000_000));
        assert_eq!(n("-1.5h"), Some(-5_400_000_000_000));
        assert_eq!(n(".5s"), Some(500_000_000));
        assert_eq!(n("5."), None);
        assert_eq!(n("5.s"), Some(5_000_000_000));
        assert_eq!(n("2562047h"), Some(2_562_047 * 3_600_000_000_000));
        assert_eq!(n("2562048h"), None);
        assert_eq!(n("9223372036854775807ns"), Some(i64::MAX as i128));
        assert_eq!(n("9223372036854775808ns"), None);
        assert_eq!(n("-9223372036854775808ns"), Some(i64::MIN as i128));
        assert_eq!(n(""), None);
        assert_eq!(n("+"), None);
        assert_eq!(n("1"), None);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "[0-9*?/,\\- a-zA-Z@.µ]{0,40}") {
            if let Ok(sched) = validate(&s) {
                let _ = sched.max_gap_minutes();
                let _ = sched.describe();
            } else if let Err(e) = validate(&s) {
                proptest::prop_assert!(e.at.end <= s.len());
                proptest::prop_assert!(s.is_char_boundary(e.at.start) && s.is_char_boundary(e.at.end));
            }
        }

        /// The fast paths of the day gap (every day, weekdays alone) agree with walking every
        /// day of the cycle through robfig's day matching.
        #[test]
        fn day_gap_agrees_with_a_walk_over_the_cycle(
            dom in proptest::sample::select(vec!["*", "1", "1-15", "*/2", "29", "31", "?", "13"]),
            month in proptest::sample::select(vec!["*", "2", "1-6", "*/3", "jan-dec"]),
            dow in proptest::sample::select(vec!["*", "0", "1-5", "5,6", "*/2", "sun-sat", "?"]),
        ) {
            let s = format!("0 0 {dom} {month} {dow}");
            let Schedule::Spec(spec) = ok(&s) else { unreachable!("a 5-field spec") };
            let mut days = Vec::new();
            let mut n = 0u32;
            for y in 2000..2400 {
                for m in 1..=12 {
                    for d in 1..=month_len(y, m) {
                        if spec.day_matches(m, d, (n + 6) % 7) {
                            days.push(n);
                        }
                        n += 1;
                    }
                }
            }
            let walked = days.first().map(|&f| {
                let wrap = f + CYCLE_DAYS - days[days.len() - 1];
                days.windows(2).map(|w| w[1] - w[0]).fold(wrap, u32::max)
            });
            proptest::prop_assert_eq!(spec.max_day_gap(), walked, "{}", s);
            proptest::prop_assert_eq!(spec.fires_every_day(), days.len() == CYCLE_DAYS as usize);
            proptest::prop_assert_eq!(spec.fires_some_day(), !days.is_empty());
        }

        #[test]
        fn fields_in_bounds_are_accepted(a in 0u32..60, b in 0u32..24, c in 1u32..32, d in 1u32..13, e in 0u32..7) {
            let s = format!("{a} {b} {c} {d} {e}");
            proptest::prop_assert!(validate(&s).is_ok(), "{}", s);
        }
    }
}
