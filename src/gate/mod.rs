//! `check`'s judgement: a policy of thresholds and actions per signature, an allow-list of
//! fingerprints with expiry dates, and the findings of an earlier run as a baseline.

pub mod baseline;
pub mod policy;

pub use baseline::baseline_fingerprints;
pub use policy::{Date, Policy, Verdict, DEFAULT_POLICY};
