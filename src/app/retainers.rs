//! `retainers`: why objects of a heap snapshot are alive, their shortest paths from the roots.

use super::{emit, object_by_id, one_heap_snapshot};
use crate::analysis::class_summary::ClassKey;
use crate::analysis::dominators::retained_together;
use crate::analysis::retainer_paths::path_groups;
use crate::analysis::AnalysedSnapshot;
use crate::cli::RetainersArgs;
use crate::error::{Error, Result};

use crate::model::PathGroup;
use crate::output::schema::{InputInfo, RetainersReport, SCHEMA};
use crate::output::tables;

pub fn run(args: &RetainersArgs) -> Result<String> {
    let input = one_heap_snapshot(&args.file, &args.input, "retainers")?;
    let graph = input.heap().expect("a heap snapshot");
    let snapshot = AnalysedSnapshot::new(graph, ClassKey::Constructor);
    let classes = &snapshot.classes;
    let (target, nodes): (String, Vec<u32>) = match (&args.class, args.id) {
        (Some(class), _) => (
            format!("class {class}"),
            (0..graph.node_count() as u32)
                .filter(|&n| classes.name(n) == class.as_str())
                .collect(),
        ),
        (None, Some(id)) => (
            format!("id {id}"),
            vec![object_by_id(graph, id, &args.file)?],
        ),
        (None, None) => unreachable!("clap requires --class or --id"),
    };
    if nodes.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no object with {target}",
            args.file.display()
        )));
    }
    let (mut paths, weakly): (Vec<PathGroup>, u64) = path_groups(
        graph,
        classes,
        snapshot.retainers(),
        &snapshot.retention,
        &nodes,
    );
    let path_count = paths.len();
    paths.truncate(args.paths);
    let report = RetainersReport {
        schema: SCHEMA,
        input: InputInfo::of(&input),
        target,
        objects: nodes.len(),
        weakly_reachable: weakly,
        retained: retained_together(&snapshot.retention, &nodes),
        paths,
        path_count,
    };
    Ok(emit(&report, &args.output, tables::retainers))
}
