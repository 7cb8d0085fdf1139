//! How a series of one metric over time is judged: growing, plateau, receding, or nothing;
//! and whether what grew was left behind or is only in flight.
//!
//! Services under load hold goroutines, calls and buffers in flight that come and go between
//! snapshots. Where the files give each goroutine or object an id (full Go dumps, V8
//! snapshots), what is left behind shows itself: it is still there, under the same id, in the
//! next snapshot. Elsewhere only the order of the values can tell a trend from load.

use crate::analysis::trend::Trend;
use crate::model::series::{GENERIC_MIN_SNAPSHOTS, GENERIC_MIN_SNAPSHOTS_WITHOUT_IDS};
use crate::model::{Finding, Status};

/// Share of a snapshot's matched goroutines or objects that must still be there, by id, in the
/// next one for the step to count as left behind (a few may end for other reasons).
const KEPT_SHARE: f64 = 0.95;

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

/// How a series was judged: its status, the trend of what was judged, and, when ids showed
/// members in flight, the series of what stayed that replaces the raw counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub status: Status,
    pub trend: Option<Trend>,
    pub left_behind: Option<Vec<i64>>,
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

    /// When ids show that members came and went (in flight), what stayed: per snapshot, the
    /// members already there in the snapshot before; for the first, those still there in the
    /// second (the same objects as the second's count). `None` without ids, or when nothing
    /// was in flight and the values themselves are what stayed.
    pub fn left_behind(&self) -> Option<Vec<i64>> {
        let kept = self.kept?;
        if self.accumulates()? || kept.is_empty() {
            return None;
        }
        Some(
            std::iter::once(kept[0])
                .chain(kept.iter().copied())
                .collect(),
        )
    }

    /// Without ids, the values themselves: never falling by more than sampling wobbles. What
    /// a leak holds is never released; in-flight work drops back at some step.
    fn never_released(values: &[i64]) -> bool {
        values
            .windows(2)
            .all(|w| w[1] as f64 >= w[0] as f64 * (1.0 - SAMPLING_WOBBLE))
    }
}

impl Judged {
    /// Puts what was judged into a finding of this status: the trend and, when only what
    /// stayed was counted, that series in place of the raw counts, with a hint that says so.
    pub fn apply(&self, finding: &mut Finding) {
        finding.trend = self.trend;
        let Some(left) = &self.left_behind else {
            return;
        };
        let all = std::mem::replace(&mut finding.series, left.clone());
        finding.growth_per_step = mean_step(left);
        let list = |values: &[i64]| {
            values
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(" → ")
        };
        finding.evidence.hints.insert(
            0,
            format!(
                "Counted: the {unit} already there in the snapshot before (in the first snapshot, \
                 those still there in the second): {left}; the others came and went with the \
                 load (all {unit}: {all})",
                unit = finding.unit,
                left = list(left),
                all = list(&all),
            ),
        );
        finding.all_counts = Some(all);
    }
}

/// A catalogue entry's series: its frames or classes are specific, so growth counts as
/// before, on what stayed from one snapshot to the next where ids show members in flight.
pub fn entry_status(m: Measured<'_>, min_growth: f64) -> Option<Judged> {
    let left_behind = m.left_behind();
    let values = left_behind.as_deref().unwrap_or(m.values);
    Some(Judged {
        status: status(values, min_growth)?,
        trend: Trend::of(left_behind.as_ref().map_or(m.values, |left| &left[1..])),
        left_behind,
    })
}

/// Generic growth, which no catalogue entry explains: only what is left behind counts, over
/// enough snapshots, with a significant trend. With ids, every step must keep the previous
/// snapshot's members and at least `min_growth` stay to the last: a generic stack or class
/// whose members come and go is work in flight or a pool, whatever its count does (idle
/// keep-alive connections stay for minutes and their number follows the load). Without ids,
/// more snapshots are needed, and no step may release much.
pub fn generic_status(m: Measured<'_>, min_growth: f64) -> Option<Judged> {
    let values = m.values;
    let n = values.len();
    let trend = Trend::of(values)?;
    let (first, last, previous) = (values[0], values[n - 1], values[n - 2]);
    // Heap profiles repeat between collections: a last step that stayed level has not fallen.
    let rose = (last - first) as f64 >= min_growth && last >= previous;
    let left_behind = match m.accumulates() {
        Some(accumulates) => {
            n >= GENERIC_MIN_SNAPSHOTS
                && accumulates
                && m.kept.and_then(|k| k.last()).copied().unwrap_or(0) as f64 >= min_growth
        }
        None => n >= GENERIC_MIN_SNAPSHOTS_WITHOUT_IDS && Measured::never_released(values),
    };
    let trending = trend.p_value <= TREND_MAX_P && trend.rise(n) >= min_growth;
    (rose && left_behind && trending).then_some(Judged {
        status: Status::Growing,
        trend: Some(trend),
        left_behind: None,
    })
}

/// Too few snapshots for generic growth, but ids show every member stayed, more came at every
/// step and at least `min_growth` in all: the structure of a leak, a suspect if the detector
/// also finds one creator behind it (a loop that starts goroutines that never end).
pub fn generic_suspect(m: Measured<'_>, min_growth: f64) -> Option<Judged> {
    let values = m.values;
    let n = values.len();
    let short = (2..GENERIC_MIN_SNAPSHOTS).contains(&n);
    let rose =
        values.windows(2).all(|w| w[1] > w[0]) && (values[n - 1] - values[0]) as f64 >= min_growth;
    (short && rose && m.accumulates() == Some(true)).then(|| Judged {
        status: Status::Suspect,
        trend: Trend::of(values),
        left_behind: None,
    })
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
