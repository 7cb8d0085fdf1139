//! DevTools' Summary: per class (constructor) or node type, the objects, their shallow size
//! and the class's retained size.

use serde::Serialize;

use crate::analysis::dominators::{dominated, Retention};
use crate::analysis::heap_classes::Classes;
use crate::model::heap_graph::HeapGraph;

const NONE: u32 = u32::MAX;

/// One row of the Summary: a class (constructor) or a node type.
#[derive(Debug, Clone, Serialize)]
pub struct ClassRow {
    pub key: String,
    pub count: u64,
    pub shallow: u64,
    pub retained: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassKey {
    /// DevTools' class name: constructor for objects and natives, `Function`, `(type)`, ...
    Constructor,
    /// The V8 node type.
    Type,
}

impl ClassKey {
    pub fn classes(self, graph: &HeapGraph) -> Classes {
        match self {
            ClassKey::Constructor => Classes::constructors(graph),
            ClassKey::Type => Classes::types(graph),
        }
    }
}

/// The class of every node counted in the Summary (`NONE` for nodes DevTools leaves out: those
/// whose shallow size is 0).
pub fn counted(classes: &Classes, retention: &Retention) -> Vec<u32> {
    (0..classes.of_node.len())
        .map(|node| counted_class(classes, retention, node))
        .collect()
}

/// One node's class as `counted` gives it.
fn counted_class(classes: &Classes, retention: &Retention, node: usize) -> u32 {
    if retention.shallow.get(node) == 0 {
        NONE
    } else {
        classes.of_node[node]
    }
}

/// DevTools' Summary: per class, the objects, their shallow size, and the retained size of the
/// class — the sum over its objects not dominated by another object of the same class.
pub fn class_summary(classes: &Classes, retention: &Retention) -> Vec<ClassRow> {
    // Classes are looked up as needed rather than listed per node: this pass runs where a
    // snapshot's memory peaks.
    let class = |node: u32| counted_class(classes, retention, node as usize);
    let mut rows: Vec<ClassRow> = classes
        .names
        .iter()
        .map(|key| ClassRow {
            key: key.clone(),
            count: 0,
            shallow: 0,
            retained: 0,
        })
        .collect();
    for (node, &c) in classes.of_node.iter().enumerate() {
        let shallow = retention.shallow.get(node);
        if shallow != 0 {
            let row = &mut rows[c as usize];
            row.count += 1;
            row.shallow += shallow;
        }
    }
    // Walk the dominator tree from the root, remembering which classes are on the path.
    let children = dominated(retention);
    let mut on_path = vec![0u32; rows.len()];
    let mut stack: Vec<(u32, bool)> = vec![(0, false)];
    while let Some((node, leaving)) = stack.pop() {
        let c = class(node);
        if leaving {
            on_path[c as usize] -= 1;
            continue;
        }
        if c != NONE {
            if on_path[c as usize] == 0 {
                rows[c as usize].retained += retention.retained.get(node as usize);
            }
            on_path[c as usize] += 1;
            stack.push((node, true));
        }
        stack.extend(children.of(node).iter().map(|&child| (child, false)));
    }
    rows.retain(|r| r.count > 0);
    rows.sort_by(|a, b| {
        b.retained
            .cmp(&a.retained)
            .then(b.shallow.cmp(&a.shallow))
            .then_with(|| a.key.cmp(&b.key))
    });
    rows
}
