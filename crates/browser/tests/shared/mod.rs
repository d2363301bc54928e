//! What every engine's differential test shares: the generated cases, the
//! scripted loopback server both sides are answered by, the page's runner,
//! and the emulator's side of each case. Each engine's test adds only its
//! driver and what it reads back from the browser.
#![allow(dead_code)]

pub mod cases;
pub mod emulate;
pub mod model;
pub mod page;
pub mod server;

use std::sync::{Arc, Mutex};

use model::{Case, Env};

/// The two loopback listeners, serving every generated case.
pub struct Scene {
    pub env: Env,
    pub state: server::Shared,
    pub cases: Vec<Case>,
}

impl Scene {
    /// Binds two ports on 127.0.0.1 and serves the generated cases on both,
    /// on `rt`.
    pub fn start(rt: &tokio::runtime::Runtime) -> Scene {
        let state: server::Shared = Arc::new(Mutex::new(server::State::default()));
        let (p, q) = rt.block_on(async {
            let a = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let b = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let ports = (a.local_addr().expect("addr").port(), b.local_addr().expect("addr").port());
            tokio::spawn(server::serve(a, state.clone()));
            tokio::spawn(server::serve(b, state.clone()));
            ports
        });
        let env = Env { p, q };
        let cases = cases::generate();
        {
            let mut st = state.lock().expect("state");
            st.env = Some(env.clone());
            st.cases = cases.clone();
        }
        Scene { env, state, cases }
    }
}
