//! Small, fast helpers for whitespace-separated ASCII text.

/// Splits `line` on spaces and tabs into `fields` (byte ranges), returning the count.
#[inline]
pub(crate) fn split_fields(line: &[u8], fields: &mut Vec<(u32, u32)>) -> usize {
    fields.clear();
    let mut i = 0;
    let n = line.len();
    while i < n {
        while i < n && (line[i] == b' ' || line[i] == b'\t') {
            i += 1;
        }
        if i >= n {
            break;
        }
        let start = i;
        while i < n && line[i] != b' ' && line[i] != b'\t' {
            i += 1;
        }
        fields.push((start as u32, i as u32));
    }
    fields.len()
}

/// Parses an unsigned decimal integer (an optional leading `+`), refusing overflow.
#[inline]
pub(crate) fn parse_u64(s: &[u8]) -> Option<u64> {
    let digits = s.strip_prefix(b"+").unwrap_or(s);
    if digits.is_empty() || digits.len() > 20 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    Some(v)
}

/// Parses a signed decimal integer.
#[inline]
pub(crate) fn parse_i64(s: &[u8]) -> Option<i64> {
    match s.first() {
        Some(b'-') => {
            let v = parse_u64(&s[1..]).filter(|_| s.get(1) != Some(&b'+'))?;
            if v == 1 << 63 {
                Some(i64::MIN)
            } else {
                i64::try_from(v).ok().map(|v| -v)
            }
        }
        _ => parse_u64(s).and_then(|v| i64::try_from(v).ok()),
    }
}

/// Parses a finite decimal float (`1`, `-2.5`, `3e-4`, ...); `nan` and `inf` are refused.
#[inline]
pub(crate) fn parse_finite(s: &[u8]) -> Option<f64> {
    // fast-float2 is exact (Eisel–Lemire with a slow path, like the standard
    // library) and works on bytes; it must consume the whole field.
    let v: f64 = fast_float2::parse(s).ok()?;
    v.is_finite().then_some(v)
}

/// Parses any float, `nan` and `inf` included (for extra columns).
#[inline]
pub(crate) fn parse_float(s: &[u8]) -> Option<f64> {
    fast_float2::parse(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_numbers() {
        let mut f = Vec::new();
        assert_eq!(split_fields(b"  1\t2  -3.5e2 ", &mut f), 3);
        assert_eq!(f, vec![(2, 3), (4, 5), (7, 13)]);
        assert_eq!(split_fields(b"", &mut f), 0);
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        assert_eq!(parse_u64(b"+7"), Some(7));
        assert_eq!(parse_u64(b"1.0"), None);
        assert_eq!(parse_u64(b""), None);
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        assert_eq!(parse_i64(b"-+1"), None);
        assert_eq!(parse_i64(b"-"), None);
        assert_eq!(parse_finite(b"-3.5e2"), Some(-350.0));
        assert_eq!(parse_finite(b"nan"), None);
        assert_eq!(parse_finite(b"1e999"), None);
        assert!(parse_float(b"nan").unwrap().is_nan());
        assert_eq!(parse_finite(b"1.5x"), None);
        assert_eq!(parse_finite(b"."), None);
        assert_eq!(parse_finite(b"+.5e-1"), Some(0.05));
        // Agrees with the standard library bit for bit on hard cases.
        for t in [
            "2.2250738585072011e-308",
            "9007199254740993",
            "0.1",
            "1e-320",
            "123456.789e3",
            "-0",
        ] {
            assert_eq!(
                parse_float(t.as_bytes()).map(f64::to_bits),
                t.parse::<f64>().ok().map(f64::to_bits),
                "{t}"
            );
        }
    }
}
