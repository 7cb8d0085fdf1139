//! pprof's sample filters on stack profiles, with pprof's semantics so a pprof user needs no
//! new vocabulary: `focus` keeps the samples with a frame that matches, `ignore` drops them
//! (and wins over `focus`), `hide` drops the matching frames, `show` keeps only those,
//! `show_from` drops the callers above the outermost match (and samples without one), and
//! `tagfocus`/`tagignore` keep or drop samples by their labels. A frame matches when its
//! function's name or file does. They apply in pprof's order: names, then `show_from`, then
//! tags.

use regex::Regex;

use crate::model::{Labels, Profile};

/// A label filter as pprof spells it: `key=regex[,regex...]` matches the values of that key;
/// `regex[,regex...]` without a key needs each regex to match some `key:value` of the sample.
#[derive(Debug, Clone)]
pub struct TagFilter {
    key: Option<String>,
    patterns: Vec<Regex>,
}

impl TagFilter {
    pub fn parse(text: &str) -> Result<TagFilter, regex::Error> {
        let (key, values) = match text.split_once('=') {
            Some((key, values)) => (Some(key.to_string()), values),
            None => (None, text),
        };
        let patterns = values
            .split(',')
            .map(Regex::new)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TagFilter { key, patterns })
    }

    /// `key=LOW:HIGH` with numbers (pprof's numeric label ranges, `bytes=1kb:4kb`, `bytes=:64`):
    /// no string label value is written so, and leakscope keeps no numeric labels.
    pub fn is_numeric_range(text: &str) -> bool {
        let Some((_, value)) = text.split_once('=') else {
            return false;
        };
        let bound = |b: &str| {
            b.is_empty()
                || (b.starts_with(|c: char| c.is_ascii_digit())
                    && b.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
                        .chars()
                        .all(|c| c.is_ascii_alphabetic()))
        };
        match value.split_once(':') {
            Some((low, high)) => !(low.is_empty() && high.is_empty()) && bound(low) && bound(high),
            None => false,
        }
    }

    fn matches(&self, labels: &Labels) -> bool {
        match &self.key {
            Some(key) => labels
                .iter()
                .filter(|(k, _)| k == key)
                .any(|(_, v)| self.patterns.iter().any(|p| p.is_match(v))),
            None => self
                .patterns
                .iter()
                .all(|p| labels.iter().any(|(k, v)| p.is_match(&format!("{k}:{v}")))),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub focus: Option<Regex>,
    pub ignore: Option<Regex>,
    pub hide: Option<Regex>,
    pub show: Option<Regex>,
    pub show_from: Option<Regex>,
    pub tag_focus: Option<TagFilter>,
    pub tag_ignore: Option<TagFilter>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        self.focus.is_none()
            && self.ignore.is_none()
            && self.hide.is_none()
            && self.show.is_none()
            && self.show_from.is_none()
            && self.tag_focus.is_none()
            && self.tag_ignore.is_none()
    }

    /// The profile with the filters applied, and the filters that matched nothing (pprof warns
    /// of each: a filter that matches nothing is most often a mistyped name).
    pub fn apply(&self, profile: Profile) -> (Profile, Vec<&'static str>) {
        let function_matches = |pattern: &Option<Regex>| -> Option<Vec<bool>> {
            pattern.as_ref().map(|re| {
                profile
                    .functions
                    .iter()
                    .map(|f| re.is_match(&f.name) || (!f.file.is_empty() && re.is_match(&f.file)))
                    .collect()
            })
        };
        let [focus, ignore, hide, show, show_from] = [
            &self.focus,
            &self.ignore,
            &self.hide,
            &self.show,
            &self.show_from,
        ]
        .map(function_matches);
        let frame_matches = |matches: &Option<Vec<bool>>, frame: u32| {
            matches
                .as_ref()
                .is_some_and(|m| m[profile.frames[frame as usize].function as usize])
        };
        let mut unmatched = Vec::new();
        for (name, matches) in [
            ("--focus", &focus),
            ("--ignore", &ignore),
            ("--hide", &hide),
            ("--show", &show),
            ("--show-from", &show_from),
        ] {
            if matches.as_ref().is_some_and(|m| !m.contains(&true)) {
                unmatched.push(name);
            }
        }

        // As pprof: with any name filter, a sample with no frames is dropped.
        let chosen = |frames: &[u32]| {
            !frames.is_empty()
                && !frames.iter().any(|&f| frame_matches(&ignore, f))
                && (focus.is_none() || frames.iter().any(|&f| frame_matches(&focus, f)))
        };
        let reshaped = hide.is_some() || show.is_some() || show_from.is_some();
        let by_name = reshaped || focus.is_some() || ignore.is_some();
        // Per stack, whether its samples stay; with hide/show/show_from, its new frames,
        // written straight into one buffer.
        let mut kept_stack = vec![true; profile.stack_count()];
        let mut offsets: Vec<u32> = Vec::new();
        let mut new_frames: Vec<u32> = Vec::new();
        if reshaped {
            offsets.reserve(profile.stack_count() + 1);
            offsets.push(0);
        }
        for (stack, kept) in kept_stack.iter_mut().enumerate() {
            let frames = profile.stack(stack as u32);
            *kept = !by_name || chosen(frames);
            if reshaped {
                let start = new_frames.len();
                if *kept {
                    new_frames.extend(frames.iter().copied().filter(|&f| {
                        !frame_matches(&hide, f) && (show.is_none() || frame_matches(&show, f))
                    }));
                    if show_from.is_some() {
                        // Leaf first: the outermost match is the last one.
                        match new_frames[start..]
                            .iter()
                            .rposition(|&f| frame_matches(&show_from, f))
                        {
                            Some(outermost) => new_frames.truncate(start + outermost + 1),
                            None => new_frames.truncate(start),
                        }
                    }
                    *kept = new_frames.len() > start;
                }
                offsets.push(new_frames.len() as u32);
            }
        }
        let labels_kept: Vec<bool> = profile
            .label_sets
            .iter()
            .map(|labels| {
                self.tag_focus.as_ref().is_none_or(|t| t.matches(labels))
                    && !self.tag_ignore.as_ref().is_some_and(|t| t.matches(labels))
            })
            .collect();
        for (name, filter) in [
            ("--tagfocus", &self.tag_focus),
            ("--tagignore", &self.tag_ignore),
        ] {
            if let Some(filter) = filter {
                if !profile.label_sets.iter().any(|l| filter.matches(l)) {
                    unmatched.push(name);
                }
            }
        }
        // Names alone keep or drop whole samples: the stacks stay as they are.
        let keep =
            |stack: u32, labels: u32| kept_stack[stack as usize] && labels_kept[labels as usize];
        let filtered = if reshaped {
            profile.restacked(offsets, new_frames, keep)
        } else {
            profile.retain_samples(keep)
        };
        (filtered, unmatched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ProfileBuilder, ProfileKind, ValueType};

    /// Three samples: main→serve→read (5), main→serve→write (3), main→cache (7, label tenant=a).
    fn profile() -> Profile {
        let mut b = ProfileBuilder::new(
            ProfileKind::Heap,
            vec![ValueType {
                name: "inuse_space".into(),
                unit: "bytes".into(),
            }],
            0,
        );
        let frame = |b: &mut ProfileBuilder, name: &str| {
            let f = b.intern_function(name, "app.go");
            b.intern_frame(f, 1)
        };
        let (main, serve, read, write, cache) = (
            frame(&mut b, "main.main"),
            frame(&mut b, "main.serve"),
            frame(&mut b, "net.read"),
            frame(&mut b, "net.write"),
            frame(&mut b, "main.cache"),
        );
        let s1 = b.intern_stack(&[read, serve, main]);
        let s2 = b.intern_stack(&[write, serve, main]);
        let s3 = b.intern_stack(&[cache, main]);
        let tenant = b.intern_labels(vec![("tenant".into(), "a".into())]);
        b.add_sample(s1, 0, &[5]);
        b.add_sample(s2, 0, &[3]);
        b.add_sample(s3, tenant, &[7]);
        b.finish()
    }

    fn names(p: &Profile) -> Vec<(String, i64)> {
        let mut out: Vec<(String, i64)> = p
            .samples
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let frames: Vec<&str> = p
                    .stack(s.stack)
                    .iter()
                    .map(|&f| p.function_of_frame(f).name.as_str())
                    .collect();
                (frames.join("<"), p.values(i)[0])
            })
            .collect();
        out.sort();
        out
    }

    fn re(s: &str) -> Option<Regex> {
        Some(Regex::new(s).unwrap())
    }

    #[test]
    fn numeric_ranges_are_told_from_regular_expressions() {
        for range in ["bytes=1kb:4kb", "bytes=:64", "bytes=64:", "size=1.5mb:2mb"] {
            assert!(TagFilter::is_numeric_range(range), "{range}");
        }
        for pattern in [
            "tenant=acme",
            "shard=1",
            "/upload",
            "route=a:b",
            "t=:",
            "k=v2:",
        ] {
            assert!(!TagFilter::is_numeric_range(pattern), "{pattern}");
        }
    }

    #[test]
    fn focus_ignore_hide_show_and_show_from_follow_pprof() {
        let p = profile();
        let focus = Filters {
            focus: re("serve"),
            ..Filters::default()
        };
        assert_eq!(
            names(&focus.apply(p.clone()).0),
            [
                ("net.read<main.serve<main.main".to_string(), 5),
                ("net.write<main.serve<main.main".to_string(), 3)
            ]
        );
        // ignore wins over focus.
        let both = Filters {
            focus: re("serve"),
            ignore: re("write"),
            ..Filters::default()
        };
        assert_eq!(names(&both.apply(p.clone()).0).len(), 1);
        // Hiding the leaves leaves the two serve stacks alike.
        let hide = Filters {
            hide: re("^net\\."),
            ..Filters::default()
        };
        assert_eq!(
            names(&hide.apply(p.clone()).0),
            [
                ("main.cache<main.main".to_string(), 7),
                ("main.serve<main.main".to_string(), 3),
                ("main.serve<main.main".to_string(), 5)
            ]
        );
        let show = Filters {
            show: re("^net\\."),
            ..Filters::default()
        };
        assert_eq!(
            names(&show.apply(p.clone()).0),
            [("net.read".to_string(), 5), ("net.write".to_string(), 3)]
        );
        let from = Filters {
            show_from: re("serve"),
            ..Filters::default()
        };
        assert_eq!(
            names(&from.apply(p.clone()).0),
            [
                ("net.read<main.serve".to_string(), 5),
                ("net.write<main.serve".to_string(), 3)
            ]
        );
        // A filter that matches nothing is reported.
        let typo = Filters {
            focus: re("sevre"),
            ..Filters::default()
        };
        let (empty, unmatched) = typo.apply(p.clone());
        assert!(empty.samples.is_empty());
        assert_eq!(unmatched, ["--focus"]);
    }

    #[test]
    fn tag_filters_match_values_of_a_key_or_key_value_pairs() {
        let p = profile();
        let focus = Filters {
            tag_focus: Some(TagFilter::parse("tenant=^a$").unwrap()),
            ..Filters::default()
        };
        assert_eq!(
            names(&focus.apply(p.clone()).0),
            [("main.cache<main.main".to_string(), 7)]
        );
        let ignore = Filters {
            tag_ignore: Some(TagFilter::parse("tenant:a").unwrap()),
            ..Filters::default()
        };
        assert_eq!(names(&ignore.apply(p.clone()).0).len(), 2);
    }
}
