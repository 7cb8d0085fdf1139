//! pprof's `-list`: the values of a function line by line, for each function whose name
//! matches. A line's flat value is what samples ended on it; its cum, what passed through it,
//! counted once per sample however often recursion repeats the line.

use regex::Regex;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::model::Profile;

#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    pub sample_type: String,
    pub unit: String,
    /// What percentages are of: the total before any filter.
    pub total: i64,
    /// Matching functions, largest cum first, then name.
    pub routines: Vec<Routine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Routine {
    pub function: String,
    pub file: String,
    /// Where the function starts, when the profile records it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_line: Option<u32>,
    pub flat: i64,
    pub cum: i64,
    /// Lines with a value, in line order; line 0 when the profile records none.
    pub lines: Vec<LineValue>,
    /// The source lines shown, when the file was found: (line number, text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Vec<(u32, String)>>,
    /// Where the source was read from, or why it was not.
    pub source_note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LineValue {
    pub line: u32,
    pub flat: i64,
    pub cum: i64,
}

pub fn list(profile: &Profile, sample_index: usize, pattern: &Regex) -> Listing {
    let matched: Vec<bool> = profile
        .functions
        .iter()
        .map(|f| pattern.is_match(&f.name))
        .collect();
    // (function, line) -> (flat, cum); function -> cum.
    let mut lines: FxHashMap<(u32, u32), (i64, i64)> = FxHashMap::default();
    let mut function_cum: FxHashMap<u32, i64> = FxHashMap::default();
    let mut seen_lines: FxHashSet<(u32, u32)> = FxHashSet::default();
    let mut seen_functions: FxHashSet<u32> = FxHashSet::default();
    for (index, sample) in profile.samples.iter().enumerate() {
        let value = profile.values(index)[sample_index];
        if value == 0 {
            continue;
        }
        seen_lines.clear();
        seen_functions.clear();
        for (depth, &frame) in profile.stack(sample.stack).iter().enumerate() {
            let frame = profile.frames[frame as usize];
            if !matched[frame.function as usize] {
                continue;
            }
            let key = (frame.function, frame.line);
            let entry = lines.entry(key).or_default();
            if depth == 0 {
                entry.0 += value;
            }
            if seen_lines.insert(key) {
                entry.1 += value;
            }
            if seen_functions.insert(frame.function) {
                *function_cum.entry(frame.function).or_default() += value;
            }
        }
    }
    let mut routines: Vec<Routine> = function_cum
        .into_iter()
        .map(|(function, cum)| {
            let f = &profile.functions[function as usize];
            let mut values: Vec<LineValue> = lines
                .iter()
                .filter(|((fun, _), _)| *fun == function)
                .map(|(&(_, line), &(flat, cum))| LineValue { line, flat, cum })
                .collect();
            values.sort_by_key(|l| l.line);
            Routine {
                function: f.name.clone(),
                file: f.file.clone(),
                start_line: (f.start_line > 0).then_some(f.start_line),
                flat: values.iter().map(|l| l.flat).sum(),
                cum,
                lines: values,
                source: None,
                source_note: String::new(),
            }
        })
        .collect();
    routines.sort_by(|a, b| {
        b.cum
            .abs()
            .cmp(&a.cum.abs())
            .then_with(|| a.function.cmp(&b.function))
    });
    let sample_type = &profile.sample_types[sample_index];
    Listing {
        sample_type: sample_type.name.clone(),
        unit: sample_type.unit.clone(),
        total: profile.percent_base(sample_index),
        routines,
    }
}

/// Lines of context after the last line with a value, as pprof shows.
const CONTEXT_AFTER: u32 = 5;

impl Routine {
    /// The lines to show of a source file: from the function's start (or its first line with
    /// a value) to a few lines past its last.
    pub fn attach_source(&mut self, text: &str, from: &str) {
        let Some(last) = self.lines.iter().map(|l| l.line).max().filter(|&l| l > 0) else {
            self.source_note = format!("{from}: the profile records no lines for this function");
            return;
        };
        let first = self
            .lines
            .iter()
            .map(|l| l.line)
            .filter(|&l| l > 0)
            .min()
            .unwrap_or(last);
        let start = self.start_line.filter(|&s| s <= first).unwrap_or(first);
        let end = last + CONTEXT_AFTER;
        let shown: Vec<(u32, String)> = text
            .lines()
            .enumerate()
            .map(|(i, line)| (i as u32 + 1, line))
            .filter(|&(n, _)| n >= start && n <= end)
            .map(|(n, line)| (n, line.replace('\t', "    ")))
            .collect();
        if shown.iter().all(|&(n, _)| n < last) {
            self.source_note = format!(
                "{from} has {} lines; the profile names line {last}: not the same file",
                text.lines().count()
            );
            return;
        }
        self.source = Some(shown);
        self.source_note = from.to_string();
    }
}
