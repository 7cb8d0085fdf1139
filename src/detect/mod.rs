//! What leaks the inputs show. The catalogue of known leak signatures is data
//! (`catalog/*.toml`, embedded at build time, plus the user's `--rules` files); each detector
//! is a file:
//!
//! - `stack_signatures`: catalogue entries on goroutine and heap stack profiles;
//! - `runtime_proof`: goroutines the Go runtime itself marks leaked;
//! - `snapshot_signatures`: catalogue entries on heap snapshots, with retainer paths;
//! - `stack_growth`, `class_growth`: generic growth no entry explains (words in `generic.toml`).
//!
//! `scan` groups the inputs into series by kind and runs the detectors for each.

pub mod catalogue;
mod class_growth;
mod generic;
mod growth;
mod runtime_proof;
mod snapshot_signatures;
mod stack_growth;
mod stack_match;
mod stack_signatures;
#[cfg(test)]
mod test_inputs;

pub use catalogue::{unit_of, Catalogue, Signature};
pub use generic::GENERIC_SIGNATURES;
pub use stack_match::value_index;

use crate::analysis::AnalysedSnapshot;
use crate::model::{group_inputs, Finding, Input, ProfileClass};
use catalogue::Compiled;
use snapshot_signatures::snapshot_findings;
use stack_signatures::stack_findings;

/// Every finding in a run's inputs. `snapshots` holds, per input, its analysis when it is a
/// heap snapshot (computed once by the caller, shared with whatever else reads it).
pub fn scan(
    inputs: &[Input],
    snapshots: &[Option<AnalysedSnapshot<'_>>],
    catalogue: &Catalogue,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for group in group_inputs(inputs) {
        let runtime = group.runtime.name();
        let entries: Vec<&Compiled> = catalogue
            .entries
            .iter()
            .filter(|e| e.signature.profile == group.class && e.signature.runtime == runtime)
            .collect();
        match group.class {
            ProfileClass::Goroutine | ProfileClass::Heap => {
                stack_findings(&group, &entries, &mut findings)
            }
            ProfileClass::Snapshot => {
                let analysed: Vec<&AnalysedSnapshot> = group
                    .members
                    .iter()
                    .map(|(i, _)| snapshots[*i].as_ref().expect("every snapshot is analysed"))
                    .collect();
                snapshot_findings(&group, &analysed, &entries, &mut findings)
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    /// A goroutine dump of `n` stream watchers waiting `0..max_minutes` minutes, in the frames
    /// grpc-go 1.6x prints.
    fn watcher_dump(n: u32, max_minutes: u32) -> Input {
        let mut text =
            String::from("goroutine 1 [running]:\nmain.main()\n\t/src/main.go:10 +0x1\n\n");
        for i in 0..n {
            let minutes = if max_minutes == 0 {
                0
            } else {
                i % (max_minutes + 1)
            };
            let wait = if minutes > 0 {
                format!(", {minutes} minutes")
            } else {
                String::new()
            };
            text.push_str(&format!(
                "goroutine {} [select{wait}]:\ngoogle.golang.org/grpc.newClientStreamWithParams.func4()\n\
                 \t/src/grpc/stream.go:442 +0x8e\ncreated by google.golang.org/grpc.newClientStreamWithParams in goroutine 1\n\
                 \t/src/grpc/stream.go:441 +0xeb7\n\n",
                i + 10
            ));
        }
        Input {
            path: "dump.txt".into(),
            format: crate::model::Format::GoroutineTraceback,
            runtime: crate::model::Runtime::Go,
            gzipped: false,
            size: text.len() as u64,
            contents: crate::model::Contents::Stacks(
                crate::formats::goroutine_traceback::parse(text.as_bytes()).expect("a valid dump"),
            ),
        }
    }

    #[test]
    fn thousands_of_stream_watchers_waiting_for_hours_prove_abandoned_streams() {
        let catalogue = Catalogue::builtin();
        let found = scan(&[watcher_dump(1200, 180)], &[None], &catalogue);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].signature, "go.grpc.client-stream-abandoned");
        assert_eq!(found[0].status, Status::Present);
        assert_eq!(found[0].series, [1200]);
        assert_eq!(found[0].evidence.wait_minutes, Some([0, 180]));
        // As many watchers, all started within the last minute: a busy client, not a proof;
        // one goroutine opening them all is still the structure of the leak.
        let busy = scan(&[watcher_dump(1200, 0)], &[None], &catalogue);
        assert_eq!(busy.len(), 1, "{busy:?}");
        assert_eq!(busy[0].status, Status::Suspect);
        // Ages spread over hours, but only a few watchers: suspect, not proven.
        let few = scan(&[watcher_dump(200, 180)], &[None], &catalogue);
        assert_eq!(few[0].status, Status::Suspect);
        // Too few to suspect anything.
        assert!(scan(&[watcher_dump(20, 180)], &[None], &catalogue).is_empty());
    }
}
