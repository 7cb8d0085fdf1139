//! Two aggregates side by side, pprof `-diff_base` semantics: target minus base per key, with
//! the percentage taken of the key's own base value (not of the base total, which is what
//! makes pprof print +2000% for a key that was small).

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::analysis::aggregate::Aggregate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    New,
    Gone,
    Grew,
    Shrank,
    Unchanged,
}

/// Which of a row's two values a diff or series compares; `description` says what each is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    Flat,
    Cum,
}

impl Measure {
    pub fn name(self) -> &'static str {
        match self {
            Measure::Flat => "flat",
            Measure::Cum => "cum",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Measure::Flat => {
                "The value at the row's own frame (the allocation site, the function a goroutine is in)"
            }
            Measure::Cum => {
                "The value of every stack that contains the row's key (goroutines \"under\" a function)"
            }
        }
    }

    /// Goroutines are counted by the functions on their stack (`(*http2Client).reader` is never
    /// a leaf, yet its count is the point); heap values by the allocating function.
    pub fn default_for(kind: crate::model::ProfileKind) -> Self {
        if kind.counts_goroutines() {
            Measure::Cum
        } else {
            Measure::Flat
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DiffRow {
    pub key: String,
    /// Values of the diff's measure.
    pub base: i64,
    pub target: i64,
    pub delta: i64,
    /// delta as a percentage of `base`; absent for new keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_percent: Option<f64>,
    pub change: Change,
    pub flat: Delta,
    pub cum: Delta,
}

#[derive(Debug, Clone, Serialize)]
pub struct Delta {
    pub base: i64,
    pub target: i64,
    pub delta: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub sample_type: String,
    pub unit: String,
    pub measure: Measure,
    pub base_total: i64,
    pub target_total: i64,
    /// Growth first (largest first), then shrinkage (largest first), then unchanged.
    pub rows: Vec<DiffRow>,
}

pub fn diff(base: &Aggregate, target: &Aggregate, measure: Measure) -> Diff {
    let mut values: FxHashMap<&str, [i64; 4]> = FxHashMap::default();
    for row in &base.rows {
        let v = values.entry(&row.key).or_default();
        v[0] = row.flat;
        v[2] = row.cum;
    }
    for row in &target.rows {
        let v = values.entry(&row.key).or_default();
        v[1] = row.flat;
        v[3] = row.cum;
    }
    let base_keys: rustc_hash::FxHashSet<&str> = base.rows.iter().map(|r| r.key.as_str()).collect();
    let target_keys: rustc_hash::FxHashSet<&str> =
        target.rows.iter().map(|r| r.key.as_str()).collect();
    let mut rows: Vec<DiffRow> = values
        .into_iter()
        .map(|(key, [fb, ft, cb, ct])| {
            let (b, t) = match measure {
                Measure::Flat => (fb, ft),
                Measure::Cum => (cb, ct),
            };
            let delta = t - b;
            let change = match (base_keys.contains(key), target_keys.contains(key)) {
                (false, true) => Change::New,
                (true, false) => Change::Gone,
                _ if delta > 0 => Change::Grew,
                _ if delta < 0 => Change::Shrank,
                _ => Change::Unchanged,
            };
            DiffRow {
                key: key.to_string(),
                base: b,
                target: t,
                delta,
                delta_percent: (b != 0).then(|| delta as f64 * 100.0 / b as f64),
                change,
                flat: Delta {
                    base: fb,
                    target: ft,
                    delta: ft - fb,
                },
                cum: Delta {
                    base: cb,
                    target: ct,
                    delta: ct - cb,
                },
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        order(a.delta, a.cum.delta, &a.key).cmp(&order(b.delta, b.cum.delta, &b.key))
    });
    Diff {
        sample_type: target.sample_type.clone(),
        unit: target.unit.clone(),
        measure,
        base_total: base.total,
        target_total: target.total,
        rows,
    }
}

/// Sort key: growth (largest first), then shrinkage (largest first), then unchanged; ties by
/// cumulative change, then key, so output is stable.
pub(crate) fn order(
    delta: i64,
    cum_delta: i64,
    key: &str,
) -> (u8, std::cmp::Reverse<i64>, std::cmp::Reverse<i64>, &str) {
    let class = match delta.cmp(&0) {
        std::cmp::Ordering::Greater => 0,
        std::cmp::Ordering::Less => 1,
        std::cmp::Ordering::Equal => 2,
    };
    (
        class,
        std::cmp::Reverse(delta.abs()),
        std::cmp::Reverse(cum_delta.abs()),
        key,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::aggregate::Row;

    fn agg(rows: &[(&str, i64)]) -> Aggregate {
        Aggregate {
            sample_type: "goroutine".into(),
            unit: "count".into(),
            total: rows.iter().map(|r| r.1).sum(),
            kept: None,
            rows: rows
                .iter()
                .map(|&(k, v)| Row {
                    key: k.into(),
                    flat: v,
                    cum: v,
                    goroutines: None,
                })
                .collect(),
        }
    }

    #[test]
    fn new_gone_and_order() {
        let d = diff(
            &agg(&[("a", 10), ("b", 5), ("c", 1)]),
            &agg(&[("a", 4), ("b", 50), ("d", 7)]),
            Measure::Flat,
        );
        let keys: Vec<_> = d
            .rows
            .iter()
            .map(|r| (r.key.as_str(), r.delta, r.change))
            .collect();
        assert_eq!(
            keys,
            [
                ("b", 45, Change::Grew),
                ("d", 7, Change::New),
                ("a", -6, Change::Shrank),
                ("c", -1, Change::Gone)
            ]
        );
        assert_eq!(d.rows[0].delta_percent, Some(900.0));
        assert_eq!(d.rows[1].delta_percent, None);
        assert_eq!((d.base_total, d.target_total), (16, 61));
    }
}
