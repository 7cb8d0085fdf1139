//! N snapshots in time order: the value of each key per snapshot, growth per step, whether it
//! grew at every step, and the least-squares slope per step.

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::analysis::aggregate::Aggregate;
use crate::analysis::diff::Measure;

#[derive(Debug, Clone, Serialize)]
pub struct SeriesRow {
    pub key: String,
    /// The series' measure in each snapshot.
    pub values: Vec<i64>,
    pub flat_values: Vec<i64>,
    pub cum_values: Vec<i64>,
    /// Last minus first.
    pub delta: i64,
    /// Strictly larger at every step.
    pub grew_every_step: bool,
    /// Least-squares growth per step.
    pub slope: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Series {
    pub sample_type: String,
    pub unit: String,
    pub measure: Measure,
    pub totals: Vec<i64>,
    /// Largest growth first, then shrinkage, then unchanged.
    pub rows: Vec<SeriesRow>,
}

pub fn series(snapshots: &[Aggregate], measure: Measure) -> Series {
    let n = snapshots.len();
    let mut index: FxHashMap<&str, usize> = FxHashMap::default();
    let mut rows: Vec<SeriesRow> = Vec::new();
    for (step, snapshot) in snapshots.iter().enumerate() {
        for row in &snapshot.rows {
            let i = *index.entry(&row.key).or_insert_with(|| {
                rows.push(SeriesRow {
                    key: row.key.clone(),
                    values: Vec::new(),
                    flat_values: vec![0; n],
                    cum_values: vec![0; n],
                    delta: 0,
                    grew_every_step: false,
                    slope: 0.0,
                });
                rows.len() - 1
            });
            rows[i].flat_values[step] = row.flat;
            rows[i].cum_values[step] = row.cum;
        }
    }
    for row in &mut rows {
        row.values = match measure {
            Measure::Flat => row.flat_values.clone(),
            Measure::Cum => row.cum_values.clone(),
        };
        row.delta = row.values[n - 1] - row.values[0];
        row.grew_every_step = n > 1 && row.values.windows(2).all(|w| w[1] > w[0]);
        row.slope = slope(&row.values);
    }
    rows.sort_by(|a, b| {
        let cum_delta = |r: &SeriesRow| r.cum_values[n - 1] - r.cum_values[0];
        crate::analysis::diff::order(a.delta, cum_delta(a), &a.key)
            .cmp(&crate::analysis::diff::order(b.delta, cum_delta(b), &b.key))
    });
    Series {
        sample_type: snapshots
            .last()
            .map(|s| s.sample_type.clone())
            .unwrap_or_default(),
        unit: snapshots.last().map(|s| s.unit.clone()).unwrap_or_default(),
        measure,
        totals: snapshots.iter().map(|s| s.total).collect(),
        rows,
    }
}

/// Least-squares slope of `values` against their step index.
pub fn slope(values: &[i64]) -> f64 {
    let n = values.len() as f64;
    if values.len() < 2 {
        return 0.0;
    }
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = values.iter().map(|&v| v as f64).sum::<f64>() / n;
    let (mut num, mut den) = (0.0, 0.0);
    for (i, &v) in values.iter().enumerate() {
        let dx = i as f64 - mean_x;
        num += dx * (v as f64 - mean_y);
        den += dx * dx;
    }
    num / den
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_of_a_line() {
        assert_eq!(slope(&[0, 150, 300, 450]), 150.0);
        assert_eq!(slope(&[5, 5, 5]), 0.0);
        assert_eq!(slope(&[7]), 0.0);
    }
}
