//! Flame graphs of stack profiles: the first snapshot against the last as a differential
//! flame graph (widths from the last, red grew, blue shrank), or one snapshot alone. Drawn
//! here as plain SVG, each label already cut to its frame: the picture needs no script and no
//! fonts measured at load, so it shows the same in a browser, a printout and a screenshot.

use rustc_hash::FxHashMap;

use crate::analysis::keys::{stack_key_of, FrameKeys, KeyOptions};
use crate::model::Profile;
use crate::output::escape::markup;
use crate::output::names::short_function;
use crate::output::values::{format_bytes, format_delta};

/// Pixels: fits the report's column.
pub const FLAME_WIDTH: usize = 1120;
/// Space left and right of the frames, and above them for the title.
pub const SIDE: f64 = 10.0;
const TOP: f64 = 36.0;
const FRAME_HEIGHT: f64 = 16.0;
/// The advance of a 12 px monospace glyph: what a frame's label may use per character. The
/// page's script uses the same figure when it relabels frames after a zoom.
pub const CHAR_WIDTH: f64 = 7.3;
/// Frames under a pixel cannot be seen or clicked; with 300k stacks they would make the report
/// tens of megabytes.
const MIN_FRAME_WIDTH: f64 = 1.0;

/// A rendered flame graph and the stacks that grew most.
#[derive(Debug, Clone)]
pub struct FlameGraph {
    /// An `<svg>` element to place in the page as it is: drawn completely, with every label
    /// cut to its frame, so it shows without a script (printouts, screenshots); the page's
    /// script adds zoom and search.
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

/// Draws `after` (and the change from `before`, when given) as a flame graph, roots on top:
/// deep stacks (Rust, async) would otherwise start a screen below the fold.
pub fn render(
    before: Option<&FxHashMap<String, i64>>,
    after: &FxHashMap<String, i64>,
    title: &str,
    unit: &str,
    max_changes: usize,
) -> FlameGraph {
    let (frames, total) = layout(before, after);
    let svg = svg(&frames, total, title, unit, before.is_some());

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
    FlameGraph {
        svg,
        differential: before.is_some(),
        unit: unit.to_string(),
        changes,
        change_count,
    }
}

/// A frame wide enough to draw: its values include its callees'.
struct Frame {
    name: String,
    depth: usize,
    /// Start from the left, in the profile's unit (the sum of `after` before it).
    x: i64,
    before: i64,
    after: i64,
}

/// The frames of the merged stacks, laid out as a flame graph (callees in name order), and
/// the total. Stacks are walked in sorted order, so a frame's callees come right after it and
/// only the frames open on the current stack are held: memory stays with the stacks, not with
/// their millions of prefixes. Frames are shortened to what fits in a frame
/// (`pkg.(*T).M` for `example.com/x/pkg.(*T).M`, as pprof's own flame graph shows them);
/// the changes table keeps the full names.
fn layout(
    before: Option<&FxHashMap<String, i64>>,
    after: &FxHashMap<String, i64>,
) -> (Vec<Frame>, i64) {
    // Frames joined by NUL, which no name holds: byte order is then the order of the frame
    // sequences, with every frame's callees together right after it.
    let mut lines: Vec<(String, i64, i64)> = Vec::new();
    for (side, stacks) in [(0, before), (1, Some(after))] {
        for (stack, &value) in stacks.into_iter().flatten() {
            let key = stack
                .split(';')
                .map(short_function)
                .collect::<Vec<_>>()
                .join("\0");
            let (b, a) = if side == 0 { (value, 0) } else { (0, value) };
            lines.push((key, b, a));
        }
    }
    lines.sort_unstable_by(|x, y| x.0.cmp(&y.0));
    let total: i64 = lines.iter().map(|l| l.2).sum();
    let min_value = MIN_FRAME_WIDTH * total.max(1) as f64 / (FLAME_WIDTH as f64 - 2.0 * SIDE);

    let mut out = Vec::new();
    // The root, then the frames of the current stack, outermost first.
    let mut open: Vec<Frame> = vec![Frame {
        name: "all".into(),
        depth: 0,
        x: 0,
        before: 0,
        after: 0,
    }];
    let mut x = 0;
    let close = |frame: Frame, out: &mut Vec<Frame>| {
        if frame.after > 0 && frame.after as f64 >= min_value {
            out.push(frame);
        }
    };
    for (key, b, a) in &lines {
        let frames: Vec<&str> = key.split('\0').collect();
        let shared = open[1..]
            .iter()
            .zip(&frames)
            .take_while(|(f, name)| f.name == **name)
            .count();
        while open.len() > shared + 1 {
            let frame = open.pop().expect("more than the root is open");
            close(frame, &mut out);
        }
        for (depth, name) in frames.iter().enumerate().skip(shared) {
            open.push(Frame {
                name: name.to_string(),
                depth: depth + 1,
                x,
                before: 0,
                after: 0,
            });
        }
        for frame in &mut open {
            frame.before += b;
            frame.after += a;
        }
        x += a;
    }
    while let Some(frame) = open.pop() {
        close(frame, &mut out);
    }
    (out, total)
}

fn svg(frames: &[Frame], total: i64, title: &str, unit: &str, differential: bool) -> String {
    let depth = frames.iter().map(|f| f.depth).max().unwrap_or(0);
    let height = (TOP + (depth + 1) as f64 * FRAME_HEIGHT + SIDE).ceil();
    let largest_change = frames
        .iter()
        .map(|f| (f.after - f.before).unsigned_abs())
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = (FLAME_WIDTH as f64 - 2.0 * SIDE) / total.max(1) as f64;
    let mut out = String::with_capacity(frames.len() * 220 + 512);
    out.push_str(&format!(
        "<svg class=\"flame\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {FLAME_WIDTH} \
         {height}\" width=\"{FLAME_WIDTH}\" height=\"{height}\" data-total=\"{total}\" \
         role=\"img\" aria-label=\"{}\">\n<rect class=\"background\" width=\"100%\" \
         height=\"100%\"/>\n<text class=\"title\" x=\"{}\" y=\"24\">{}</text>\n",
        markup(&format!("Flame graph {title}")),
        FLAME_WIDTH / 2,
        markup(title)
    ));
    // Outermost frames first: the root leads the document.
    for frame in frames.iter().rev() {
        let px = SIDE + frame.x as f64 * scale;
        let pw = frame.after as f64 * scale;
        let py = TOP + frame.depth as f64 * FRAME_HEIGHT;
        let mut detail = format!(
            "{}, {:.2}%",
            amount(frame.after, unit),
            frame.after as f64 * 100.0 / total.max(1) as f64
        );
        let fill = if differential {
            let change = frame.after - frame.before;
            detail.push_str(&match change {
                0 => "; unchanged".to_string(),
                c => format!("; {} since the first", signed_amount(c, unit)),
            });
            change_colour(change, largest_change)
        } else {
            name_colour(&frame.name)
        };
        out.push_str(&format!(
            "<g data-x=\"{}\" data-w=\"{}\" data-d=\"{}\"><title>{} ({})</title>\
             <rect x=\"{px:.2}\" y=\"{py}\" width=\"{pw:.2}\" height=\"{}\" fill=\"{fill}\"/>\
             <text x=\"{:.2}\" y=\"{}\">{}</text></g>\n",
            frame.x,
            frame.after,
            frame.depth,
            markup(&frame.name),
            markup(&detail),
            FRAME_HEIGHT - 1.0,
            px + 3.0,
            py + 11.5,
            markup(&label(&frame.name, pw))
        ));
    }
    out.push_str("</svg>\n");
    out
}

/// `name` cut to a frame `width` pixels wide: whole, or its start and `..`, or nothing when
/// not even three characters fit.
pub fn label(name: &str, width: f64) -> String {
    let fits = ((width - 6.0) / CHAR_WIDTH).floor();
    if fits < 3.0 {
        return String::new();
    }
    let fits = fits as usize;
    if name.chars().count() <= fits {
        return name.to_string();
    }
    let mut out: String = name.chars().take(fits - 2).collect();
    out.push_str("..");
    out
}

fn amount(value: i64, unit: &str) -> String {
    match unit {
        "bytes" => format_bytes(value),
        other => format!("{value} {other}"),
    }
}

fn signed_amount(value: i64, unit: &str) -> String {
    match unit {
        "bytes" => format_delta(value, unit),
        _ => format!(
            "{}{}",
            if value > 0 { "+" } else { "" },
            amount(value, unit)
        ),
    }
}

/// Red for growth, blue for shrinking, deeper with the size of the change; near-white for no
/// change, so the legend (red grew, blue shrank) is the whole key. The square root keeps a
/// leaf that holds a tenth of the growth visible beside the root that holds all of it.
fn change_colour(change: i64, largest: u64) -> String {
    let share = change.unsigned_abs() as f64 / largest as f64;
    let depth = (205.0 * share.sqrt()).round() as u8;
    let faded = 250 - depth;
    match change {
        0 => "rgb(250,250,250)".into(),
        c if c > 0 => format!("rgb(255,{faded},{faded})"),
        _ => format!("rgb({faded},{faded},255)"),
    }
}

/// Warm colours picked by the name, as flame graphs have drawn them since the first: the same
/// function has the same colour wherever it appears.
fn name_colour(name: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    name.hash(&mut hasher);
    let h = hasher.finish();
    let part = |shift: u32| ((h >> shift) & 0xff) as f64 / 255.0;
    format!(
        "rgb({},{},{})",
        (205.0 + 50.0 * part(0)).round(),
        (230.0 * part(8)).round(),
        (55.0 * part(16)).round()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stacks(pairs: &[(&str, i64)]) -> FxHashMap<String, i64> {
        pairs.iter().map(|&(s, v)| (s.to_string(), v)).collect()
    }

    #[test]
    fn frames_are_laid_out_by_their_last_values_and_coloured_by_change() {
        let before = stacks(&[("main.main;a.grow", 10), ("main.main;b.shrink", 30)]);
        let after = stacks(&[("main.main;a.grow", 70), ("main.main;b.shrink", 10)]);
        let graph = render(Some(&before), &after, "#1 → #2", "bytes", 10);
        let svg = &graph.svg;
        // The root spans the whole width, its callees share it 70 : 10, in name order.
        assert!(svg.contains("<g data-x=\"0\" data-w=\"80\" data-d=\"0\"><title>all (80B, 100.00%; +40B since the first)</title>"), "{svg}");
        assert!(svg.contains("<g data-x=\"0\" data-w=\"70\" data-d=\"2\"><title>a.grow (70B, 87.50%; +60B since the first)</title>"));
        assert!(svg.contains("<g data-x=\"70\" data-w=\"10\" data-d=\"2\"><title>b.shrink (10B, 12.50%; -20B since the first)</title>"));
        // The largest change is the deepest red; shrinking is blue.
        assert!(svg.contains("fill=\"rgb(255,45,45)\""), "{svg}");
        assert!(svg.contains("fill=\"rgb(") && svg.contains(",255)\""));
        assert_eq!(graph.changes[0].stack, "main.main;a.grow");
        assert_eq!(graph.changes.last().unwrap().stack, "main.main;b.shrink");
    }

    #[test]
    fn labels_are_cut_to_their_frames_and_tiny_frames_are_left_out() {
        assert_eq!(
            label("grpcsync.(*CallbackSerializer).run", 1000.0),
            "grpcsync.(*CallbackSerializer).run"
        );
        assert_eq!(
            label("grpcsync.(*CallbackSerializer).run", 80.0),
            "grpcsync.."
        );
        assert_eq!(label("grpcsync", 20.0), "");
        let after = stacks(&[("main.main;big", 1_000_000), ("main.main;tiny", 1)]);
        let graph = render(None, &after, "#1", "bytes", 10);
        assert!(graph.svg.contains("<title>big "));
        assert!(
            !graph.svg.contains("tiny"),
            "a frame under a pixel is not drawn"
        );
        // Names from a profile stay text.
        let hostile = stacks(&[("main.main;</svg><script>x()</script>", 5)]);
        let graph = render(None, &hostile, "#1", "bytes", 10);
        assert!(!graph.svg.contains("<script>"));
    }
}
