//! Known leak signatures as data: one TOML catalogue per runtime under `catalog/`, embedded at
//! build time, plus the user's own files (`--rules`). The matcher is generic: an entry names the
//! evidence (frames, classes, a runtime proof), the metric and its thresholds; nothing here
//! knows a particular library.

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::analysis::trend::Trend;
use crate::detect::growth::mean_step;
use crate::error::{Error, FormatError};
use crate::model::{Evidence, Finding, ProfileClass, Status};

const BUILTIN: [(&str, &str); 3] = [
    ("go.toml", include_str!("catalog/go.toml")),
    ("node.toml", include_str!("catalog/node.toml")),
    ("rust.toml", include_str!("catalog/rust.toml")),
];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoFrame {
    pub name: String,
    pub frame: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetainerHint {
    pub pattern: String,
    pub meaning: String,
}

/// One catalogue entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    pub id: String,
    pub runtime: String,
    pub profile: ProfileClass,
    pub title: String,
    pub library: String,
    pub versions: String,
    pub recognised_by: String,
    /// `goroutines`, `inuse_space` or `objects`.
    pub metric: String,
    /// Stacks count when any of their frames matches one of these.
    #[serde(default)]
    pub markers: Vec<String>,
    /// ... and every one of these ...
    #[serde(default)]
    pub require_all: Vec<String>,
    /// ... and none of these (a marked goroutine in another state: an idle connection's
    /// read loop is not one whose response body was dropped).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unless: Vec<String>,
    /// Goroutine dumps that print states (debug=2, which leaves the runtime's frames out, as
    /// debug=1 does): a stack also counts when its goroutines wait in one of these states
    /// (`chan send`), as `markers` count it where the runtime's frames are kept
    /// (`runtime.chansend1` in protobuf profiles).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub states: Vec<String>,
    /// Stacks matching one of these are taken off the metric (e.g. streams still being read).
    #[serde(default)]
    pub minus: Vec<String>,
    /// Frames expected to grow with the markers, reported beside them.
    #[serde(default)]
    pub co_growing: Vec<CoFrame>,
    /// Heap snapshots: the classes whose objects are the metric.
    #[serde(default)]
    pub classes: Vec<String>,
    /// Heap snapshots: classes expected to grow with them.
    #[serde(default)]
    pub co_classes: Vec<String>,
    #[serde(default)]
    pub retainer_hints: Vec<RetainerHint>,
    /// A proof the runtime gives in one snapshot: `runtime-leak-marks`.
    #[serde(default)]
    pub proof: Option<String>,
    /// The evidence is a common way to wait (a channel, a lock, a sleep), not one library's
    /// frames: growth is judged as generic growth is (enough snapshots, a significant trend,
    /// what stayed piling up), so that busy moments of a healthy service do not fire it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub strict_growth: bool,
    /// Growth over the series, in the metric's unit, below which nothing is reported.
    #[serde(default)]
    pub min_growth: Option<f64>,
    /// One snapshot proves a leak when the metric reaches this ...
    #[serde(default)]
    pub present_min_count: Option<i64>,
    /// ... and the matched goroutines' wait ages spread over at least this many minutes.
    #[serde(default)]
    pub present_min_wait_spread_minutes: Option<u32>,
    /// From one snapshot (or two, too few to show growth) the entry is suspect when its metric
    /// reaches this ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspect_min_count: Option<i64>,
    /// ... and, where a full dump records creator goroutines, one of them started at least half
    /// of the matched goroutines (a loop, not per-request work) ...
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub suspect_one_creator: bool,
    /// ... counting, in heap snapshots, only the objects that no object of these classes refers
    /// to: their owner is gone, yet they live on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suspect_orphaned_from: Vec<String>,
    pub explanation: String,
    pub fix: String,
    #[serde(default)]
    pub references: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    #[serde(default)]
    signature: Vec<Signature>,
}

