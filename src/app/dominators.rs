//! `dominators`: a heap snapshot's dominator tree with retained sizes, DevTools-style.

use super::{emit, object_by_id, one_heap_snapshot, tree_extent};
use crate::analysis::class_summary::ClassKey;
use crate::analysis::object_tree::ObjectTrees;
use crate::analysis::AnalysedSnapshot;
use crate::cli::DominatorsArgs;
use crate::error::{Error, Result};
use crate::output::schema::{InputInfo, ObjectTreeReport, SCHEMA};
use crate::output::tables;

pub fn run(args: &DominatorsArgs) -> Result<String> {
    let input = one_heap_snapshot(&args.file, &args.input, "dominators")?;
    let graph = input.heap().expect("a heap snapshot");
    let snapshot = AnalysedSnapshot::new(graph, ClassKey::Constructor);
    let trees = ObjectTrees::new(&snapshot);
    let extent = tree_extent(&args.extent);
    let mut class_objects = None;
    let (start, rows) = match (&args.class, args.id) {
        (Some(class), _) => {
            let mut objects: Vec<u32> = (0..graph.node_count() as u32)
                .filter(|&n| snapshot.classes.name(n) == class.as_str())
                .collect();
            if objects.is_empty() {
                return Err(Error::Usage(format!(
                    "{}: no object of class {class:?}",
                    args.file.display()
                )));
            }
            class_objects = Some(objects.len());
            let retained = &snapshot.retention.retained;
            objects.sort_by(|&a, &b| {
                retained
                    .get(b as usize)
                    .cmp(&retained.get(a as usize))
                    .then(a.cmp(&b))
            });
            objects.truncate(extent.breadth);
            let mut rows = Vec::new();
            for object in objects {
                trees.dominator_subtree(object, 0, extent, &mut rows);
            }
            (format!("class {class}"), rows)
        }
        (None, Some(id)) => {
            let node = object_by_id(graph, id, &args.file)?;
            (format!("id {id}"), trees.dominator_chain(node, extent))
        }
        (None, None) => {
            let mut rows = Vec::new();
            trees.dominator_subtree(0, 0, extent, &mut rows);
            ("root".to_string(), rows)
        }
    };
    let report = ObjectTreeReport {
        schema: SCHEMA,
        input: InputInfo::of(&input),
        view: "dominators",
        start,
        class_objects,
        total: snapshot.retention.retained.get(0),
        depth: args.extent.depth,
        children: args.extent.children,
        rows,
    };
    Ok(emit(&report, &args.output.as_output(), tables::object_tree))
}
