//! Groups one profile by function or by stack: flat and cumulative values like `pprof -top`,
//! and for full goroutine dumps the states, wait ages and creators of the goroutines in a row.

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::analysis::keys::{FrameKeys, KeyOptions};
use crate::model::{Creator, CreatorGroup, Lists, Profile, SpawnTree, ValueType};

/// What a row is; `description` says it in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Function,
    Stack,
    Labels,
    Constructor,
    Type,
}

impl GroupBy {
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::Function => "function",
            GroupBy::Stack => "stack",
            GroupBy::Labels => "labels",
            GroupBy::Constructor => "constructor",
            GroupBy::Type => "type",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            GroupBy::Function => {
                "One row per function: flat = samples whose leaf it is, cum = samples whose stack contains it"
            }
            GroupBy::Stack => {
                "One row per distinct stack (key: frames root first, `;`-separated, as in collapsed stacks)"
            }
            GroupBy::Labels => {
                "One row per pprof label set (`handler=/watch,tenant=acme`), like `pprof -tags`"
            }
            GroupBy::Constructor => {
                "Heap snapshots: one row per constructor (DevTools' Summary view)"
            }
            GroupBy::Type => "Heap snapshots: one row per V8 node type",
        }
    }

    pub fn for_heap_snapshots(self) -> bool {
        matches!(self, GroupBy::Constructor | GroupBy::Type)
    }
}

