//! What leaks the inputs show: the catalogue of known leak signatures (data, `catalog/*.toml`)
//! and the detectors that match it, plus generic growth where no signature explains it.

pub mod catalogue;
pub mod matcher;

pub use catalogue::{Catalogue, Compiled, Signature};
pub use matcher::{scan, value_index, GENERIC_SIGNATURES};
