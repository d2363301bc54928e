//! An upstream connection polled from a request's task, without waking
//! that task for what it is already doing.
//!
//! hyper's client connection talks to its request through channels: queuing
//! the request, answering it, handing over body chunks and asking for more
//! each wake the other side. Here both sides are polled by the same task in
//! one pass, so those wakes would only schedule the task again for a poll
//! that finds nothing new — a whole extra turn of the client connection's
//! HTTP/1 state machine per wake. The connection is therefore polled with
//! its own waker, a [`Gate`]: a wake that arrives while a pass is running
//! is recorded, and the pass runs again instead (unless what the task
//! waited for is ready: then its caller makes the next pass before it waits
//! again); a wake that arrives between passes (a socket became ready) goes
//! to the task as usual. So every wake is followed by a pass or by the
//! task's own wake-up.

use std::future::Future as _;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::body::Body;

/// Passes a wake-up loop may take before it yields to the scheduler.
const MAX_PASSES: usize = 8;

const IDLE: u8 = 0;
const POLLING: u8 = 1;
const WOKEN: u8 = 2;

/// The waker a connection is polled with.
struct Gate {
    state: AtomicU8,
    task: Mutex<Option<Waker>>,
}

impl Gate {
    fn set_task(&self, waker: &Waker) {
        let mut task = self.task.lock().unwrap_or_else(PoisonError::into_inner);
        if !task.as_ref().is_some_and(|t| t.will_wake(waker)) {
            *task = Some(waker.clone());
        }
    }
}

impl Wake for Gate {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        match self.state.compare_exchange(POLLING, WOKEN, Ordering::AcqRel, Ordering::Acquire) {
            // A pass is running: it will run again.
            Ok(_) | Err(WOKEN) => {}
            Err(_) => {
                if let Some(task) = self.task.lock().unwrap_or_else(PoisonError::into_inner).as_ref() {
                    task.wake_by_ref();
                }
            }
        }
    }
}

/// A hyper client connection, polled through a [`Gate`].
pub(super) struct Link {
    conn: Connection,
    ended: bool,
    gate: Arc<Gate>,
    waker: Waker,
}

impl Link {
    pub(super) fn new(conn: Connection) -> Box<Link> {
        let gate = Arc::new(Gate { state: AtomicU8::new(IDLE), task: Mutex::new(None) });
        let waker = Waker::from(Arc::clone(&gate));
        Box::new(Link { conn, ended: false, gate, waker })
    }

    /// Whether the connection has ended (closed or failed).
    pub(super) fn ended(&self) -> bool {
        self.ended
    }

    /// Starts a pass before something that wakes the connection
    /// synchronously (queuing a request): that wake is covered by the pass
    /// that follows.
    pub(super) fn begin(&self) {
        self.gate.state.store(POLLING, Ordering::Release);
    }

    /// Polls the connection, then `rest` (what the task waits for), in
    /// passes until `rest` is ready or no wake arrived during a pass.
    pub(super) fn pass<R>(
        &mut self,
        cx: &mut Context<'_>,
        mut rest: impl FnMut(&mut Context<'_>) -> Poll<R>,
    ) -> Poll<R> {
        let Link { conn, ended, gate, waker } = self;
        gate.set_task(cx.waker());
        let mut inner = Context::from_waker(waker);
        for _ in 0..MAX_PASSES {
            gate.state.store(POLLING, Ordering::Release);
            if !*ended && Pin::new(&mut *conn).poll(&mut inner).is_ready() {
                *ended = true;
            }
            let result = rest(&mut inner);
            let woken = gate.state.swap(IDLE, Ordering::AcqRel) == WOKEN;
            // Every caller polls the connection again before it waits on
            // it: a response head is followed by its body, a body frame by
            // the next frame or by the release. So a wake that came with a
            // ready result needs no pass of its own.
            if !woken || result.is_ready() {
                return result;
            }
        }
        // Still being woken: leave the rest to another turn of the task.
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    /// The connection itself, for a protocol upgrade.
    pub(super) fn into_connection(self: Box<Self>) -> Connection {
        self.conn
    }
}

type Connection = http1::Connection<TokioIo<TcpStream>, Body>;