/// One snapshot grouped into rows.
#[derive(Debug, Clone, Serialize)]
pub struct Aggregate {
    pub sample_type: String,
    pub unit: String,
    /// What percentages are of: the profile's total before any filter, as pprof counts.
    pub total: i64,
    /// The total the filters kept, when filters applied.
    pub kept: Option<i64>,
    /// Sorted by flat, then cum, then key.
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub key: String,
    pub flat: i64,
    pub cum: i64,
    /// Only for full goroutine dumps: what the goroutines counted in `cum` are doing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goroutines: Option<GoroutineDetail>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct GoroutineDetail {
    /// State -> goroutines, most common first.
    pub states: Vec<StateCount>,
    /// Goroutines blocked for at least a minute (Go prints no age below that).
    pub waiting_1m_plus: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_wait_minutes: Option<u32>,
    /// Goroutines the Go runtime marked `(leaked)`.
    pub leaked: u64,
    /// Who ran the `go` statements, largest group first.
    pub creators: Vec<CreatorGroup>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StateCount {
    pub state: String,
    pub count: u64,
}

/// Picks the sample type: a name, an index, or the profile's default.
pub fn resolve_sample_index(profile: &Profile, wanted: Option<&str>) -> Result<usize, String> {
    match wanted {
        None => Ok(profile.default_sample_index),
        Some(name) => profile
            .sample_index(name)
            .or_else(|| {
                name.parse::<usize>()
                    .ok()
                    .filter(|&i| i < profile.sample_types.len())
            })
            .ok_or_else(|| {
                let names: Vec<_> = profile
                    .sample_types
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect();
                format!(
                    "no sample type `{name}`; this profile has {}",
                    names.join(", ")
                )
            }),
    }
}

/// Every stack's frame keys, leaf first.
fn stack_keys(profile: &Profile, keys: &FrameKeys) -> Lists<u32> {
    let mut all = Lists::with_capacity(profile.stack_count());
    for stack in 0..profile.stack_count() as u32 {
        all.extend(keys.of_stack(profile, stack));
        all.close();
    }
    all
}

pub fn aggregate(
    profile: &Profile,
    sample_index: usize,
    by: GroupBy,
    options: &KeyOptions,
) -> Aggregate {
    let keys = FrameKeys::new(profile, options);
    let stack_keys = stack_keys(profile, &keys);

    // Row id per stack, for grouping by stack (stacks that differ only in hidden frames merge).
    let mut row_keys: Vec<String> = Vec::new();
    let stack_row: Vec<u32> = match by {
        GroupBy::Function | GroupBy::Labels | GroupBy::Constructor | GroupBy::Type => Vec::new(),
        GroupBy::Stack => {
            let mut ids: FxHashMap<&[u32], u32> = FxHashMap::default();
            stack_keys
                .iter()
                .map(|frames| {
                    let next = ids.len() as u32;
                    *ids.entry(frames).or_insert_with(|| {
                        row_keys.push(stack_key(frames, &keys.keys));
                        next
                    })
                })
                .collect()
        }
    };
    if by == GroupBy::Labels {
        row_keys = profile.label_sets.iter().map(labels_key).collect();
    }
    // The one row a sample or goroutine counts toward, when grouping by stack or labels.
    let single_row = |stack: u32, labels: u32| -> usize {
        match by {
            GroupBy::Stack => stack_row[stack as usize] as usize,
            _ => labels as usize,
        }
    };
    let row_count = match by {
        GroupBy::Stack | GroupBy::Labels => row_keys.len(),
        _ => keys.keys.len(),
    };
    let mut flat = vec![0i64; row_count];
    let mut cum = vec![0i64; row_count];
    // Last sample that counted toward each row's cum, so recursion counts once.
    let mut stamp = vec![u32::MAX; row_count];
    for (index, sample) in profile.samples.iter().enumerate() {
        let value = profile.values(index)[sample_index];
        let frames = &stack_keys[sample.stack as usize];
        match by {
            GroupBy::Function | GroupBy::Constructor | GroupBy::Type => {
                if let Some(&leaf) = frames.first() {
                    flat[leaf as usize] += value;
                }
                for &key in frames {
                    if stamp[key as usize] != index as u32 {
                        stamp[key as usize] = index as u32;
                        cum[key as usize] += value;
                    }
                }
            }
            GroupBy::Stack | GroupBy::Labels => {
                let row = single_row(sample.stack, sample.labels);
                flat[row] += value;
                cum[row] += value;
            }
        }
    }

    let mut details = profile.goroutines.as_ref().map(|_| {
        goroutine_details(
            profile,
            by,
            &keys.keys,
            &stack_keys,
            &single_row,
            row_count,
            options,
        )
    });

    let names = match by {
        GroupBy::Stack | GroupBy::Labels => row_keys,
        _ => keys.keys,
    };
    let mut rows: Vec<Row> = names
        .into_iter()
        .enumerate()
        .filter(|(i, _)| flat[*i] != 0 || cum[*i] != 0)
        .map(|(i, key)| Row {
            key,
            flat: flat[i],
            cum: cum[i],
            goroutines: details.as_mut().map(|d| std::mem::take(&mut d[i])),
        })
        .collect();
    rows.sort_by(|a, b| flat_order((a.flat, a.cum, &a.key), (b.flat, b.cum, &b.key)));
    let ValueType { name, unit } = profile.sample_types[sample_index].clone();
    Aggregate {
        sample_type: name,
        unit,
        total: profile.percent_base(sample_index),
        kept: profile
            .unfiltered_totals
            .as_ref()
            .map(|_| profile.total(sample_index)),
        rows,
    }
}

/// pprof's order of rows: flat, then cum, largest first, then name.
pub fn flat_order(a: (i64, i64, &str), b: (i64, i64, &str)) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then_with(|| a.2.cmp(b.2))
}

/// Key of the empty label set.
pub const NO_LABELS: &str = "(no labels)";

