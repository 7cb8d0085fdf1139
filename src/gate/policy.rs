//! What `check` fails on: a TOML policy of thresholds, per-signature actions, an allow-list
//! with expiry dates, and how plateaus and receding findings count. The defaults are the
//! documented file `--print-default-policy` prints, parsed like any user's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::detect::Catalogue;
use crate::detect::GENERIC_SIGNATURES;
use crate::error::{Error, FormatError};
use crate::model::{group_inputs, Finding, Input, Status};

pub const DEFAULT_POLICY: &str = include_str!("default-policy.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Fail,
    Warn,
    Ignore,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub goroutines: Option<f64>,
    pub heap_mib: Option<f64>,
    pub objects: Option<f64>,
    pub goroutines_percent: Option<f64>,
    pub heap_percent: Option<f64>,
    pub objects_percent: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allowance {
    pub fingerprint: String,
    pub reason: String,
    /// A TOML date (`2026-12-31`) or the same as a string.
    pub expires: toml::Value,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[serde(default = "default_min_snapshots")]
    pub min_snapshots: usize,
    #[serde(default)]
    pub fail_on_plateau: bool,
    #[serde(default)]
    pub fail_on_receding: bool,
    #[serde(default)]
    pub fail_on_suspect: bool,
    #[serde(default)]
    pub thresholds: Thresholds,
    #[serde(default)]
    pub signatures: BTreeMap<String, Action>,
    #[serde(default)]
    pub allow: Vec<Allowance>,
}

fn default_min_snapshots() -> usize {
    1
}

/// A calendar date, comparable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Date {
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.trim().splitn(3, '-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u32 = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.get(..2)?.parse().ok()?;
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(Date { year, month, day })
    }

    /// Today in UTC.
    pub fn today() -> Date {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Date::from_days((seconds / 86_400) as i64)
    }

    /// The civil date `days` after 1970-01-01 (proleptic Gregorian).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

/// What the policy makes of one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// A regression: the check fails.
    Fail,
    /// Reported, does not fail.
    Warn,
    /// Reported for the record (allowed, known, below threshold, ignored, not failing).
    Pass,
}

impl Policy {
    /// Each series needs `min_snapshots` files.
    pub fn check_inputs(&self, inputs: &[Input]) -> Result<(), Error> {
        let series = group_inputs(inputs);
        if series.is_empty() {
            return Err(Error::Usage(
                "check needs goroutine profiles, heap profiles or heap snapshots".into(),
            ));
        }
        for g in series {
            let n = g.members.len();
            if n < self.min_snapshots {
                let process = g
                    .process
                    .as_ref()
                    .map_or(String::new(), |p| format!(" of {p}"));
                return Err(Error::Usage(format!(
                    "check needs at least {} {} {}{process} (min_snapshots in the policy); got {n}",
                    self.min_snapshots,
                    g.runtime.name(),
                    g.class.plural()
                )));
            }
        }
        Ok(())
    }

    pub fn default_policy() -> Policy {
        Policy::parse(DEFAULT_POLICY).expect("the default policy parses")
    }

