//! The findings of an earlier run (`check --baseline-findings`): only what they lack fails.

use std::path::Path;

use crate::error::{FormatError, Result};

/// Fingerprints in the JSON of an earlier `check` or `scan`.
pub fn baseline_fingerprints(path: &Path) -> Result<Vec<String>> {
    let fail = |m: String| FormatError::new(m).in_file(path);
    let text = std::fs::read(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    let value: serde_json::Value = serde_json::from_slice(&text).map_err(|e| {
        FormatError::at_line(e.line() as u64, format!("not JSON: {e}")).in_file(path)
    })?;
    let findings = value["findings"].as_array().ok_or_else(|| {
        fail("not the JSON of `leakscope check` or `scan`: no \"findings\" list".into())
    })?;
    Ok(findings
        .iter()
        .filter_map(|f| f["fingerprint"].as_str().map(str::to_string))
        .collect())
}