/// `handler=/watch,tenant=acme`, keys sorted.
fn labels_key(labels: &crate::model::Labels) -> String {
    if labels.is_empty() {
        return NO_LABELS.to_string();
    }
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Key of a stack with no frame left to show (debug=1 names no frame of a goroutine that has
/// not started running yet).
pub const NO_FRAMES: &str = "(no frames)";

/// Frames root first, `;`-separated: the collapsed-stack form flame graph tools read.
fn stack_key(frames: &[u32], names: &[String]) -> String {
    if frames.is_empty() {
        return NO_FRAMES.to_string();
    }
    let mut key = String::new();
    for &frame in frames.iter().rev() {
        if !key.is_empty() {
            key.push(';');
        }
        key.push_str(&names[frame as usize]);
    }
    key
}

/// Goroutines counted by (creating function, creator goroutine id), grouped by function,
/// largest group first; `leaf_of` says where a live creator is now.
pub fn creator_groups(
    profile: &Profile,
    creators: FxHashMap<(Option<u32>, u64), u64>,
    options: &KeyOptions,
    leaf_of: &dyn Fn(u64) -> Option<String>,
) -> Vec<CreatorGroup> {
    let mut groups: FxHashMap<Option<u32>, Vec<(u64, u64)>> = FxHashMap::default();
    for ((function, creator), count) in creators {
        groups.entry(function).or_default().push((creator, count));
    }
    let mut out: Vec<CreatorGroup> = groups
        .into_iter()
        .map(|(function, mut by_creator)| {
            by_creator.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
            let known: Vec<_> = by_creator.iter().filter(|(id, _)| *id != 0).collect();
            CreatorGroup {
                function: function
                    .map(|f| FrameKeys::function_key(profile, f, options))
                    .unwrap_or_default(),
                goroutines: by_creator.iter().map(|(_, c)| c).sum(),
                distinct_creators: known.len() as u64,
                top_creators: known
                    .iter()
                    .take(3)
                    .map(|&&(id, created)| Creator {
                        id,
                        created,
                        now_in: leaf_of(id),
                    })
                    .collect(),
            }
        })
        .collect();
    out.sort_by(|x, y| {
        y.goroutines
            .cmp(&x.goroutines)
            .then_with(|| x.function.cmp(&y.function))
    });
    out
}

fn goroutine_details(
    profile: &Profile,
    by: GroupBy,
    frame_names: &[String],
    stack_keys: &Lists<u32>,
    single_row: &dyn Fn(u32, u32) -> usize,
    row_count: usize,
    options: &KeyOptions,
) -> Vec<GoroutineDetail> {
    let dump = profile.goroutines.as_ref().expect("caller checked");
    let tree = SpawnTree::build(dump);
    #[derive(Default)]
    struct Acc {
        states: FxHashMap<u32, u64>,
        waiting: u64,
        max_wait: Option<u32>,
        leaked: u64,
        creators: FxHashMap<(Option<u32>, u64), u64>,
    }
    let mut acc: Vec<Acc> = (0..row_count).map(|_| Acc::default()).collect();
    let mut stamp = vec![usize::MAX; row_count];
    for (index, g) in dump.goroutines.iter().enumerate() {
        let mut visit = |row: usize| {
            if stamp[row] == index {
                return;
            }
            stamp[row] = index;
            let a = &mut acc[row];
            *a.states.entry(g.state).or_default() += 1;
            if let Some(minutes) = g.wait_minutes {
                a.waiting += 1;
                a.max_wait = a.max_wait.max(Some(minutes));
            }
            a.leaked += u64::from(g.leaked);
            if g.created_by.is_some() {
                *a.creators
                    .entry((g.created_by, g.creator_id.unwrap_or(0)))
                    .or_default() += 1;
            }
        };
        match by {
            GroupBy::Stack | GroupBy::Labels => visit(single_row(g.stack, g.labels)),
            _ => stack_keys[g.stack as usize]
                .iter()
                .for_each(|&k| visit(k as usize)),
        }
    }
    let leaf_of = |id: u64| -> Option<String> {
        let g = &dump.goroutines[tree.live_index(id)?];
        let leaf = *stack_keys[g.stack as usize].first()?;
        Some(frame_names[leaf as usize].clone())
    };
    acc.into_iter()
        .map(|a| {
            let mut states: Vec<StateCount> = a
                .states
                .into_iter()
                .map(|(s, count)| StateCount {
                    state: dump.states[s as usize].clone(),
                    count,
                })
                .collect();
            states.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.state.cmp(&y.state)));
            let creators = creator_groups(profile, a.creators, options, &leaf_of);
            GoroutineDetail {
                states,
                waiting_1m_plus: a.waiting,
                max_wait_minutes: a.max_wait,
                leaked: a.leaked,
                creators,
            }
        })
        .collect()
}
