//! Kubernetes resource quantities (`512Mi`, `2G`, `100m`, `1.5Gi`, `1e3`), parsed exactly.
//!
//! The grammar is apimachinery's `resource.Quantity`: a signed decimal number (digits with an
//! optional fraction) followed by a binary suffix (`Ki Mi Gi Ti Pi Ei`: powers of 2^10), a
//! decimal suffix (`n u m` and `k M G T P E`: powers of 10^3; note `m` is *milli*), or a decimal
//! exponent (`e3`, `E-2`). Values are kept as an exact rational `num / 10^scale`, so `2Gi`
//! equals `2048Mi` and `1611m` is 1.611, never a rounding artefact.

use std::cmp::Ordering;

#[derive(Clone, Copy, Debug)]
pub struct Quantity {
    /// value = num / 10^scale
    num: i128,
    scale: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuantityError(pub String);

impl std::fmt::Display for QuantityError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The longest text read as a quantity.
const MAX_LEN: usize = 64;

fn err(s: &str, why: &str) -> QuantityError {
    QuantityError(format!("`{s}` is not a Kubernetes quantity: {why}"))
}

impl Quantity {
    /// Parses `text` exactly as the API server's grammar accepts it.
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        let s = text;
        if s.is_empty() {
            return Err(err(s, "it is empty"));
        }
        if s.len() > MAX_LEN {
            return Err(err(s, "it is too long"));
        }
        let b = s.as_bytes();
        let mut i = 0;
        let negative = match b[0] {
            b'-' => {
                i = 1;
                true
            }
            b'+' => {
                i = 1;
                false
            }
            _ => false,
        };
        let int_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let int_digits = &s[int_start..i];
        let mut frac_digits = "";
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let f = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            frac_digits = &s[f..i];
        }
        if int_digits.is_empty() && frac_digits.is_empty() {
            return Err(err(s, "it has no digits"));
        }
        let mut num: i128 = 0;
        for d in int_digits.bytes().chain(frac_digits.bytes()) {
            num = num
                .checked_mul(10)
                .and_then(|n| n.checked_add(i128::from(d - b'0')))
                .ok_or_else(|| err(s, "it is too large"))?;
        }
        let mut q = Quantity {
            num,
            scale: frac_digits.len() as u32,
        };
        let suffix = &s[i..];
        let (pow2, pow10): (u32, i32) = match suffix {
            "" => (0, 0),
            "Ki" => (10, 0),
            "Mi" => (20, 0),
            "Gi" => (30, 0),
            "Ti" => (40, 0),
            "Pi" => (50, 0),
            "Ei" => (60, 0),
            "n" => (0, -9),
            "u" => (0, -6),
            "m" => (0, -3),
            "k" => (0, 3),
            "M" => (0, 6),
            "G" => (0, 9),
            "T" => (0, 12),
            "P" => (0, 15),
            "E" => (0, 18),
            e if e.starts_with(['e', 'E']) => {
                let exp = &e[1..];
                let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
                if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) || digits.len() > 3 {
                    return Err(err(s, "its exponent is not a small whole number"));
                }
                let v: i32 = exp.parse().map_err(|_| err(s, "bad exponent"))?;
                (0, v)
            }
            other => {
                return Err(err(
                    s,
                    &format!(
                        "unknown suffix `{other}` (binary: Ki Mi Gi Ti Pi Ei; decimal: n u m k M G T P E)"
                    ),
                ))
            }
        };
        q.num = q
            .num
            .checked_mul(1i128 << pow2)
            .ok_or_else(|| err(s, "it is too large"))?;
        if pow10 >= 0 {
            let shift = (pow10 as u32).min(q.scale);
            q.scale -= shift;
            let rest = pow10 as u32 - shift;
            q.num = 10i128
                .checked_pow(rest)
                .and_then(|p| q.num.checked_mul(p))
                .ok_or_else(|| err(s, "it is too large"))?;
        } else {
            q.scale += (-pow10) as u32;
            if q.scale > 30 {
                return Err(err(s, "it is too small to represent"));
            }
        }
        if negative {
            q.num = -q.num;
        }
        Ok(q.normalised())
    }

    fn normalised(mut self) -> Quantity {
        while self.scale > 0 && self.num % 10 == 0 {
            self.num /= 10;
            self.scale -= 1;
        }
        self
    }

    /// An exact whole number of bytes.
    pub fn from_bytes(bytes: u64) -> Quantity {
        Quantity {
            num: i128::from(bytes),
            scale: 0,
        }
    }

    /// The value as a float (for ratios in messages).
    pub fn as_f64(&self) -> f64 {
        self.num as f64 / 10f64.powi(self.scale as i32)
    }

    /// The value rounded up to a whole number (what the kubelet uses for bytes), if it is not
    /// negative and fits.
    pub fn ceil_u128(&self) -> Option<u128> {
        if self.num < 0 {
            return None;
        }
        let p = 10i128.checked_pow(self.scale)?;
        let whole = self.num / p + i128::from(self.num % p != 0);
        u128::try_from(whole).ok()
    }

    pub fn is_zero(&self) -> bool {
        self.num == 0
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Quantity) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Quantity) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Quantity) -> Ordering {
        // Both normalised; bring them to the larger scale (scales are at most ~50 digits apart,
        // which i128 cannot always hold: compare by float then, which only happens for absurd
        // values that no policy writes).
        let (a, b) = (self, other);
        let s = a.scale.max(b.scale);
        let scale = |q: &Quantity| {
            10i128
                .checked_pow(s - q.scale)
                .and_then(|p| q.num.checked_mul(p))
        };
        match (scale(a), scale(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => a.as_f64().total_cmp(&b.as_f64()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }

    #[test]
    fn units_are_exact() {
        assert_eq!(q("2Gi"), q("2048Mi"));
        assert_eq!(q("512Mi").ceil_u128(), Some(512 << 20));
        assert_eq!(q("2G").ceil_u128(), Some(2_000_000_000));
        assert_eq!(q("1.5Gi").ceil_u128(), Some(1_610_612_736));
        assert_eq!(q("100m").as_f64(), 0.1);
        assert_eq!(q("1611m").ceil_u128(), Some(2));
        assert_eq!(q("1e3"), q("1k"));
        assert_eq!(q("1E3"), q("1000"));
        assert_eq!(q("5e-1"), q("500m"));
        assert_eq!(q(".5"), q("500m"));
        assert_eq!(q("+1Ki"), q("1024"));
        assert!(q("-1") < q("0"));
        assert!(q("1Gi") > q("1G"));
        assert_eq!(q("1E"), q("1000P"));
    }

    #[test]
    fn refuses_what_the_api_refuses() {
        for bad in [
            "", "Mi", "1MB", "1mi", "1.2.3", "1 Gi", "--1", "1e", "1e1.5", "0x10", "1Kib",
        ] {
            assert!(Quantity::parse(bad).is_err(), "{bad}");
        }
        assert!(Quantity::parse(&"9".repeat(70)).is_err());
        assert!(Quantity::parse("99999999999999999999999999999999999Ei").is_err());
    }
}
