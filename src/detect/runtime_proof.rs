//! Leaks the Go runtime itself proves: goroutines a full dump marks `(leaked)`, or those a
//! `goroutineleak` profile counts. One snapshot is enough; any count is a leak.

use crate::analysis::keys::{stack_key_of, FrameKeys};
use crate::detect::stack_match::{leaf, StackMatch};
use crate::model::{Profile, ProfileKind, Status};

/// Goroutines marked `(leaked)` (full dumps) or counted by a goroutineleak profile.
pub fn leak_marks(profile: &Profile, keys: &FrameKeys) -> StackMatch {
    let mut result = StackMatch::empty(profile, 0);
    if let Some(dump) = &profile.goroutines {
        for g in dump.goroutines.iter().filter(|g| g.leaked) {
            result.value += 1;
            result.matched.insert(g.stack as usize);
            let key = stack_key_of(profile, keys, g.stack);
            *result.anchors.entry(leaf(&key).to_string()).or_default() += 1;
            *result.stacks.entry(key).or_default() += 1;
        }
    } else if profile.kind == ProfileKind::GoroutineLeak {
        for (i, sample) in profile.samples.iter().enumerate() {
            let value = profile.values(i)[0];
            result.value += value;
            result.matched.insert(sample.stack as usize);
            let key = stack_key_of(profile, keys, sample.stack);
            *result.anchors.entry(leaf(&key).to_string()).or_default() += value;
            *result.stacks.entry(key).or_default() += value;
        }
    }
    result
}

/// A runtime proof needs no series: one marked goroutine in the last snapshot is a leak.
pub fn status(last: &StackMatch) -> Option<Status> {
    (last.value > 0).then_some(Status::Present)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::keys::KeyOptions;
    use crate::detect::test_inputs::read;

    fn proof(path: &str) -> StackMatch {
        let inputs = read(&[path]);
        let profile = inputs[0].profile().expect("a goroutine profile");
        leak_marks(profile, &FrameKeys::new(profile, &KeyOptions::default()))
    }

    #[test]
    fn goroutines_the_runtime_marked_leaked_prove_a_leak_in_every_encoding() {
        for path in [
            "go/goroutineleak/goroutine-debug2.txt",
            "go/goroutineleak/goroutineleak-debug0.pb.gz",
        ] {
            let found = proof(path);
            assert_eq!(found.value, 8, "{path}");
            assert_eq!(status(&found), Some(Status::Present), "{path}");
            assert!(!found.anchors.is_empty(), "{path}: the blocked functions");
        }
    }

    #[test]
    fn a_dump_without_marks_proves_nothing() {
        let found = proof("go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt");
        assert_eq!(found.value, 0);
        assert_eq!(status(&found), None);
    }
}
