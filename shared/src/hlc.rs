//! Hybrid logical clocks (Kulkarni et al., "Logical Physical Clocks", 2014).
//!
//! Phone clocks are wrong, sometimes by months, so edits are ordered by an
//! [`Hlc`] stamp rather than by wall time alone: the stamp follows physical
//! time when the clock is sane, and never runs behind any stamp the device
//! has seen, so causality holds even when `now` is wrong.

use std::collections::BTreeMap;

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

    /// [`Hlc::ZERO`], for fields that older messages lack.
    pub fn zero() -> Hlc {
        Hlc::ZERO
    }
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

impl HlcClock {
    /// The clock after a [`StampRewrite`]: back at `to`, the latest stamp
    /// the device now holds. Only then may a clock step back, because no
    /// stamp it handed out later than `to` is kept anywhere any more.
    pub fn rewind(&mut self, to: Hlc) {
        self.wall_ms = to.wall_ms;
        self.counter = to.counter;
    }

    /// The device (or server) whose clock this is.
    pub fn node(&self) -> Uuid {
        self.node
    }

    /// The latest stamp this clock has handed out or seen.
    pub fn last(&self) -> Hlc {
        Hlc {
            wall_ms: self.wall_ms,
            counter: self.counter,
            node: self.node,
        }
    }
}

/// How a device whose clock ran fast takes its stamps back.
///
/// The server refuses a change stamped more than
/// [`crate::sync::MAX_STAMP_AHEAD_MS`] ahead of its clock (`clock_ahead`)
/// and stores nothing of it, so no stamp of this device beyond that limit
/// exists anywhere but on the device. The device moves every such stamp of
/// its own back to the server's time, keeping their order (a correction
/// made after the first version still wins over it) and keeping them after
/// every other stamp it holds; then it rewinds its clock to the last of
/// them and sends the changes again. An edit someone makes after that
/// moment wins, as it should. Stamps at or below the limit are left alone:
/// the server may already hold them, and will accept them at any later
/// time too.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StampRewrite {
    moved: BTreeMap<Hlc, Hlc>,
    /// Where the moved stamps start after: the server's time, or the
    /// latest stamp kept if that is later.
    floor: (u64, u32),
}

impl StampRewrite {
    /// Plans the move of `node`'s stamps later than `limit_ms`, given the
    /// server's time `now_ms` and every stamp the device holds (its
    /// records' and its outbox's, of any node).
    pub fn plan(
        node: Uuid,
        now_ms: u64,
        limit_ms: u64,
        held: impl IntoIterator<Item = Hlc>,
    ) -> StampRewrite {
        let mut ahead = Vec::new();
        let mut floor = (now_ms.min(limit_ms), 0);
        for stamp in held {
            if stamp.wall_ms > limit_ms {
                if stamp.node == node {
                    ahead.push(stamp);
                }
            } else {
                floor = floor.max((stamp.wall_ms, stamp.counter));
            }
        }
        ahead.sort();
        ahead.dedup();
        let moved = ahead
            .into_iter()
            .zip(1u32..)
            .map(|(old, n)| {
                let new = Hlc {
                    wall_ms: floor.0,
                    counter: floor.1.saturating_add(n),
                    node,
                };
                (old, new)
            })
            .collect();
        StampRewrite { moved, floor }
    }

    pub fn is_empty(&self) -> bool {
        self.moved.is_empty()
    }

    /// Moves one stamp if the plan moves it; says whether it did.
    pub fn apply(&self, stamp: &mut Hlc) -> bool {
        match self.moved.get(stamp) {
            Some(new) => {
                *stamp = *new;
                true
            }
            None => false,
        }
    }

    /// Where the device's clock goes: the last moved stamp, or the floor
    /// when the clock ran ahead with nothing stamped.
    pub fn rewound_clock(&self, node: Uuid) -> Hlc {
        self.moved.values().max().copied().unwrap_or(Hlc {
            wall_ms: self.floor.0,
            counter: self.floor.1,
            node,
        })
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

    #[test]
    fn a_rewrite_moves_only_the_devices_stamps_beyond_the_limit_and_keeps_their_order() {
        let day_ms = 24 * 3_600 * 1_000;
        let now = 1_795_000_000_000;
        let limit = now + 300_000;
        let mut fast = HlcClock::new(node(1));
        let kept = fast.stamp(now - 10);
        let created = fast.stamp(now + day_ms);
        let corrected = fast.stamp(now + day_ms);
        let deleted = fast.stamp(now + day_ms + 5);
        let other = HlcClock::new(node(9)).stamp(now + 20);
        let plan = StampRewrite::plan(
            node(1),
            now,
            limit,
            [deleted, kept, created, other, corrected, created],
        );
        let moved: Vec<Hlc> = [kept, created, corrected, deleted, other]
            .into_iter()
            .map(|mut stamp| {
                plan.apply(&mut stamp);
                stamp
            })
            .collect();
        assert_eq!(moved[0], kept);
        assert_eq!(moved[4], other);
        // Created, corrected, deleted: still in that order, and all after
        // what was kept, the other device's stamp included, at the
        // server's time rather than a day ahead.
        assert!(moved[0] < moved[1] && moved[1] < moved[2] && moved[2] < moved[3]);
        assert!(moved[4] < moved[1]);
        assert!(
            moved[1..4].iter().all(|stamp| stamp.wall_ms == now + 20),
            "{moved:?}"
        );
        // An edit made a moment later by anyone wins over them.
        let later = HlcClock::new(node(7)).stamp(now + 21);
        assert!(later > moved[3]);
        fast.rewind(plan.rewound_clock(node(1)));
        assert!(fast.stamp(now - day_ms) > moved[3]);
    }

    #[test]
    fn a_clock_ahead_with_nothing_stamped_rewinds_to_the_servers_time() {
        let plan = StampRewrite::plan(node(1), 5_000, 8_000, []);
        assert!(plan.is_empty());
        let mut clock = HlcClock::new(node(1));
        clock.stamp(99_000);
        clock.rewind(plan.rewound_clock(node(1)));
        assert_eq!(clock.stamp(1_000).wall_ms, 5_000);
    }
}