/// An entry with its patterns compiled.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub signature: Signature,
    pub markers: Vec<Regex>,
    pub require_all: Vec<Regex>,
    pub unless: Vec<Regex>,
    pub minus: Vec<Regex>,
    pub co_growing: Vec<(String, Regex)>,
}

/// The unit of a metric: `inuse_space` is bytes, `objects` objects, `goroutines` goroutines.
pub fn unit_of(metric: &str) -> &'static str {
    match metric {
        "inuse_space" => "bytes",
        "objects" => "objects",
        _ => "goroutines",
    }
}

impl Signature {
    /// A finding of this entry: its words and metric, with what a detector measured.
    pub fn finding(
        &self,
        status: Status,
        fingerprint: String,
        series: Vec<i64>,
        inputs: &[usize],
        evidence: Evidence,
    ) -> Finding {
        Finding {
            signature: self.id.clone(),
            title: self.title.clone(),
            status,
            fingerprint,
            metric: self.metric.clone(),
            unit: unit_of(&self.metric).to_string(),
            growth_per_step: mean_step(&series),
            inputs: inputs.to_vec(),
            trend: Trend::of(&series),
            series,
            all_counts: None,
            evidence,
            explanation: self.explanation.trim().to_string(),
            fix: self.fix.trim().to_string(),
            references: self.references.clone(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub entries: Vec<Compiled>,
}

impl Catalogue {
    /// The catalogue shipped with leakscope.
    pub fn builtin() -> Catalogue {
        let mut catalogue = Catalogue::default();
        for (name, text) in BUILTIN {
            catalogue
                .add_text(text)
                .unwrap_or_else(|e| panic!("built-in catalogue {name}: {e:?}"));
        }
        catalogue
    }

    /// Adds a user's rules file; errors name the line and column.
    pub fn add_file(&mut self, path: &std::path::Path) -> Result<(), Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| FormatError::new(format!("cannot read: {e}")).in_file(path))?;
        self.add_text(&text).map_err(|e| e.in_file(path))
    }

    /// Adds the entries of a catalogue text (the TOML of a rules file).
    pub fn add_text(&mut self, text: &str) -> Result<(), FormatError> {
        let file: CatalogueFile =
            toml::from_str(text).map_err(|e| FormatError::from_toml(text, &e))?;
        for signature in file.signature {
            let compiled = compile(signature).map_err(FormatError::new)?;
            if self
                .entries
                .iter()
                .any(|e| e.signature.id == compiled.signature.id)
            {
                return Err(FormatError::new(format!(
                    "signature {} is defined twice",
                    compiled.signature.id
                )));
            }
            self.entries.push(compiled);
        }
        Ok(())
    }

    /// Every entry's id, in catalogue order.
    pub fn ids(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|e| e.signature.id.clone())
            .collect()
    }

    /// Ids of the entries for these runtimes (`go`, `node`, `rust`): what a run on inputs of
    /// those runtimes checks.
    pub fn ids_for(&self, runtimes: &[&str]) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| runtimes.contains(&e.signature.runtime.as_str()))
            .map(|e| e.signature.id.clone())
            .collect()
    }

    pub fn get(&self, id: &str) -> Option<&Compiled> {
        self.entries.iter().find(|e| e.signature.id == id)
    }
}

