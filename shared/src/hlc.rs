//! Hybrid logical clocks (Kulkarni et al., "Logical Physical Clocks", 2014).
//!
//! Phone clocks are wrong, sometimes by months, so edits are ordered by an
//! [`Hlc`] stamp rather than by wall time alone: the stamp follows physical
//! time when the clock is sane, and never runs behind any stamp the device
//! has seen, so causality holds even when `now` is wrong.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One stamp. Ordered by wall time, then counter, then node, so any two
/// stamps from different devices compare unequal: merge is deterministic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hlc {
    /// Milliseconds since the Unix epoch (the largest physical time seen).
    pub wall_ms: u64,
    /// Orders events within one millisecond.
    pub counter: u32,
    /// The device (or server) that made the stamp.
    pub node: Uuid,
}

impl Hlc {
    /// Smaller than every stamp a clock hands out.
    pub const ZERO: Hlc = Hlc {
        wall_ms: 0,
        counter: 0,
        node: Uuid::nil(),
    };
}

/// A device's clock. Feed it the physical time on every call; it never goes
/// backwards, whatever the physical clock does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HlcClock {
    node: Uuid,
    wall_ms: u64,
    counter: u32,
}

impl HlcClock {
    pub fn new(node: Uuid) -> HlcClock {
        HlcClock {
            node,
            wall_ms: 0,
            counter: 0,
        }
    }

    /// A stamp for a local event, greater than every stamp made or seen.
    pub fn stamp(&mut self, physical_ms: u64) -> Hlc {
        if physical_ms > self.wall_ms {
            self.wall_ms = physical_ms;
            self.counter = 0;
        } else {
            self.counter = self.counter.checked_add(1).unwrap_or_else(|| {
                // Four billion events in one millisecond: move time on instead.
                self.wall_ms += 1;
                0
            });
        }
        Hlc {
            wall_ms: self.wall_ms,
            counter: self.counter,
            node: self.node,
        }
    }

    /// Folds in a stamp received from elsewhere (a pulled change, the
    /// server's time), so the next local stamp is greater than it.
    pub fn observe(&mut self, seen: Hlc) {
        if (seen.wall_ms, seen.counter) > (self.wall_ms, self.counter) {
            self.wall_ms = seen.wall_ms;
            self.counter = seen.counter;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn stamps_follow_a_sane_physical_clock() {
        let mut clock = HlcClock::new(node(1));
        let a = clock.stamp(1_000);
        let b = clock.stamp(2_000);
        assert_eq!((a.wall_ms, a.counter), (1_000, 0));
        assert_eq!((b.wall_ms, b.counter), (2_000, 0));
    }

    #[test]
    fn stamps_keep_growing_when_the_physical_clock_stalls_or_jumps_back() {
        let mut clock = HlcClock::new(node(1));
        let a = clock.stamp(5_000);
        let b = clock.stamp(5_000);
        let c = clock.stamp(1_000);
        assert!(a < b && b < c, "{a:?} {b:?} {c:?}");
        assert_eq!(c.wall_ms, 5_000);
    }

    #[test]
    fn a_clock_set_to_last_year_still_stamps_after_what_it_has_seen() {
        let month_ms = 30 * 24 * 3_600 * 1_000;
        let now = 1_795_000_000_000;
        let mut honest = HlcClock::new(node(1));
        let mut behind = HlcClock::new(node(2));
        let edit = honest.stamp(now);
        behind.observe(edit);
        let later_edit = behind.stamp(now - 12 * month_ms);
        assert!(later_edit > edit);
    }

    #[test]
    fn stamps_of_different_nodes_never_tie() {
        let a = HlcClock::new(node(1)).stamp(7);
        let b = HlcClock::new(node(2)).stamp(7);
        assert_ne!(a, b);
        assert!(a < b);
    }
}
