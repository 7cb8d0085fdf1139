//! `containment`: what a heap snapshot's objects hold, edge by edge, DevTools-style.

use super::{emit, object_by_id, one_heap_snapshot, tree_extent};
use crate::analysis::class_summary::ClassKey;
use crate::analysis::object_tree::ObjectTrees;
use crate::analysis::AnalysedSnapshot;
use crate::cli::ContainmentArgs;
use crate::error::Result;
use crate::output::schema::{InputInfo, ObjectTreeReport, SCHEMA};
use crate::output::tables;

pub fn run(args: &ContainmentArgs) -> Result<String> {
    let input = one_heap_snapshot(&args.file, &args.input, "containment")?;
    let graph = input.heap().expect("a heap snapshot");
    let snapshot = AnalysedSnapshot::new(graph, ClassKey::Constructor);
    let (start, node) = match args.id {
        Some(id) => (format!("id {id}"), object_by_id(graph, id, &args.file)?),
        None => ("root".to_string(), 0),
    };
    let extent = tree_extent(&args.extent);
    let rows = ObjectTrees::new(&snapshot).containment(node, extent);
    let report = ObjectTreeReport {
        schema: SCHEMA,
        input: InputInfo::of(&input),
        view: "containment",
        start,
        class_objects: None,
        total: snapshot.retention.retained.get(0),
        depth: args.extent.depth,
        children: args.extent.children,
        rows,
    };
    Ok(emit(&report, &args.output.as_output(), tables::object_tree))
}