fn compile(signature: Signature) -> Result<Compiled, String> {
    let id = signature.id.clone();
    let regexes = |field: &str, patterns: &[String]| -> Result<Vec<Regex>, String> {
        patterns
            .iter()
            .map(|p| Regex::new(p).map_err(|e| format!("signature {id}: {field}: {e}")))
            .collect()
    };
    if id.is_empty() {
        return Err("a signature has an empty id".into());
    }
    if !matches!(signature.runtime.as_str(), "go" | "node" | "rust") {
        return Err(format!("signature {id}: runtime must be go, node or rust"));
    }
    let has_evidence = !signature.markers.is_empty()
        || !signature.states.is_empty()
        || !signature.require_all.is_empty()
        || !signature.classes.is_empty()
        || signature.proof.is_some();
    if !has_evidence {
        return Err(format!(
            "signature {id}: names no evidence (markers, states, require_all, classes or proof)"
        ));
    }
    if !signature.states.is_empty() && signature.profile != ProfileClass::Goroutine {
        return Err(format!(
            "signature {id}: states are goroutine states, for goroutine profiles only"
        ));
    }
    if let Some(proof) = &signature.proof {
        if proof != "runtime-leak-marks" {
            return Err(format!("signature {id}: unknown proof `{proof}`"));
        }
    }
    if signature.profile == ProfileClass::Snapshot && signature.classes.is_empty() {
        return Err(format!(
            "signature {id}: a snapshot signature needs classes"
        ));
    }
    if (signature.suspect_one_creator || !signature.suspect_orphaned_from.is_empty())
        && signature.suspect_min_count.is_none()
    {
        return Err(format!(
            "signature {id}: suspect_one_creator and suspect_orphaned_from refine suspect_min_count, which is missing"
        ));
    }
    let markers = regexes("markers", &signature.markers)?;
    let require_all = regexes("require_all", &signature.require_all)?;
    let unless = regexes("unless", &signature.unless)?;
    let minus = regexes("minus", &signature.minus)?;
    let co_growing = signature
        .co_growing
        .iter()
        .map(|c| {
            Regex::new(&c.frame)
                .map(|r| (c.name.clone(), r))
                .map_err(|e| format!("signature {id}: co_growing {}: {e}", c.name))
        })
        .collect::<Result<_, _>>()?;
    Ok(Compiled {
        signature,
        markers,
        require_all,
        unless,
        minus,
        co_growing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_loads_with_every_required_id() {
        let c = Catalogue::builtin();
        for id in [
            "go.grpc.clientconn-not-closed",
            "go.grpc.client-stream-abandoned",
            "go.grpc.server-handlers-piling",
            "go.grpc.server-transports-piling",
            "go.grpc.stream-buffers-unread",
            "go.runtime.goroutine-leak-proven",
            "node.grpcjs.client-not-closed",
            "node.grpcjs.stream-not-ended",
            "node.grpcjs.subchannels-piling",
            "rust.tonic.channel-not-dropped",
            "rust.tonic.stream-not-dropped",
        ] {
            assert!(c.get(id).is_some(), "{id}");
        }
    }

    #[test]
    fn bad_rules_name_line_and_column() {
        let mut c = Catalogue::default();
        let e = c
            .add_text("[[signature]]\nid = \"x\"\nruntime = 3\n")
            .unwrap_err();
        assert_eq!(e.place, crate::error::Place::Line(3));
        assert!(e.message.starts_with("column "), "{e:?}");
        let e = c
            .add_text("[[signature]]\nid='x'\nruntime='go'\nprofile='goroutine'\ntitle='t'\nlibrary='l'\nversions='v'\nrecognised_by='r'\nmetric='goroutines'\nmarkers=['(']\nexplanation='e'\nfix='f'\n")
            .unwrap_err();
        assert!(e.message.contains("markers"), "{e:?}");
    }

    #[test]
    fn goroutine_states_are_evidence_of_goroutine_profiles_only() {
        let entry = |profile: &str, metric: &str| {
            format!(
                "[[signature]]\nid='x'\nruntime='go'\nprofile='{profile}'\ntitle='t'\nlibrary='l'\n\
                 versions='v'\nrecognised_by='r'\nmetric='{metric}'\nstates=['chan send']\n\
                 explanation='e'\nfix='f'\n"
            )
        };
        let mut c = Catalogue::default();
        c.add_text(&entry("goroutine", "goroutines")).unwrap();
        let e = c.add_text(&entry("heap", "inuse_space")).unwrap_err();
        assert!(e.message.contains("goroutine profiles only"), "{e:?}");
    }
}
