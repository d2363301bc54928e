//! What a page may do with an image it loaded: HTML's canvas origin-clean
//! flag and WebGL's texture upload.

use crate::filtered_response::ResponseType;

/// What a page may do with an image it loaded: draw it without clearing the
/// canvas's [origin-clean] flag, upload it with WebGL's `texImage2D`.
///
/// [origin-clean]: https://html.spec.whatwg.org/#concept-canvas-origin-clean
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CanvasUse {
    /// `drawImage` marks the canvas not origin-clean: `getImageData` and
    /// `toDataURL` then throw a `SecurityError`.
    pub draw_image_taints: bool,
    /// WebGL refuses to upload it as a texture (`SecurityError`).
    pub webgl_refuses: bool,
}

/// The effect of drawing an image whose response had type `t`: a CORS or
/// same-origin image is clean; an opaque one (an `<img>` without
/// `crossorigin` from another origin) clears a 2D canvas's [origin-clean]
/// flag, and WebGL refuses it.
///
/// [origin-clean]: https://html.spec.whatwg.org/#concept-canvas-origin-clean
pub const fn canvas_use(t: ResponseType) -> CanvasUse {
    let opaque = matches!(t, ResponseType::Opaque | ResponseType::OpaqueRedirect);
    CanvasUse { draw_image_taints: opaque, webgl_refuses: opaque }
}
