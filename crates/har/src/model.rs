//! The parts of [HAR 1.2] that a CORS diagnosis reads, as the browsers write
//! them. Every field is optional or defaulted: exports differ (Chrome adds
//! `_`-prefixed extensions, Firefox and Safari leave fields out, a sanitized
//! export drops cookies), and bodies are never kept in memory.
//!
//! [HAR 1.2]: http://www.softwareishard.com/blog/har-12-spec/

use serde::Deserialize;

/// The top-level object.
#[derive(Debug, Deserialize)]
pub(crate) struct Har {
    pub(crate) log: Log,
}

/// `log`.
#[derive(Debug, Deserialize)]
pub(crate) struct Log {
    #[serde(default)]
    pub(crate) version: Option<String>,
    #[serde(default)]
    pub(crate) creator: Option<Creator>,
    #[serde(default)]
    pub(crate) pages: Vec<Page>,
    pub(crate) entries: Entries,
}

/// `log.creator`: which tool wrote the file.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Creator {
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) version: String,
}

/// `log.pages[]`: Chrome and Safari put the page URL in `title`, Firefox
/// the document title (and the URL in no field).
#[derive(Debug, Deserialize)]
pub(crate) struct Page {
    #[serde(default)]
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) title: String,
}

/// `log.entries`, read one entry at a time so that an error names its
/// entry (see [`Entries::deserialize`]).
#[derive(Debug, Default)]
pub(crate) struct Entries(pub(crate) Vec<Entry>);

/// The prefix an entry's error message carries: `entries[7]: …`.
pub(crate) const ENTRY_ERROR_PREFIX: &str = "entries[";

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of entries")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Entries, A::Error> {
                let mut entries = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
                loop {
                    // serde_json reads the position back out of a custom
                    // message ("… at line L column C"), so the entry's index
                    // is added and the position kept.
                    match seq.next_element::<Entry>() {
                        Ok(Some(e)) => entries.push(e),
                        Ok(None) => return Ok(Entries(entries)),
                        Err(e) => {
                            return Err(serde::de::Error::custom(format_args!(
                                "{ENTRY_ERROR_PREFIX}{}]: {e}",
                                entries.len()
                            )))
                        }
                    }
                }
            }
        }
        d.deserialize_seq(Visit)
    }
}

/// One exchange.
#[derive(Debug, Deserialize)]
pub(crate) struct Entry {
    #[serde(default)]
    pub(crate) pageref: Option<String>,
    #[serde(rename = "startedDateTime", default)]
    pub(crate) started: String,
    /// Total milliseconds; `-1` or absent when unknown.
    #[serde(default)]
    pub(crate) time: Option<f64>,
    pub(crate) request: Request,
    #[serde(default)]
    pub(crate) response: Response,
    /// Chrome: `fetch`, `xhr`, `image`, `script`, `preflight`, `document`…
    #[serde(rename = "_resourceType", default)]
    pub(crate) resource_type: Option<String>,
    /// Chrome: the protocol's `Network.Initiator`.
    #[serde(rename = "_initiator", default)]
    pub(crate) initiator: Option<Initiator>,
    /// The address the browser connected to (`[::1]` in brackets, or bare).
    #[serde(rename = "serverIPAddress", default)]
    pub(crate) server_ip: Option<String>,
}

/// Chrome's `_initiator`: for a preflight, `type: "preflight"` and the
/// actual request's `url` and `requestId`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Initiator {
    #[serde(rename = "type", default)]
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) url: Option<String>,
}

/// `request`.
#[derive(Debug, Deserialize)]
pub(crate) struct Request {
    #[serde(default)]
    pub(crate) method: String,
    pub(crate) url: String,
    #[serde(default)]
    pub(crate) headers: Vec<Header>,
    #[serde(default)]
    pub(crate) cookies: Vec<serde::de::IgnoredAny>,
    /// `request.postData`: only its presence matters (its text is skipped).
    #[serde(rename = "postData", default)]
    pub(crate) post_data: Option<serde::de::IgnoredAny>,
    #[serde(rename = "bodySize", default)]
    pub(crate) body_size: Option<f64>,
}

/// `response`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Response {
    /// `0` when there was none (blocked, cancelled, failed).
    #[serde(default)]
    pub(crate) status: f64,
    #[serde(default)]
    pub(crate) headers: Vec<Header>,
    #[serde(rename = "redirectURL", default)]
    pub(crate) redirect_url: Option<String>,
    /// Chrome: the network error, `net::ERR_FAILED` for a CORS failure.
    #[serde(rename = "_error", default)]
    pub(crate) error: Option<String>,
}

/// A header line. Values that are not strings (some tools write numbers)
/// are read as their JSON text.
#[derive(Debug, Deserialize)]
pub(crate) struct Header {
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub(crate) value: String,
}

fn lenient_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    })
}
