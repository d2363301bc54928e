//! An allowlist a program changes while its policy runs: origins that live
//! in a database, added and removed without rebuilding the policy.
//!
//! Every entry goes through the policy file's own checks (the same parser,
//! codes and messages). Deciding reads the current table with one atomic
//! load: exact origins are one hash lookup, patterns cost what they cost in
//! a file, and nothing is allocated. Changing the set copies its table
//! (a writer pays O(n); readers never wait) and swaps the copy in.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use arc_swap::ArcSwap;

use crate::config::RuleConfig;
use crate::diagnostics::{ConfigErrors, Diagnostic, Location, Severity, Sink};
use crate::origin::{parse_pattern, OriginPattern, OriginTable};

/// A shared, changeable set of origin patterns for a rule
/// ([`RuleConfig::origin_set`]). Clones share the set.
///
/// Entries are checked as a credentialed rule's origins are, since a set can
/// serve any rule: `*`, `null`, `*.` over a public suffix and plain-`http`
/// origins other than loopback are refused. App origins are accepted for
/// the platforms crossgate knows (`tauri://localhost`,
/// `chrome-extension://<id>`).
///
/// ```
/// use crossgate_core::{Code, OriginSet, Policy, PolicyConfig, RuleConfig};
/// use http::{HeaderMap, HeaderValue, Method};
///
/// let tenants = OriginSet::new();
/// let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example.com"]).origin_set(tenants.clone())))?.policy;
/// let mut request = HeaderMap::new();
/// request.insert("origin", HeaderValue::from_static("https://shop.customer.example"));
/// assert!(!policy.evaluate(&Method::GET, "/", &request).is_allowed());
///
/// tenants.insert("https://shop.customer.example")?;
/// assert!(policy.evaluate(&Method::GET, "/", &request).is_allowed());
///
/// let refused = tenants.insert("https://shop.customer.example/").unwrap_err();
/// assert_eq!(refused.diagnostics[0].code, Code::OriginHasPath);
/// assert_eq!(refused.diagnostics[0].help, "did you mean `https://shop.customer.example`?");
///
/// assert!(tenants.remove("https://shop.customer.example")?);
/// assert!(!policy.evaluate(&Method::GET, "/", &request).is_allowed());
/// # Ok::<(), crossgate_core::ConfigErrors>(())
/// ```
#[derive(Clone, Default)]
pub struct OriginSet {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    /// What deciding reads.
    table: ArcSwap<OriginTable>,
    /// The entries by canonical text; writers hold the lock while they
    /// rebuild the table, so two changes never lose one another.
    entries: Mutex<BTreeMap<String, OriginPattern>>,
}

/// The field diagnostics about a set's entries point at.
const FIELD: &str = "origin_set";

impl OriginSet {
    /// An empty set.
    pub fn new() -> Self {
        OriginSet::default()
    }

    /// Adds an origin or pattern. Adding one already there changes nothing.
    ///
    /// # Errors
    ///
    /// The entry's problems, with the codes a policy file reports (and the
    /// set unchanged). On success, its warnings and notes.
    pub fn insert(&self, origin: &str) -> Result<Vec<Diagnostic>, ConfigErrors> {
        self.insert_all([origin])
    }

    /// Adds several entries at once: all of them, or none if any is
    /// refused (every problem reported).
    ///
    /// # Errors
    ///
    /// As [`insert`](Self::insert), for every entry.
    pub fn insert_all<I, S>(&self, origins: I) -> Result<Vec<Diagnostic>, ConfigErrors>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let (patterns, findings) = check(origins)?;
        self.change(|entries| entries.extend(patterns));
        Ok(findings)
    }

    /// Replaces every entry (a reload from the database): all or nothing.
    ///
    /// # Errors
    ///
    /// As [`insert_all`](Self::insert_all); the set is left as it was.
    pub fn replace_all<I, S>(&self, origins: I) -> Result<Vec<Diagnostic>, ConfigErrors>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let (patterns, findings) = check(origins)?;
        self.change(|entries| *entries = patterns.into_iter().collect());
        Ok(findings)
    }

    /// Removes an entry, written as it was added or in canonical form.
    /// Returns whether it was there.
    ///
    /// # Errors
    ///
    /// The value is not an origin pattern at all.
    pub fn remove(&self, origin: &str) -> Result<bool, ConfigErrors> {
        let pattern = parse_pattern(origin).map_err(|e| {
            let mut sink = Sink::default();
            sink.push(e.code, None, FIELD, origin, e.message, e.help);
            ConfigErrors { diagnostics: sink.diagnostics }
        })?;
        let mut removed = false;
        self.change(|entries| removed = entries.remove(&pattern.pattern.to_string()).is_some());
        Ok(removed)
    }

    /// Whether a request's `Origin` value is in the set (exact bytes, as
    /// deciding compares them).
    #[inline]
    pub fn contains(&self, origin: &[u8]) -> bool {
        self.shared.table.load().matches_listed(origin)
    }

    /// The entries, canonical, sorted.
    pub fn origins(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the set has no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, OriginPattern>> {
        // A writer that panicked left the map whole (it is changed in one
        // call), so its lock's poison is ignored.
        self.shared.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn change(&self, f: impl FnOnce(&mut BTreeMap<String, OriginPattern>)) {
        let mut entries = self.lock();
        f(&mut entries);
        let mut table = OriginTable::default();
        for pattern in entries.values() {
            table.insert(pattern.clone());
        }
        self.shared.table.store(Arc::new(table));
    }
}

/// Checks entries as a credentialed rule's origins: the policy file's
/// checks, with the diagnostics placed at `origin_set`.
/// Accepted entries by canonical text, and their warnings and notes.
type Checked = (Vec<(String, OriginPattern)>, Vec<Diagnostic>);

fn check<I, S>(origins: I) -> Result<Checked, ConfigErrors>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let rule = RuleConfig::new(origins.into_iter().map(|o| o.as_ref().to_owned())).credentials(true);
    if rule.origins.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut sink = Sink::default();
    let (_, canonical) = crate::build::compile_origins(0, &rule, &mut sink);
    for d in &mut sink.diagnostics {
        d.location = Location { rule: None, field: FIELD };
    }
    if sink.has_errors() {
        return Err(ConfigErrors { diagnostics: sink.diagnostics });
    }
    // `compile_origins` kept each accepted entry once, in canonical form.
    let patterns =
        canonical.into_iter().filter_map(|text| parse_pattern(&text).ok().map(|p| (text, p.pattern))).collect();
    let findings = sink.diagnostics.into_iter().filter(|d| d.severity() != Severity::Error).collect();
    Ok((patterns, findings))
}

impl fmt::Debug for OriginSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OriginSet").field("len", &self.len()).finish_non_exhaustive()
    }
}

/// Two handles are equal when they share one set.
impl PartialEq for OriginSet {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl Eq for OriginSet {}
