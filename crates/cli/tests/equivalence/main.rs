//! Semantic equivalence of `crossgate import` against the real frameworks,
//! over real sockets.
//!
//! For each dialect, every fixture in `tests/fixtures/convert/<dialect>/`
//! is served (a) by the real framework running the original config (one
//! process for all fixtures, `tests/peers/peer.py`, from the virtualenv
//! `scripts/install-test-deps.sh` makes) and (b) by `crossgate serve` with
//! the imported policy in front of a plain upstream. The same matrix of
//! browser calls (origins allowed, not allowed and near misses; simple and
//! preflighted methods; requested headers; credentials; other paths and
//! error responses) is run through crossgate's Chromium emulator against
//! each, so both get exactly the requests Chromium would send. Every CORS
//! response header of every exchange is compared, and so is the browser's
//! verdict. A difference passes only as one of the dialect's named,
//! documented deviations (`exceptions.rs`), and each is counted. The first
//! 25 unexplained differences are shown (`CROSSGATE_EQUIVALENCE_SHOW=N` for more).

mod exceptions;
mod harness;

use harness::{run_dialect, run_export, Dialect};

#[test]
fn django_cors_headers_and_crossgate_answer_alike() {
    run_dialect(Dialect::Django);
}

#[test]
fn flask_cors_and_crossgate_answer_alike() {
    run_dialect(Dialect::Flask);
}

#[test]
fn starlette_and_crossgate_answer_alike() {
    run_dialect(Dialect::Starlette);
}

#[test]
fn nginx_and_crossgate_answer_alike() {
    run_dialect(Dialect::Nginx);
}

#[test]
fn express_cors_and_crossgate_answer_alike() {
    run_dialect(Dialect::Express);
}

#[test]
fn policies_exported_to_express_answer_as_crossgate() {
    run_export(Dialect::Express);
}

#[test]
fn policies_exported_to_django_answer_as_crossgate() {
    run_export(Dialect::Django);
}

#[test]
fn policies_exported_to_flask_answer_as_crossgate() {
    run_export(Dialect::Flask);
}

#[test]
fn policies_exported_to_starlette_answer_as_crossgate() {
    run_export(Dialect::Starlette);
}

#[test]
fn policies_exported_to_nginx_answer_as_crossgate() {
    run_export(Dialect::Nginx);
}
