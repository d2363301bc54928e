//! Readers for the languages configurations are written in, as data.

pub(crate) mod js;
pub(crate) mod nginx;
pub(crate) mod python;
pub(crate) mod value;
pub(crate) mod yaml;
