//! A deadline that runs only while something waits on a client: armed by
//! the first `Pending` after progress, disarmed by progress. The timer is
//! boxed once, on the first wait, and reset after that.

use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::{Instant, Sleep};

pub(super) struct IdleDeadline {
    idle: Duration,
    timer: Option<Pin<Box<Sleep>>>,
    armed: bool,
}

impl IdleDeadline {
    pub(super) fn new(idle: Duration) -> Self {
        IdleDeadline { idle, timer: None, armed: false }
    }

    /// The client made progress: the next wait starts a new deadline.
    pub(super) fn progress(&mut self) {
        self.armed = false;
    }

    /// Called when waiting on the client: ready once it has waited `idle`
    /// since the last progress.
    pub(super) fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let deadline = Instant::now() + self.idle;
        let timer = match &mut self.timer {
            Some(t) => {
                if !self.armed {
                    t.as_mut().reset(deadline);
                }
                t
            }
            None => self.timer.insert(Box::pin(tokio::time::sleep_until(deadline))),
        };
        self.armed = true;
        timer.as_mut().poll(cx)
    }
}
