//! Where and how the demo runs.

use std::path::PathBuf;

/// Where and how to run the demo.
#[derive(Clone, Debug)]
pub struct Options {
    /// Directory for the SQLite file.
    pub data_dir: PathBuf,
    /// The API origin's port (the gateway's); 0 picks one.
    pub api_port: u16,
    /// The front-end origin's port; 0 picks one.
    pub front_port: u16,
}

/// The per-user data directory: `$XDG_DATA_HOME/crossgate`, else
/// `~/.local/share/crossgate`, else a directory under the temp dir.
pub fn default_data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("crossgate");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(h).join(".local/share/crossgate");
    }
    std::env::temp_dir().join("crossgate")
}
