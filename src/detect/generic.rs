//! The findings made without a catalogue entry, in the words of `generic.toml`.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::analysis::keys::short_function;
use crate::analysis::retainer_paths::fingerprint;
use crate::analysis::trend::Trend;
use crate::detect::catalogue::unit_of;
use crate::detect::growth::mean_step;
use crate::detect::stack_match::leaf;
use crate::model::{Evidence, Finding, NamedSeries, Status};

/// The ids of the generic growth findings, beside the catalogue's.
pub const GENERIC_SIGNATURES: [&str; 2] = ["go.goroutines.growth", "heap.growth"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Prose {
    id: String,
    metric: String,
    /// `{name}` stands for the short name of the leaf function, or the class.
    title: String,
    explanation: String,
    fix: String,
}

#[derive(Debug, Deserialize)]
struct ProseFile {
    generic: Vec<Prose>,
}

fn prose(id: &str, metric: &str) -> &'static Prose {
    static PROSE: OnceLock<Vec<Prose>> = OnceLock::new();
    let all = PROSE.get_or_init(|| {
        toml::from_str::<ProseFile>(include_str!("generic.toml"))
            .expect("generic.toml is valid (tested)")
            .generic
    });
    all.iter()
        .find(|p| p.id == id && p.metric == metric)
        .expect("every generic finding has its words in generic.toml (tested)")
}

pub fn generic_finding(
    id: &str,
    metric: &str,
    key: &str,
    values: Vec<i64>,
    indexes: &[usize],
) -> Finding {
    let words = prose(id, metric);
    let name = if metric == "objects" {
        key
    } else {
        short_function(leaf(key))
    };
    let title = words.title.replace("{name}", name);
    Finding {
        signature: id.to_string(),
        title,
        status: Status::Growing,
        fingerprint: fingerprint(&format!("{id}\n{key}")),
        metric: metric.to_string(),
        unit: unit_of(metric).to_string(),
        growth_per_step: mean_step(&values),
        trend: Trend::of(&values),
        all_counts: None,
        evidence: Evidence {
            stacks: vec![NamedSeries {
                name: key.to_string(),
                values: values.clone(),
            }],
            ..Evidence::default()
        },
        series: values,
        inputs: indexes.to_vec(),
        explanation: words.explanation.clone(),
        fix: words.fix.clone(),
        references: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generic_finding_has_its_words() {
        let made = [
            ("go.goroutines.growth", "goroutines"),
            ("heap.growth", "inuse_space"),
            ("heap.growth", "objects"),
        ];
        for (id, metric) in made {
            let words = prose(id, metric);
            assert_eq!((words.id.as_str(), words.metric.as_str()), (id, metric));
            assert!(words.title.contains("{name}"), "{id} {metric}");
        }
        assert!(GENERIC_SIGNATURES
            .iter()
            .all(|id| made.iter().any(|(made_id, _)| made_id == id)));
    }
}
