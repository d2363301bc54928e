//! The pair's clock: injected, so that cached preflights expire when a test
//! says so.

use std::time::Duration;

/// Where the pair's time comes from: the preflight cache's expiry is the
/// only thing that reads it.
pub trait Clock {
    /// The current time, as a duration since any fixed start.
    fn now(&mut self) -> Duration;
}

/// A clock that only moves when told to.
///
/// ```
/// use std::time::Duration;
/// use crossgate_browser::pair::{Clock, ManualClock};
///
/// let mut clock = ManualClock::at(Duration::from_secs(10));
/// clock.advance(Duration::from_secs(5));
/// assert_eq!(clock.now(), Duration::from_secs(15));
/// clock.set(Duration::ZERO);
/// assert_eq!(clock.now(), Duration::ZERO);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ManualClock {
    now: Duration,
}

impl ManualClock {
    /// A clock at `now`.
    pub const fn at(now: Duration) -> Self {
        ManualClock { now }
    }

    /// Moves the clock forward.
    pub fn advance(&mut self, by: Duration) {
        self.now = self.now.saturating_add(by);
    }

    /// Sets the time.
    pub fn set(&mut self, now: Duration) {
        self.now = now;
    }
}

impl Clock for ManualClock {
    fn now(&mut self) -> Duration {
        self.now
    }
}

impl<F: FnMut() -> Duration> Clock for F {
    fn now(&mut self) -> Duration {
        self()
    }
}
