//! One heap snapshot analysed once per run: retention (dominators, retained sizes), classes
//! (on the other core while retention finishes), and the retainer tree when a command first
//! asks for it. Every command that reads snapshots works from this, so nothing is computed twice.

use std::sync::OnceLock;

use crate::analysis::class_summary::ClassKey;
use crate::analysis::dominators::Retention;
use crate::analysis::heap_classes::Classes;
use crate::analysis::retainer_paths::RetainerTree;
use crate::model::HeapGraph;

pub struct AnalysedSnapshot<'a> {
    pub graph: &'a HeapGraph,
    pub retention: Retention,
    pub classes: Classes,
    retainers: OnceLock<RetainerTree>,
}

impl<'a> AnalysedSnapshot<'a> {
    /// Retention and classes; classes are computed on the other core once the dominator pass
    /// has freed its largest arrays, so that they add nothing to the peak.
    pub fn new(graph: &'a HeapGraph, key: ClassKey) -> Self {
        let _phase = crate::progress::phase(
            &format!(
                "dominator tree and retained sizes of {} objects",
                graph.node_count()
            ),
            None,
        );
        let (retention, classes) = Retention::compute_beside(graph, || key.classes(graph));
        AnalysedSnapshot {
            graph,
            retention,
            classes,
            retainers: OnceLock::new(),
        }
    }

    /// Every snapshot, one per core at a time (each holds its passes' arrays while it runs).
    pub fn all(graphs: &[&'a HeapGraph], key: ClassKey) -> Vec<Self> {
        crate::parallel::map_in_order(graphs, |&graph| AnalysedSnapshot::new(graph, key))
    }

    /// Shortest retainer paths from the GC roots, computed on first use.
    pub fn retainers(&self) -> &RetainerTree {
        self.retainers
            .get_or_init(|| RetainerTree::compute(self.graph))
    }

    /// Computes the retainer trees of several snapshots, one per core at a time.
    pub fn prepare_retainers(snapshots: &[&Self]) {
        crate::parallel::map_in_order(snapshots, |s| {
            s.retainers();
        });
    }
}
