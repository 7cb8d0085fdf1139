//! The two trees Chrome DevTools shows over a heap snapshot's objects: the dominator tree (who
//! alone keeps what alive, with retained sizes) and containment (what each object holds, edge by
//! edge, from the GC roots). Both come out as rows in display order, each with its depth, cut
//! to a depth and to the largest children of every object.

use serde::Serialize;

use crate::analysis::dominators::{dominated, Dominated};
use crate::analysis::retainer_paths::node_label;
use crate::analysis::AnalysedSnapshot;

const UNREACHED: u32 = u32::MAX;

/// One object of a tree, in display order.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectRow {
    pub depth: u32,
    /// Containment: the edge from the object one level up that leads here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge: Option<String>,
    /// DevTools' `@id`.
    pub id: u32,
    /// As DevTools names it: the constructor, a closure's function, a string's text.
    pub name: String,
    pub self_size: u64,
    pub retained: u64,
    /// Edges from the GC roots on the shortest path; absent when no strong path reaches it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance: Option<u32>,
    /// The id of the object's immediate dominator.
    pub dominator: u32,
    /// Children of this object in the tree that are not shown (past `--depth` or the `-n`
    /// largest).
    pub hidden_children: usize,
    /// Their retained size together (dominator tree only: containment children overlap).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden_retained: Option<u64>,
}

/// How far a tree is unfolded.
#[derive(Debug, Clone, Copy)]
pub struct Extent {
    /// Levels shown below each start object.
    pub depth: u32,
    /// Children shown per object, largest retained first.
    pub breadth: usize,
}

/// Builds rows of either tree from one snapshot.
pub struct ObjectTrees<'s, 'g> {
    snapshot: &'s AnalysedSnapshot<'g>,
    dominated: Dominated,
}

impl<'s, 'g> ObjectTrees<'s, 'g> {
    pub fn new(snapshot: &'s AnalysedSnapshot<'g>) -> Self {
        ObjectTrees {
            snapshot,
            dominated: dominated(&snapshot.retention),
        }
    }

    fn row(&self, node: u32, depth: u32, edge: Option<String>) -> ObjectRow {
        let s = self.snapshot;
        let graph = s.graph;
        let distance = s.retainers().distance[node as usize];
        ObjectRow {
            depth,
            edge,
            id: graph.node_id[node as usize],
            name: display_name(s, node),
            self_size: s.retention.shallow.get(node as usize),
            retained: s.retention.retained.get(node as usize),
            distance: (distance != UNREACHED).then_some(distance),
            dominator: graph.node_id[s.retention.dominator[node as usize] as usize],
            hidden_children: 0,
            hidden_retained: None,
        }
    }

    fn by_retained(&self, nodes: &mut [u32]) {
        let retained = &self.snapshot.retention.retained;
        let id = &self.snapshot.graph.node_id;
        nodes.sort_by(|&a, &b| {
            retained
                .get(b as usize)
                .cmp(&retained.get(a as usize))
                .then(id[a as usize].cmp(&id[b as usize]))
        });
    }

    /// The dominator tree below `start`, whose row sits at `depth`.
    pub fn dominator_subtree(
        &self,
        start: u32,
        depth: u32,
        extent: Extent,
        rows: &mut Vec<ObjectRow>,
    ) {
        let at = rows.len();
        rows.push(self.row(start, depth, None));
        let mut children = self.dominated.of(start).to_vec();
        if children.is_empty() {
            return;
        }
        self.by_retained(&mut children);
        let shown = if depth >= extent.depth {
            0
        } else {
            extent.breadth.min(children.len())
        };
        for &child in &children[..shown] {
            self.dominator_subtree(child, depth + 1, extent, rows);
        }
        let retained = &self.snapshot.retention.retained;
        rows[at].hidden_children = children.len() - shown;
        rows[at].hidden_retained = Some(
            children[shown..]
                .iter()
                .map(|&c| retained.get(c as usize))
                .sum(),
        );
    }

    /// The chain of dominators from the root down to `node`'s immediate dominator, each row
    /// with its other children counted as hidden; then `node`'s own subtree.
    pub fn dominator_chain(&self, node: u32, extent: Extent) -> Vec<ObjectRow> {
        let dominator = &self.snapshot.retention.dominator;
        let mut chain = vec![node];
        let mut current = node;
        while current != 0 {
            current = dominator[current as usize];
            chain.push(current);
        }
        chain.reverse();
        let retained = &self.snapshot.retention.retained;
        let mut rows: Vec<ObjectRow> = chain[..chain.len() - 1]
            .iter()
            .zip(&chain[1..])
            .enumerate()
            .map(|(depth, (&above, &below))| {
                let mut row = self.row(above, depth as u32, None);
                let others = self.dominated.of(above);
                row.hidden_children = others.len() - 1;
                row.hidden_retained = Some(
                    others
                        .iter()
                        .filter(|&&c| c != below)
                        .map(|&c| retained.get(c as usize))
                        .sum(),
                );
                row
            })
            .collect();
        let depth = rows.len() as u32;
        self.dominator_subtree(
            node,
            depth,
            Extent {
                depth: depth + extent.depth,
                ..extent
            },
            &mut rows,
        );
        rows
    }

    /// What `start` holds, edge by edge, largest retained first; weak edges included, as in
    /// DevTools.
    pub fn containment(&self, start: u32, extent: Extent) -> Vec<ObjectRow> {
        let mut rows = Vec::new();
        self.contained(start, 0, None, extent, &mut rows);
        rows
    }

    fn contained(
        &self,
        node: u32,
        depth: u32,
        edge: Option<String>,
        extent: Extent,
        rows: &mut Vec<ObjectRow>,
    ) {
        let graph = self.snapshot.graph;
        let at = rows.len();
        rows.push(self.row(node, depth, edge));
        let mut edges: Vec<usize> = graph.edges(node).collect();
        if edges.is_empty() {
            return;
        }
        let retained = &self.snapshot.retention.retained;
        edges.sort_by(|&a, &b| {
            let (x, y) = (graph.edge_to[a] as usize, graph.edge_to[b] as usize);
            retained.get(y).cmp(&retained.get(x)).then(a.cmp(&b))
        });
        let shown = if depth >= extent.depth {
            0
        } else {
            extent.breadth.min(edges.len())
        };
        for &e in &edges[..shown] {
            self.contained(
                graph.edge_to[e],
                depth + 1,
                Some(graph.edge_label(e)),
                extent,
                rows,
            );
        }
        rows[at].hidden_children = edges.len() - shown;
    }
}

/// The root is `(root)`; strings show their text quoted, regular expressions their source, both
/// clipped.
fn display_name(snapshot: &AnalysedSnapshot, node: u32) -> String {
    let graph = snapshot.graph;
    if node == 0 {
        return "(root)".to_string();
    }
    let clip = |text: &str| {
        let mut chars = text.chars();
        let head: String = chars.by_ref().take(40).collect();
        if chars.next().is_some() {
            format!("{head}…")
        } else {
            head
        }
    };
    match graph.type_name(node) {
        "string" | "concatenated string" | "sliced string" => {
            format!("\"{}\"", clip(graph.name(node)))
        }
        "regexp" => clip(graph.name(node)),
        _ => node_label(graph, &snapshot.classes, node),
    }
}
