//! How a series of one metric over time is judged: growing, plateau, receding, or nothing;
//! and whether what grew was left behind or is only in flight.
//!
//! Services under load hold goroutines, calls and buffers in flight that come and go between
//! snapshots. Where the files give each goroutine or object an id (full Go dumps, V8
//! snapshots), what is left behind shows itself: it is still there, under the same id, in the
//! next snapshot. Elsewhere only the order of the values can tell a trend from load.

use crate::analysis::trend::Trend;
use crate::model::Status;

/// Share of a snapshot's matched goroutines or objects that must still be there, by id, in the
/// next one for the step to count as left behind (a few may end for other reasons).
const KEPT_SHARE: f64 = 0.95;

/// Generic growth needs this many snapshots: fewer cannot tell a leak from a worker pool or
/// a burst of load that grows and keeps its goroutines for a while.
pub const GENERIC_MIN_SNAPSHOTS: usize = 4;

/// Where no ids tell what was left behind (aggregated goroutine profiles, heap profiles), the
/// trend must reach this one-sided confidence ...
pub const TREND_MAX_P: f64 = 0.05;

/// ... and no step fall by more than this share: sampled heap profiles wobble by less.
const SAMPLING_WOBBLE: f64 = 0.25;

/// What a detector knows of a series: its values and, where ids are known, how many of each
/// snapshot's members (from the second on) were already there in the snapshot before.
#[derive(Debug, Clone, Copy)]
pub struct Measured<'a> {
    pub values: &'a [i64],
    /// `kept[k - 1]`: members of snapshot k alive in snapshot k − 1 too.
    pub kept: Option<&'a [i64]>,
}

impl Measured<'_> {
    /// Whether every step kept (nearly) all of the previous snapshot's members: they never
    /// end. `None` without ids.
    fn accumulates(&self) -> Option<bool> {
        let kept = self.kept?;
        Some(kept.iter().zip(self.values).all(|(&kept, &before)| {
            let allowed_loss = (before as f64 * (1.0 - KEPT_SHARE)).max(1.0);
            (before - kept) as f64 <= allowed_loss
        }))
    }

    /// Without ids, the values themselves: never falling by more than sampling wobbles. What
    /// a leak holds is never released; in-flight work drops back at some step.
    fn never_released(&self) -> bool {
        self.values
            .windows(2)
            .all(|w| w[1] as f64 >= w[0] as f64 * (1.0 - SAMPLING_WOBBLE))
    }

    /// Members of the last snapshot already there in the one before.
    fn kept_last(&self) -> i64 {
        self.kept.and_then(|k| k.last().copied()).unwrap_or(0)
    }
}

/// A catalogue entry's series: its frames or classes are specific, so growth counts as
/// before unless ids show that the matched goroutines or objects were in flight (they did not
/// stay from one snapshot to the next).
pub fn entry_status(m: Measured<'_>, min_growth: f64) -> Option<Status> {
    if m.accumulates() == Some(false) && m.kept_last() * 2 < m.values[m.values.len() - 2] {
        return None;
    }
    status(m.values, min_growth)
}

/// Generic growth, which no catalogue entry explains: only what is left behind counts, over
/// enough snapshots, with a significant trend. With ids the members must accumulate (every
/// step keeps the previous snapshot's, and at least `min_growth` stay to the last); without,
/// no step may release much. The trend of the values is returned for the record.
pub fn generic_status(m: Measured<'_>, min_growth: f64) -> Option<(Status, Trend)> {
    let values = m.values;
    let n = values.len();
    let trend = Trend::of(values)?;
    let (first, last, previous) = (values[0], values[n - 1], values[n - 2]);
    let rose = (last - first) as f64 >= min_growth && last > previous;
    if !rose {
        return None;
    }
    if n < GENERIC_MIN_SNAPSHOTS {
        return None;
    }
    let left_behind = match m.accumulates() {
        Some(accumulates) => accumulates && m.kept_last() as f64 >= min_growth,
        None => m.never_released(),
    };
    let trending = trend.p_value <= TREND_MAX_P && trend.rise(n) >= min_growth;
    (left_behind && trending).then_some((Status::Growing, trend))
}

/// Status of a series against a growth threshold.
pub fn status(values: &[i64], min_growth: f64) -> Option<Status> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    let (first, last, previous) = (values[0], values[n - 1], values[n - 2]);
    let peak = *values.iter().max().expect("non-empty");
    let grew = (peak - first) as f64 >= min_growth;
    if !grew {
        return None;
    }
    Some(if last > previous && (last - first) as f64 >= min_growth {
        Status::Growing
    } else if last < previous || last < first {
        // Went down at the end, or fell back below where it started: released.
        Status::Receding
    } else {
        Status::Plateau
    })
}

/// The measured average step: last minus first over the steps between them.
pub fn mean_step(values: &[i64]) -> f64 {
    match values {
        [first, .., last] => (last - first) as f64 / (values.len() - 1) as f64,
        _ => 0.0,
    }
}

/// Whether `values` grows by a steady multiple of `reference`'s growth at every step.
pub fn lock_step(values: &[i64], reference: &[i64]) -> bool {
    let ratios: Option<Vec<f64>> = values
        .windows(2)
        .zip(reference.windows(2))
        .map(|(v, r)| (r[1] > r[0]).then(|| (v[1] - v[0]) as f64 / (r[1] - r[0]) as f64))
        .collect();
    let Some(ratios) = ratios else {
        return false;
    };
    let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
    mean > 0.0 && ratios.iter().all(|r| (r / mean - 1.0).abs() <= 0.25)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(status(&[0, 150, 300, 600], 10.0), Some(Status::Growing));
        assert_eq!(status(&[0, 150, 300, 300], 10.0), Some(Status::Plateau));
        assert_eq!(status(&[0, 150, 300, 100], 10.0), Some(Status::Receding));
        assert_eq!(
            status(&[907_000, 3_270_000, 59_000, 59_000], 10.0),
            Some(Status::Receding),
            "fell back below its start and stayed there: released, not a plateau"
        );
        assert_eq!(status(&[3, 3, 3, 3], 10.0), None);
        assert_eq!(
            status(&[3, 4, 5, 6], 10.0),
            None,
            "growth below the threshold"
        );
        assert_eq!(status(&[600], 10.0), None, "one snapshot shows no growth");
    }

    #[test]
    fn the_step_is_the_measured_average() {
        assert_eq!(mean_step(&[0, 150, 300, 600]), 200.0);
        assert_eq!(mean_step(&[600]), 0.0);
    }

    #[test]
    fn lock_step_growth() {
        assert!(lock_step(&[10, 60, 160], &[10, 60, 160]));
        assert!(lock_step(&[62, 165, 369], &[10, 60, 160]), "two per unit");
        assert!(
            !lock_step(&[898, 987, 1057], &[10, 60, 160]),
            "89 then 70 against 50 then 100"
        );
        assert!(!lock_step(&[5, 5, 5], &[10, 10, 10]), "no reference growth");
    }
}
