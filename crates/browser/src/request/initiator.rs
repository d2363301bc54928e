//! Which API or element started a fetch: it fixes the request's mode and
//! credentials defaults (HTML's [CORS settings attribute] for elements) and
//! the destination Fetch Metadata reports.
//!
//! [CORS settings attribute]: https://html.spec.whatwg.org/#cors-settings-attribute

/// Which API or element started the fetch; it fixes the mode and credentials
/// defaults and Chromium's wording ("Access to {kind} at …").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Initiator {
    /// `fetch()`
    Fetch,
    /// `XMLHttpRequest`
    Xhr,
    /// `<img>`
    Image,
    /// A classic `<script>`
    Script,
    /// `<script type=module>` (always CORS)
    ModuleScript,
    /// An `@font-face` font (always CORS)
    Font,
    /// `<link rel=stylesheet>`
    Stylesheet,
    /// `<video>`
    Video,
}

impl Initiator {
    /// Blink's `Resource::ResourceTypeToString` as used in console messages.
    pub const fn resource_kind(self) -> &'static str {
        match self {
            Initiator::Fetch => "fetch",
            Initiator::Xhr => "XMLHttpRequest",
            Initiator::Image => "image",
            Initiator::Script | Initiator::ModuleScript => "script",
            Initiator::Font => "font",
            Initiator::Stylesheet => "CSS stylesheet",
            Initiator::Video => "video",
        }
    }

    /// Whether scripts set method and headers (Fetch's unsafe-request flag).
    pub const fn is_script_api(self) -> bool {
        matches!(self, Initiator::Fetch | Initiator::Xhr)
    }

    /// Parses `fetch`, `xhr`, `img`, `script`, `module`, `font`, `stylesheet`, `video`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "fetch" => Initiator::Fetch,
            "xhr" => Initiator::Xhr,
            "img" | "image" => Initiator::Image,
            "script" => Initiator::Script,
            "module" => Initiator::ModuleScript,
            "font" => Initiator::Font,
            "stylesheet" | "css" => Initiator::Stylesheet,
            "video" => Initiator::Video,
            _ => return None,
        })
    }
}
