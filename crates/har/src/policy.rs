//! `--policy-out`: one policy that allows exactly the blocked calls that
//! looked intended, linted by the engine and proven by replaying each call
//! against it in memory. It never allows `null` or `*` with credentials,
//! and it says which calls it refused and why.

use crossgate_browser::pair::{ManualClock, Pair};
use crossgate_browser::{Profile, ResponseHead};
use crossgate_core::{Policy, PolicyConfig, RuleConfig};
use serde::Serialize;

use crate::report::{Report, VerdictKind};
use crate::rule::{merge, rule_toml};

/// A blocked call the policy does not allow, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The request's `log.entries` index.
    pub index: usize,
    /// Its URL.
    pub url: String,
    /// Why it was left out.
    pub reason: String,
}

/// The proposed policy.
#[derive(Clone, Debug)]
pub struct Proposal {
    /// The policy (`None` when no call could be allowed).
    pub config: Option<PolicyConfig>,
    /// The servers the rules are for, one per rule.
    pub servers: Vec<String>,
    /// The calls it allows (entry indices), each proven by a replay.
    pub allowed: Vec<usize>,
    /// The calls it refused.
    pub refused: Vec<Refusal>,
}

impl Proposal {
    /// The policy file: a header naming the servers and every refused call,
    /// then one `[[rule]]` per (server, page origin).
    pub fn to_toml(&self) -> String {
        let mut text = String::from(
            "# Written by `crossgate explain --policy-out`: it allows exactly the blocked\n# calls of the HAR file that looked intended, each checked by a replay.\n",
        );
        for r in &self.refused {
            text.push_str(&format!("# not allowed: entry {} {}: {}\n", r.index, r.url, r.reason));
        }
        let rules = self.config.as_ref().map_or(&[][..], |c| &c.rules[..]);
        if rules.is_empty() {
            text.push_str("# (no call to allow)\n");
        }
        for (rule, server) in rules.iter().zip(&self.servers) {
            text.push_str(&format!("\n# for {server}\n{}", rule_toml(rule)));
        }
        text
    }
}

/// The policy allowing `report`'s blocked calls, with the same engine
/// profile the report was made with.
pub fn propose(report: &Report, profile: Profile) -> Proposal {
    let mut refused = Vec::new();
    // (server, origin) → rule and the calls it serves.
    let mut groups: Vec<(String, String, RuleConfig, Vec<usize>)> = Vec::new();
    for (i, d) in report.requests.iter().enumerate() {
        if d.verdict != VerdictKind::Blocked {
            continue;
        }
        let refuse = |reason: &str| Refusal { index: d.index, url: d.url.clone(), reason: reason.to_owned() };
        let (Some(case), Some(rule)) = (&d.replay, &d.rule) else {
            refused.push(refuse("no response header can allow it (see its fix)"));
            continue;
        };
        let (init, one) = (&case.init, &case.rule);
        if init.origin.is_opaque() {
            refused.push(refuse("the page's origin is `null` (a sandboxed iframe, a file: page or a redirect): allowing `null` lets any such page in"));
            continue;
        }
        let origin = init.origin.serialize();
        match groups.iter_mut().find(|g| g.0 == rule.server && g.1 == origin) {
            Some(g) => {
                merge(&mut g.2, one);
                g.3.push(i);
            }
            None => groups.push((rule.server.clone(), origin, one.clone(), vec![i])),
        }
    }
    // Lint: a rule the engine refuses (an `http:` origin with credentials…)
    // is left out with the engine's reason.
    let mut kept: Vec<(String, RuleConfig, Vec<usize>)> = Vec::new();
    for (server, _, rule, calls) in groups {
        match Policy::new(PolicyConfig::new(rule.clone())) {
            Ok(_) => kept.push((server, rule, calls)),
            Err(errors) => {
                let why: Vec<String> = errors.errors().map(|e| format!("{}: {}", e.code.as_str(), e.message)).collect();
                for c in calls {
                    let d = &report.requests[c];
                    refused.push(Refusal {
                        index: d.index,
                        url: d.url.clone(),
                        reason: format!("the engine refuses the rule it needs ({})", why.join("; ")),
                    });
                }
            }
        }
    }
    let servers = kept.iter().map(|k| k.0.clone()).collect();
    let config = (!kept.is_empty()).then(|| PolicyConfig::default().rules(kept.iter().map(|k| k.1.clone())));
    let mut allowed = Vec::new();
    if let Some(policy) = config.clone().and_then(|c| Policy::new(c).ok()).map(|b| b.policy) {
        for (_, _, calls) in &kept {
            for &c in calls {
                let d = &report.requests[c];
                let Some(case) = &d.replay else { continue };
                // The servers answer as they did, minus their CORS headers;
                // the policy adds its own in front of every hop.
                let answers = case.answers.clone();
                let mut pair = Pair::with_clock(&policy, profile, ManualClock::default()).upstream(move |req| {
                    answers.iter().find(|(u, _)| u == req.url.as_str()).map_or_else(
                        || ResponseHead { status: 200, headers: Default::default() },
                        |(_, r)| {
                            if r.status == 0 {
                                ResponseHead { status: 200, headers: r.headers.clone() }
                            } else {
                                r.clone()
                            }
                        },
                    )
                });
                match pair.fetch(case.init.clone()) {
                    Ok(run) if run.verdict.allowed => allowed.push(d.index),
                    Ok(run) => refused.push(Refusal {
                        index: d.index,
                        url: d.url.clone(),
                        reason: format!(
                            "the proposed policy still fails it ({})",
                            run.verdict.blocked.map_or("blocked", |b| b.code)
                        ),
                    }),
                    Err(e) => refused.push(Refusal { index: d.index, url: d.url.clone(), reason: e.to_string() }),
                }
            }
        }
    }
    refused.sort_by_key(|r| r.index);
    allowed.sort_unstable();
    Proposal { config, servers, allowed, refused }
}
