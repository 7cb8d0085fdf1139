//! How a series of one metric over time is judged: growing, plateau, receding, or nothing.

use crate::model::Status;

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