    pub fn from_file(path: &std::path::Path, catalogue: &Catalogue) -> Result<Policy, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| FormatError::new(format!("cannot read: {e}")).in_file(path))?;
        let policy = Policy::parse(&text).map_err(|e| e.in_file(path))?;
        policy
            .validate(catalogue)
            .map_err(|m| FormatError::new(m).in_file(path))?;
        Ok(policy)
    }

    fn parse(text: &str) -> Result<Policy, FormatError> {
        toml::from_str(text).map_err(|e| FormatError::from_toml(text, &e))
    }

    fn validate(&self, catalogue: &Catalogue) -> Result<(), String> {
        for id in self.signatures.keys() {
            if catalogue.get(id).is_none() && !GENERIC_SIGNATURES.contains(&id.as_str()) {
                return Err(format!(
                    "[signatures]: no signature {id} (`leakscope signatures list` shows them)"
                ));
            }
        }
        for a in &self.allow {
            if a.reason.trim().is_empty() {
                return Err(format!("[[allow]] {}: a reason is required", a.fingerprint));
            }
            expiry(a)?;
        }
        if self.min_snapshots == 0 {
            return Err("min_snapshots must be at least 1".into());
        }
        Ok(())
    }

    /// The action for a signature: the policy's, else fail for catalogue entries and warn for
    /// generic growth.
    pub fn action(&self, id: &str) -> Action {
        self.signatures
            .get(id)
            .copied()
            .unwrap_or(if GENERIC_SIGNATURES.contains(&id) {
                Action::Warn
            } else {
                Action::Fail
            })
    }

    /// Absolute and relative limits for a metric, in its unit.
    fn limits(&self, metric: &str) -> (f64, Option<f64>) {
        let t = &self.thresholds;
        match metric {
            "goroutines" => (t.goroutines.unwrap_or(10.0), t.goroutines_percent),
            "inuse_space" => (t.heap_mib.unwrap_or(1.0) * 1_048_576.0, t.heap_percent),
            _ => (t.objects.unwrap_or(5.0), t.objects_percent),
        }
    }

    /// Judges one finding. `known` says whether the baseline holds its fingerprint.
    pub fn judge(&self, finding: &Finding, known: bool, today: Date) -> (Verdict, String) {
        let action = self.action(&finding.signature);
        if action == Action::Ignore {
            return (Verdict::Pass, "ignored by the policy".into());
        }
        match finding.status {
            Status::Plateau if !self.fail_on_plateau => {
                return (
                    Verdict::Pass,
                    "plateau: grew, then stopped (fail_on_plateau = false)".into(),
                )
            }
            Status::Receding if !self.fail_on_receding => {
                return (Verdict::Pass, "receding (fail_on_receding = false)".into())
            }
            _ => {}
        }
        // A proof, or a suspect's structure, is not growth: no growth threshold applies.
        if !matches!(finding.status, Status::Present | Status::Suspect) {
            let first = finding.series.first().copied().unwrap_or(0);
            let last = finding.series.last().copied().unwrap_or(0);
            let growth = (last - first) as f64;
            let (absolute, relative) = self.limits(&finding.metric);
            let over_absolute = growth >= absolute;
            // A relative limit can add a failure, never hide absolute growth.
            let over_relative =
                relative.is_some_and(|p| first > 0 && growth * 100.0 >= p * first as f64);
            if !over_absolute && !over_relative {
                return (
                    Verdict::Pass,
                    format!(
                        "grew by {} {}, under the threshold of {}",
                        growth, finding.unit, absolute
                    ),
                );
            }
        }
        if let Some(a) = self
            .allow
            .iter()
            .find(|a| a.fingerprint == finding.fingerprint)
        {
            let expires = expiry(a).expect("validated");
            return if today > expires {
                (
                    Verdict::Fail,
                    format!(
                        "the allow-list entry for this fingerprint expired on {expires} ({})",
                        a.reason
                    ),
                )
            } else {
                (
                    Verdict::Pass,
                    format!("allowed until {expires}: {}", a.reason),
                )
            };
        }
        if known {
            return (
                Verdict::Pass,
                "known: the baseline has this fingerprint".into(),
            );
        }
        match action {
            Action::Fail if finding.status == Status::Suspect && !self.fail_on_suspect => (
                Verdict::Warn,
                "suspect: the structure of this leak, growth not measured (fail_on_suspect = false)"
                    .into(),
            ),
            Action::Fail => (
                Verdict::Fail,
                format!("{} and new", status_word(finding.status)),
            ),
            _ => (
                Verdict::Warn,
                format!("{} (warn by policy)", status_word(finding.status)),
            ),
        }
    }
}

/// A status in a verdict's reason: a present finding is said to be proven.
fn status_word(status: Status) -> &'static str {
    match status {
        Status::Present => "proven by one snapshot",
        Status::Suspect => "suspect (the structure of this leak, growth not measured)",
        other => other.name(),
    }
}

fn expiry(a: &Allowance) -> Result<Date, String> {
    let text = match &a.expires {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) => d.to_string(),
        other => other.to_string(),
    };
    Date::parse(&text).ok_or_else(|| {
        format!(
            "[[allow]] {}: expires must be a date like 2026-12-31, not {text}",
            a.fingerprint
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(20_513).to_string(), "2026-03-01");
        assert_eq!(Date::from_days(11_016).to_string(), "2000-02-29");
        assert!(Date::parse("2026-12-31").unwrap() > Date::parse("2026-02-01").unwrap());
        assert_eq!(Date::parse("2026-13-01"), None);
    }

    #[test]
    fn default_policy_is_valid_and_documented() {
        let p = Policy::default_policy();
        p.validate(&Catalogue::builtin()).unwrap();
        assert_eq!(p.min_snapshots, 1);
        assert_eq!(p.action("go.grpc.clientconn-not-closed"), Action::Fail);
        assert_eq!(p.action("heap.growth"), Action::Warn);
        assert!(
            DEFAULT_POLICY
                .lines()
                .filter(|l| l.starts_with('#'))
                .count()
                > 10
        );
    }

    #[test]
    fn policy_errors_name_line_and_column() {
        let e = Policy::parse("min_snapshots = 2\nfail_on_plateau = \"yes\"\n").unwrap_err();
        assert_eq!(e.place, crate::error::Place::Line(2));
        let p = Policy::parse("[signatures]\n\"go.grpc.nope\" = \"fail\"\n").unwrap();
        assert!(p
            .validate(&Catalogue::builtin())
            .unwrap_err()
            .contains("go.grpc.nope"));
    }
}
