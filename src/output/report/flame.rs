//! Flame graphs of stack profiles: the first snapshot against the last in inferno's
//! differential mode (red grew, blue shrank), or one snapshot alone.

use rustc_hash::FxHashMap;

use crate::analysis::keys::{stack_key_of, FrameKeys, KeyOptions};
use crate::model::Profile;
use crate::output::names::short_function;

/// Pixels: fits the report's column.
pub const FLAME_WIDTH: usize = 1120;

/// A rendered flame graph and the stacks that grew most.
#[derive(Debug, Clone)]
pub struct FlameGraph {
    /// A standalone SVG document, as inferno writes it (with its zoom and search script).
    pub svg: String,
    /// First against last (`true`), or the last snapshot alone.
    pub differential: bool,
    pub unit: String,
    /// Stacks by growth, largest first (differential), or by value (single).
    pub changes: Vec<StackChange>,
    /// Stacks with a change, before the cut to `changes`.
    pub change_count: usize,
}

#[derive(Debug, Clone)]
pub struct StackChange {
    /// Root first, `;`-separated.
    pub stack: String,
    pub before: i64,
    pub after: i64,
}

/// Folded stacks (`root;...;leaf` → value) of one profile, summed over samples.
pub fn folded(profile: &Profile, value_index: usize) -> FxHashMap<String, i64> {
    let keys = FrameKeys::new(profile, &KeyOptions::default());
    let mut by_stack: FxHashMap<u32, i64> = FxHashMap::default();
    for (i, sample) in profile.samples.iter().enumerate() {
        let value = profile.values(i)[value_index];
        if value > 0 {
            *by_stack.entry(sample.stack).or_default() += value;
        }
    }
    let mut out: FxHashMap<String, i64> = FxHashMap::default();
    for (stack, value) in by_stack {
        *out.entry(folded_key(&stack_key_of(profile, &keys, stack)))
            .or_default() += value;
    }
    out
}

/// The folded format is line- and whitespace-delimited: names must not break it.
fn folded_key(key: &str) -> String {
    if key.is_empty() {
        return "[no frames]".into();
    }
    key.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Folded lines, sorted, with frames shortened to what fits in a frame (`pkg.(*T).M` for
/// `example.com/x/pkg.(*T).M`, as pprof's own flame graph shows them); the changes table keeps
/// the full names. With `before`, each line carries both counts (`stack before after`): the
/// input of inferno's differential flame graph.
fn lines(before: Option<&FxHashMap<String, i64>>, after: &FxHashMap<String, i64>) -> String {
    let mut merged: FxHashMap<String, [i64; 2]> = FxHashMap::default();
    let short = |stack: &str| {
        stack
            .split(';')
            .map(short_function)
            .collect::<Vec<_>>()
            .join(";")
    };
    for (side, stacks) in [(0, before), (1, Some(after))] {
        for (stack, value) in stacks.into_iter().flatten() {
            merged.entry(short(stack)).or_default()[side] += value;
        }
    }
    let mut merged: Vec<(String, [i64; 2])> = merged.into_iter().collect();
    merged.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::with_capacity(merged.iter().map(|(s, _)| s.len() + 24).sum());
    for (stack, [first, last]) in merged {
        out.push_str(&stack);
        if before.is_some() {
            out.push_str(&format!(" {first}"));
        }
        out.push_str(&format!(" {last}\n"));
    }
    out
}

/// Renders `after` (and the change from `before`, when given) as a flame graph.
pub fn render(
    before: Option<&FxHashMap<String, i64>>,
    after: &FxHashMap<String, i64>,
    title: &str,
    unit: &str,
    max_changes: usize,
) -> std::io::Result<FlameGraph> {
    let folded_lines = lines(before, after);
    let mut options = inferno::flamegraph::Options::default();
    options.title = title.to_string();
    options.count_name = match unit {
        "count" | "goroutines" => "goroutines".into(),
        other => other.into(),
    };
    options.deterministic = true;
    // A fixed width: the fluid layout measures its frame, which reads 0 inside an iframe.
    options.image_width = Some(FLAME_WIDTH);
    // Frames under a pixel cannot be seen or clicked; with 300k stacks they would make the
    // report tens of megabytes.
    options.min_width = 1.0;
    // Roots on top: deep stacks (Rust, async) would otherwise start a screen below the fold.
    options.direction = inferno::flamegraph::Direction::Inverted;
    options.colors =
        inferno::flamegraph::Palette::Basic(inferno::flamegraph::color::BasicPalette::Mem);
    // A neutral background: the memory palette's green would read as a colour of the legend
    // (red grew, blue shrank).
    options.bgcolors = Some(inferno::flamegraph::color::BackgroundColor::Grey);
    let mut svg = Vec::new();
    if after.is_empty() {
        // inferno refuses an empty profile; an empty graph still says what it is.
        inferno::flamegraph::from_lines(&mut options, ["[empty profile] 0"], &mut svg)?;
    } else {
        inferno::flamegraph::from_lines(&mut options, folded_lines.lines(), &mut svg)?;
    }
    let svg = String::from_utf8(svg)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;

    let empty = FxHashMap::default();
    let base = before.unwrap_or(&empty);
    let mut changes: Vec<StackChange> = after
        .iter()
        .map(|(stack, &value)| StackChange {
            stack: stack.clone(),
            before: base.get(stack).copied().unwrap_or(0),
            after: value,
        })
        .chain(
            base.iter()
                .filter(|(stack, _)| !after.contains_key(*stack))
                .map(|(stack, &value)| StackChange {
                    stack: stack.clone(),
                    before: value,
                    after: 0,
                }),
        )
        .filter(|c| before.is_none() || c.before != c.after)
        .collect();
    changes.sort_by(|a, b| {
        let key = |c: &StackChange| {
            if before.is_some() {
                c.after - c.before
            } else {
                c.after
            }
        };
        key(b).cmp(&key(a)).then_with(|| a.stack.cmp(&b.stack))
    });
    let change_count = changes.len();
    changes.truncate(max_changes);
    Ok(FlameGraph {
        svg,
        differential: before.is_some(),
        unit: unit.to_string(),
        changes,
        change_count,
    })
}
