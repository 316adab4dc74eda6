//! Login throttling: how long a key (an account or an address) must wait after failed logins.
//!
//! A few failures are free; after that each failure doubles the wait, up to a ceiling, so a guessing
//! attack slows to a crawl while a real user who mistyped is never locked out for long. A success
//! clears the account's count; an address's count fades when it stays quiet.

use std::time::Duration;

/// The throttling policy (settings per installation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures per account before waiting starts.
    pub account_free: u32,
    /// Failures per address before waiting starts (several people may share an address).
    pub address_free: u32,
    /// The first wait; it doubles with each further failure.
    pub base: Duration,
    /// The longest wait.
    pub max: Duration,
    /// Counts are forgotten after this long without a failure.
    pub forget_after: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            account_free: 5,
            address_free: 20,
            base: Duration::from_secs(1),
            max: Duration::from_secs(15 * 60),
            forget_after: Duration::from_secs(60 * 60),
        }
    }
}

/// What is throttled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Account,
    Address,
}

impl ThrottlePolicy {
    /// The wait after the `failures`-th failure in a row.
    pub fn wait_after(&self, kind: KeyKind, failures: u32) -> Duration {
        let free = match kind {
            KeyKind::Account => self.account_free,
            KeyKind::Address => self.address_free,
        };
        if failures < free {
            return Duration::ZERO;
        }
        let doublings = (failures - free).min(30);
        self.base.saturating_mul(1u32 << doublings).min(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_first_failures_are_free_then_the_wait_doubles_up_to_the_ceiling() {
        let p = ThrottlePolicy::default();
        let waits: Vec<u64> = (1..=16)
            .map(|n| p.wait_after(KeyKind::Account, n).as_secs())
            .collect();
        assert_eq!(
            waits,
            [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
        );
        assert_eq!(p.wait_after(KeyKind::Address, 19), Duration::ZERO);
        assert_eq!(p.wait_after(KeyKind::Address, 20), Duration::from_secs(1));
    }

    proptest! {
        #[test]
        fn the_wait_never_shrinks_and_never_passes_the_ceiling(n in 0u32..10_000) {
            let p = ThrottlePolicy::default();
            for kind in [KeyKind::Account, KeyKind::Address] {
                prop_assert!(p.wait_after(kind, n) <= p.wait_after(kind, n + 1));
                prop_assert!(p.wait_after(kind, n) <= p.max);
            }
        }
    }
}
