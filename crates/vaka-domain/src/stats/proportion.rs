//! Intervals for a proportion.

use super::survival::z_of;

/// A share with its interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Share {
    pub successes: u64,
    pub n: u64,
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
}

/// The Wilson score interval (Wilson 1927; method 3 in Newcombe 1998): good coverage also for
/// small n and shares near 0 or 1, where the plain normal interval fails. `None` when n = 0.
pub fn wilson(successes: u64, n: u64, level: f64) -> Option<Share> {
    if n == 0 || successes > n {
        return None;
    }
    let z = z_of(level);
    let (x, nf) = (successes as f64, n as f64);
    let p = x / nf;
    let z2 = z * z;
    let denom = 1.0 + z2 / nf;
    let center = (p + z2 / (2.0 * nf)) / denom;
    let half = z / denom * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    Some(Share {
        successes,
        n,
        estimate: p,
        lower: (center - half).max(0.0),
        upper: (center + half).min(1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 0.00005
    }

    #[test]
    fn wilson_matches_newcombes_worked_examples() {
        // Newcombe (1998), Statistics in Medicine 17:857–872, table I, method 3.
        for (x, n, lo, hi) in [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ] {
            let s = wilson(x, n, 0.95).unwrap();
            assert!(close(s.lower, lo) && close(s.upper, hi), "{x}/{n}: {s:?}");
        }
        // Symmetric around one half.
        let s = wilson(5, 10, 0.95).unwrap();
        assert!(close(s.lower, 0.2366) && close(s.upper, 0.7634));
        assert_eq!(wilson(0, 0, 0.95), None);
        assert_eq!(wilson(3, 2, 0.95), None);
    }
}
