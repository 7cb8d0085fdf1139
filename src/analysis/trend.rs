//! Whether a short series of counts trends up, and how sure that is: the Mann–Kendall test
//! (exact for the few snapshots a leak hunt has) and the Theil–Sen slope, both robust to the
//! ups and downs of in-flight work.

pub use crate::model::Trend;

impl Trend {
    /// The trend of `values` (snapshot order). `None` for fewer than two values.
    pub fn of(values: &[i64]) -> Option<Trend> {
        let n = values.len();
        if n < 2 {
            return None;
        }
        let mut s = 0i64;
        let mut slopes = Vec::with_capacity(n * (n - 1) / 2);
        for i in 0..n {
            for j in i + 1..n {
                s += (values[j] - values[i]).signum();
                slopes.push((values[j] - values[i]) as f64 / (j - i) as f64);
            }
        }
        slopes.sort_by(f64::total_cmp);
        let m = slopes.len();
        let slope = if m % 2 == 1 {
            slopes[m / 2]
        } else {
            (slopes[m / 2 - 1] + slopes[m / 2]) / 2.0
        };
        let pairs = (n * (n - 1) / 2) as i64;
        Some(Trend {
            slope,
            tau: s as f64 / pairs as f64,
            p_value: upper_tail(n, s),
        })
    }

    /// The growth along the trend over the whole series: the slope times the steps.
    pub fn rise(&self, snapshots: usize) -> f64 {
        self.slope * snapshots.saturating_sub(1) as f64
    }
}

/// P(S ≥ s) for `n` values in random order. S = pairs − 2 × inversions, and the number of
/// orderings with k inversions is the Mahonian number T(n, k); ties count as half an
/// inversion each way, which `s` already reflects by rounding towards no trend.
fn upper_tail(n: usize, s: i64) -> f64 {
    let pairs = n * (n - 1) / 2;
    // Inversions at most (pairs − s) / 2; with ties s may be odd against pairs: round down.
    let max_inversions = (pairs as i64 - s).div_euclid(2);
    if max_inversions < 0 {
        return 0.0;
    }
    let counts = mahonian(n);
    let total: f64 = counts.iter().sum();
    let at_most: f64 = counts.iter().take(max_inversions as usize + 1).sum::<f64>();
    (at_most / total).min(1.0)
}

/// T(n, k) for k = 0..=n(n−1)/2: orderings of n values with k inversions.
fn mahonian(n: usize) -> Vec<f64> {
    let mut row = vec![1.0];
    for m in 2..=n {
        let mut next = vec![0.0; row.len() + m - 1];
        for (k, &count) in row.iter().enumerate() {
            for extra in 0..m {
                next[k + extra] += count;
            }
        }
        row = next;
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_rise_is_as_sure_as_its_length_allows() {
        let t = Trend::of(&[0, 150, 300, 600]).unwrap();
        assert_eq!(t.tau, 1.0);
        assert_eq!(t.slope, 175.0, "median of 150, 150, 150, 200, 225, 300");
        assert!((t.p_value - 1.0 / 24.0).abs() < 1e-12, "one ordering in 4!");
        let three = Trend::of(&[10, 60, 160]).unwrap();
        assert!((three.p_value - 1.0 / 6.0).abs() < 1e-12);
        let six = Trend::of(&[1, 2, 3, 4, 5, 6]).unwrap();
        assert!((six.p_value - 1.0 / 720.0).abs() < 1e-12);
    }

    #[test]
    fn load_that_goes_up_and_down_is_no_trend() {
        let t = Trend::of(&[55, 120, 68, 140, 61, 90]).unwrap();
        assert!(t.p_value > 0.2, "{t:?}");
        let flat = Trend::of(&[3, 3, 3, 3]).unwrap();
        assert_eq!((flat.tau, flat.slope), (0.0, 0.0));
        assert!(flat.p_value > 0.5);
        let down = Trend::of(&[600, 300, 150, 0]).unwrap();
        assert_eq!(down.tau, -1.0);
        assert_eq!(down.p_value, 1.0);
    }

    #[test]
    fn mahonian_numbers() {
        assert_eq!(mahonian(3), [1.0, 2.0, 2.0, 1.0]);
        assert_eq!(mahonian(4).iter().sum::<f64>(), 24.0);
    }
}
