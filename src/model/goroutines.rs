//! Per-goroutine detail from full goroutine dumps (debug=2, panics, SIGQUIT) and the spawn tree
//! built from their `created by ... in goroutine K` lines.

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::Direction;
use rustc_hash::FxHashMap;

/// One goroutine as a debug=2 dump shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goroutine {
    pub id: u64,
    /// Index into `GoroutineDump::states` (`chan receive`, `IO wait`, `select`, ...).
    pub state: u32,
    /// Minutes blocked; Go prints it only from one minute on.
    pub wait_minutes: Option<u32>,
    pub locked_to_thread: bool,
    /// The Go runtime's goroutine leak detector marked it `(leaked)`.
    pub leaked: bool,
    /// Stack id in the owning `Profile`.
    pub stack: u32,
    /// Label set id in the owning `Profile` (0: none); Go 1.27+ prints pprof labels in dumps.
    pub labels: u32,
    /// Function id (in the owning `Profile`) of the `created by` function.
    pub created_by: Option<u32>,
    /// The goroutine that ran the `go` statement (Go 1.21+ prints it).
    pub creator_id: Option<u64>,
    /// The line of the `go` statement in the `created by` function's file (0: unknown).
    pub creator_line: u32,
}

/// How a dump ended early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truncation {
    /// Byte offset where the incomplete goroutine record starts.
    pub at_byte: u64,
    pub reason: String,
}

#[derive(Debug, Clone, Default)]
pub struct GoroutineDump {
    pub goroutines: Vec<Goroutine>,
    pub states: Vec<String>,
    pub truncated: Option<Truncation>,
}

impl GoroutineDump {
    pub fn state_name(&self, goroutine: &Goroutine) -> &str {
        &self.states[goroutine.state as usize]
    }
}

/// Creator goroutine -> created goroutines. Creators that have exited are nodes too (they are
/// known only by id), so "200 goroutines each created by a different exited handler" and "600
/// goroutines all created by goroutine 1" are told apart.
pub struct SpawnTree {
    /// Node weight: goroutine id and, while it is alive, its index in the dump.
    pub graph: DiGraph<(u64, Option<usize>), ()>,
    node_of: FxHashMap<u64, NodeIndex>,
}

impl SpawnTree {
    pub fn build(dump: &GoroutineDump) -> Self {
        let n = dump.goroutines.len();
        let mut graph = DiGraph::with_capacity(n, n);
        let mut node_of: FxHashMap<u64, NodeIndex> = FxHashMap::default();
        node_of.reserve(n);
        for (index, g) in dump.goroutines.iter().enumerate() {
            let node = *node_of
                .entry(g.id)
                .or_insert_with(|| graph.add_node((g.id, None)));
            graph[node].1 = Some(index);
        }
        for g in &dump.goroutines {
            if let Some(creator) = g.creator_id {
                let parent = *node_of
                    .entry(creator)
                    .or_insert_with(|| graph.add_node((creator, None)));
                graph.add_edge(parent, node_of[&g.id], ());
            }
        }
        SpawnTree { graph, node_of }
    }

    /// Index in the dump of a goroutine that is still alive.
    pub fn live_index(&self, id: u64) -> Option<usize> {
        self.graph[*self.node_of.get(&id)?].1
    }

    /// How many goroutines `id` created that are still alive.
    pub fn children_count(&self, id: u64) -> usize {
        self.node_of
            .get(&id)
            .map(|&n| {
                self.graph
                    .neighbors_directed(n, Direction::Outgoing)
                    .count()
            })
            .unwrap_or(0)
    }

    /// Creator chain of `id`, nearest first, up to the first creator that has no known creator.
    pub fn ancestors(&self, id: u64) -> Vec<u64> {
        let mut chain = Vec::new();
        let Some(&start) = self.node_of.get(&id) else {
            return chain;
        };
        let mut current = start;
        // A dump is a tree, but guard against a corrupt one that loops.
        while chain.len() < 64 {
            let Some(parent) = self
                .graph
                .neighbors_directed(current, Direction::Incoming)
                .next()
            else {
                break;
            };
            chain.push(self.graph[parent].0);
            current = parent;
        }
        chain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goroutine(id: u64, creator_id: Option<u64>) -> Goroutine {
        Goroutine {
            id,
            state: 0,
            wait_minutes: None,
            locked_to_thread: false,
            leaked: false,
            stack: 0,
            labels: 0,
            created_by: None,
            creator_id,
            creator_line: 0,
        }
    }

    #[test]
    fn tree_links_live_and_exited_creators() {
        let dump = GoroutineDump {
            goroutines: vec![
                goroutine(1, None),
                goroutine(7, Some(1)),
                goroutine(9, Some(7)),
                goroutine(20, Some(15)),
            ],
            states: vec!["select".into()],
            truncated: None,
        };
        let tree = SpawnTree::build(&dump);
        assert_eq!(tree.ancestors(9), [7, 1]);
        assert_eq!(tree.ancestors(20), [15]);
        assert_eq!(tree.children_count(1), 1);
        assert_eq!(tree.live_index(7), Some(1));
        assert_eq!(
            tree.live_index(15),
            None,
            "15 exited: known only as a creator"
        );
    }
}
