#![no_main]
//! The V8 heap snapshot reader: parsing never panics, and what parses survives the analyses
//! `top` and `retainers` run (dominators, classes, retainer paths).

use leakscope::analysis::heap_classes::Classes;
use leakscope::analysis::class_summary::class_summary;
use leakscope::analysis::dominators::Retention;
use leakscope::analysis::retainer_paths::{path_groups, RetainerTree};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(graph) = leakscope::formats::v8_snapshot::parse(data, data.len() as u64, None) {
        let retention = Retention::compute(&graph);
        let classes = Classes::constructors(&graph);
        let _ = class_summary(&classes, &retention);
        let tree = RetainerTree::compute(&graph);
        let nodes: Vec<u32> = (0..graph.node_count().min(8) as u32).collect();
        let _ = path_groups(&graph, &classes, &tree, &retention, &nodes);
    }
});
