//! Values as people read them: bytes in binary units, counts as integers, signed changes,
//! percentages, capture times and series.

/// Formats `value` of `unit` for a table; JSON always carries the raw number.
pub fn format_value(value: i64, unit: &str) -> String {
    match unit {
        "bytes" => format_bytes(value),
        _ => value.to_string(),
    }
}

/// Signed variant for deltas: always shows the sign.
pub fn format_delta(value: i64, unit: &str) -> String {
    if value > 0 {
        format!("+{}", format_value(value, unit))
    } else {
        format_value(value, unit)
    }
}

pub fn format_bytes(value: i64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let sign = if value < 0 { "-" } else { "" };
    let mut magnitude = value.unsigned_abs() as f64;
    let mut unit = 0;
    while magnitude >= 1024.0 && unit < UNITS.len() - 1 {
        magnitude /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{sign}{}B", value.unsigned_abs())
    } else {
        // No space, like pprof: a table cell never wraps inside a value.
        format!("{sign}{magnitude:.2}{}", UNITS[unit])
    }
}

/// `part` as a percentage of `whole`, one decimal; empty when `whole` is 0.
pub fn percent(part: i64, whole: i64) -> String {
    if whole == 0 {
        String::new()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

/// A capture time (nanoseconds since the Unix epoch) as `2026-03-14 09:26:53 UTC`.
pub fn format_time(nanos: i64) -> String {
    let seconds = nanos.div_euclid(1_000_000_000);
    let date = crate::gate::Date::from_days(seconds.div_euclid(86_400));
    let of_day = seconds.rem_euclid(86_400);
    format!(
        "{date} {:02}:{:02}:{:02} UTC",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// A span of time as people say it: `45 s`, `12 min 5 s`, `3 h 20 min`, `2 d 4 h`.
pub fn format_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 if s % 60 == 0 => format!("{} min", s / 60),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        3600..=86_399 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        _ => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
    }
}

/// `2026-11-21 19:09:01 – 19:10:06 UTC (1 min 5 s)`: the day is written once when both ends
/// fall on it.
pub fn format_window(first_nanos: i64, last_nanos: i64) -> String {
    let first = format_time(first_nanos);
    let last = format_time(last_nanos);
    let first_day = first.split(' ').next().unwrap_or_default();
    let last_shown = match last.strip_prefix(first_day) {
        Some(rest) => rest.trim_start().to_string(),
        None => last.clone(),
    };
    format!(
        "{} – {last_shown} ({})",
        first.trim_end_matches(" UTC"),
        // From the whole seconds shown, so the span agrees with the two times beside it.
        format_duration(
            last_nanos.div_euclid(1_000_000_000) - first_nanos.div_euclid(1_000_000_000)
        )
    )
}

/// `0 → 150 → 300 → 600`; long series keep the first two and last two values.
pub fn join_values(values: &[i64], unit: &str) -> String {
    let shown: Vec<String> = if values.len() > 6 {
        let mut v: Vec<String> = values[..2].iter().map(|&x| format_value(x, unit)).collect();
        v.push("…".into());
        v.extend(
            values[values.len() - 2..]
                .iter()
                .map(|&x| format_value(x, unit)),
        );
        v
    } else {
        values.iter().map(|&x| format_value(x, unit)).collect()
    };
    shown.join(" → ")
}

/// A `join_values` text broken into lines of at most `width` characters between values, each
/// line but the last ending in its arrow: a narrow column, so the names beside it stay whole.
pub fn wrap_values(joined: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for value in joined.split(" → ") {
        if !line.is_empty() && line.chars().count() + 3 + value.chars().count() > width {
            lines.push(format!("{line} →"));
            line.clear();
        } else if !line.is_empty() {
            line.push_str(" → ");
        }
        line.push_str(value);
    }
    lines.push(line);
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_wrap_between_arrows() {
        let joined = "2.75KiB → 27.00KiB → 51.25KiB → 75.25KiB";
        assert_eq!(
            wrap_values(joined, 24),
            "2.75KiB → 27.00KiB →\n51.25KiB → 75.25KiB"
        );
        assert_eq!(wrap_values("1 → 2", 24), "1 → 2");
    }

    #[test]
    fn bytes_and_deltas() {
        assert_eq!(format_bytes(512), "512B");
        assert_eq!(format_bytes(1536), "1.50KiB");
        assert_eq!(format_bytes(-3 * 1024 * 1024), "-3.00MiB");
        assert_eq!(format_delta(600, "count"), "+600");
        assert_eq!(format_delta(-2, "count"), "-2");
        assert_eq!(percent(1, 3), "33.3%");
        assert_eq!(percent(1, 0), "");
    }
}
