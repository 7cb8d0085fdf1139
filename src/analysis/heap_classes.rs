//! The class every heap snapshot object is counted under, as Chrome DevTools names it in the
//! Summary view:
//!
//! - `object` and `native` nodes by their name (the constructor); HTML-like names `<div id=x>`
//!   cut to `<div>`; natives that are detached (the snapshot's `detachedness` is 2, or they hang
//!   only off detached natives) get a `Detached ` prefix;
//! - closures are `Function`, regexps `RegExp`, code `(compiled code)`, hidden `(system)`,
//!   anything else its type in parentheses (`(string)`, `(array)`, `(object shape)`);
//! - plain `Object`s are named after an inferred "interface": the list of property names most
//!   such objects share, like `{description, severity, timestamp}`.

use rustc_hash::FxHashMap;

use crate::model::heap_graph::HeapGraph;

const NO_CLASS: u32 = u32::MAX;

/// Names of every node's class.
pub struct Classes {
    /// Class index of each node.
    pub of_node: Vec<u32>,
    pub names: Vec<String>,
}

impl Classes {
    pub fn name(&self, node: u32) -> &str {
        &self.names[self.of_node[node as usize] as usize]
    }

    /// Classes as DevTools' Summary shows them.
    pub fn constructors(graph: &HeapGraph) -> Classes {
        let detached = detached_natives(graph);
        let mut interner = Interner::default();
        let types = graph.known_types();
        // One class per node type, or per name for objects and natives: look each up once.
        let by_type: Vec<Option<u32>> = graph
            .node_type_names
            .iter()
            .map(|t| match t.as_str() {
                "hidden" => Some(interner.id("(system)")),
                "code" => Some(interner.id("(compiled code)")),
                "closure" => Some(interner.id("Function")),
                "regexp" => Some(interner.id("RegExp")),
                "object" | "native" => None,
                other => Some(interner.id(&format!("({other})"))),
            })
            .collect();
        let mut by_name: Vec<[u32; 2]> = vec![[NO_CLASS; 2]; graph.strings.len()];
        let mut of_node: Vec<u32> = Vec::with_capacity(graph.node_count());
        for node in 0..graph.node_count() {
            let class = match by_type[graph.node_type[node] as usize] {
                Some(class) => class,
                None => {
                    let name_index = graph.node_name[node] as usize;
                    let slot = &mut by_name[name_index][usize::from(detached[node])];
                    if *slot == NO_CLASS {
                        let name = graph.strings.get(name_index as u32);
                        *slot = if detached[node] {
                            interner.id(&shorten_tag(&format!("Detached {name}")))
                        } else {
                            interner.id(&shorten_tag(name))
                        };
                    }
                    *slot
                }
            };
            of_node.push(class);
        }
        drop(by_name);
        if let Some(object) = types.node_object {
            apply_interfaces(graph, object, &mut of_node, &mut interner);
        }
        Classes {
            of_node,
            names: interner.names,
        }
    }

    /// Classes by V8 node type.
    pub fn types(graph: &HeapGraph) -> Classes {
        Classes {
            of_node: graph.node_type.iter().map(|&t| u32::from(t)).collect(),
            names: graph.node_type_names.clone(),
        }
    }
}

#[derive(Default)]
struct Interner {
    ids: FxHashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        id
    }
}

/// `<div id="a" class="b">` -> `<div>`, `Detached <div id=a>` -> `Detached <div>`.
fn shorten_tag(name: &str) -> String {
    let tag_start = if name.starts_with('<') {
        Some(0)
    } else if name.starts_with("Detached <") {
        Some("Detached ".len())
    } else {
        None
    };
    match tag_start.and_then(|s| name[s..].find(' ').map(|i| s + i)) {
        Some(space) => format!("{}>", &name[..space]),
        None => name.to_string(),
    }
}

const ATTACHED: u8 = 1;
const DETACHED: u8 = 2;

/// The walk behind `detached_natives`: each native gets the state of the first marked native
/// that reaches it.
struct Marking<'a> {
    graph: &'a HeapGraph,
    native: Option<u8>,
    visited: Vec<bool>,
    state: Vec<u8>,
    /// Natives whose edges are still to follow: attached ones, then detached ones.
    pending: [Vec<u32>; 2],
}

impl Marking<'_> {
    fn visit(&mut self, node: u32, new_state: u8) {
        let i = node as usize;
        if self.visited[i] {
            return;
        }
        self.visited[i] = true;
        if Some(self.graph.node_type[i]) != self.native {
            return;
        }
        self.state[i] = new_state;
        match new_state {
            ATTACHED => self.pending[0].push(node),
            DETACHED => self.pending[1].push(node),
            _ => {}
        }
    }

    /// Follows the edges (not hidden, invisible or weak) of every pending native of `state`.
    fn spread(&mut self, state: u8) {
        let graph = self.graph;
        let slot = usize::from(state == DETACHED);
        while let Some(node) = self.pending[slot].pop() {
            for e in graph.edges(node) {
                if !matches!(graph.edge_type_name(e), "hidden" | "invisible" | "weak") {
                    self.visit(graph.edge_to[e], state);
                }
            }
        }
    }
}

/// Natives marked detached, and natives reachable only through natives from detached ones
/// (never through an attached native), over edges that are not hidden, invisible or weak.
fn detached_natives(graph: &HeapGraph) -> Vec<bool> {
    let n = graph.node_count();
    let Some(states) = graph.node_detachedness.as_ref() else {
        return vec![false; n];
    };
    let mut marking = Marking {
        graph,
        native: graph.known_types().node_native,
        visited: vec![false; n],
        state: vec![0; n],
        pending: [Vec::new(), Vec::new()],
    };
    for node in 0..n as u32 {
        let s = states[node as usize];
        if s != 0 {
            marking.visit(node, s);
        }
    }
    // Attached first, so a native reachable from both sides stays attached.
    marking.spread(ATTACHED);
    marking.spread(DETACHED);
    marking.state.iter().map(|&s| s == DETACHED).collect()
}

/// After this many characters an interface name takes no more properties (DevTools' limit).
const MAX_INTERFACE_NAME_LENGTH: usize = 120;
/// An interface must name at least this many objects, and one in this many plain objects.
const MIN_OBJECTS_PER_INTERFACE: usize = 2;
const MIN_OBJECT_PROPORTION_PER_INTERFACE: usize = 1000;

/// A property name as it appears in an interface name: quoted when it holds `,'"{}`.
fn format_property(name: &str) -> String {
    if name.contains([',', '\'', '"', '{', '}']) {
        serde_json::to_string(name).unwrap_or_else(|_| name.to_string())
    } else {
        name.to_string()
    }
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

struct Interface {
    name: String,
    /// Property names, sorted.
    properties: Vec<String>,
}

/// Infers the interfaces of plain objects and renames each plain object after the one it
/// matches with the most properties (the more common on a tie).
fn apply_interfaces(
    graph: &HeapGraph,
    object_type: u8,
    of_node: &mut [u32],
    interner: &mut Interner,
) {
    let property = graph.known_types().edge_property;
    let plain =
        |node: usize| graph.node_type[node] == object_type && graph.name(node as u32) == "Object";
    // Candidates, in order of first appearance (the stable sort keeps that order on ties).
    let mut candidates: Vec<(String, Vec<String>, usize)> = Vec::new();
    let mut index: FxHashMap<String, usize> = FxHashMap::default();
    let mut total = 0usize;
    for node in (0..graph.node_count()).filter(|&n| plain(n)) {
        total += 1;
        let mut name = String::from("{");
        let mut properties = Vec::new();
        for e in graph.edges(node as u32) {
            if Some(graph.edge_type(e)) != property {
                continue;
            }
            let edge_name = graph.strings.get(graph.edge_name(e));
            if edge_name == "__proto__" {
                continue;
            }
            let formatted = format_property(edge_name);
            let len = utf16_len(&name);
            if len > 1 && len + utf16_len(&formatted) > MAX_INTERFACE_NAME_LENGTH {
                break;
            }
            if len != 1 {
                name.push_str(", ");
            }
            name.push_str(&formatted);
            properties.push(edge_name.to_string());
        }
        if properties.is_empty() {
            continue;
        }
        name.push('}');
        match index.get(&name) {
            Some(&i) => candidates[i].2 += 1,
            None => {
                index.insert(name.clone(), candidates.len());
                candidates.push((name, properties, 1));
            }
        }
    }
    candidates.sort_by_key(|c| std::cmp::Reverse(c.2));
    let min_count = (total as f64 / MIN_OBJECT_PROPORTION_PER_INTERFACE as f64)
        .max(MIN_OBJECTS_PER_INTERFACE as f64);
    let interfaces: Vec<Interface> = candidates
        .into_iter()
        .take_while(|c| c.2 as f64 >= min_count)
        .map(|(name, mut properties, _)| {
            properties.sort_by(|a, b| utf16_cmp(a, b));
            Interface { name, properties }
        })
        .collect();
    if interfaces.is_empty() {
        return;
    }
    let trie = Trie::build(&interfaces);
    let ids: Vec<u32> = interfaces.iter().map(|i| interner.id(&i.name)).collect();
    let mut properties: Vec<&str> = Vec::new();
    for node in (0..graph.node_count()).filter(|&n| plain(n)) {
        properties.clear();
        for e in graph.edges(node as u32) {
            if Some(graph.edge_type(e)) == property {
                properties.push(graph.strings.get(graph.edge_name(e)));
            }
        }
        properties.sort_by(|a, b| utf16_cmp(a, b));
        if let Some(best) = trie.best_match(&properties) {
            of_node[node] = ids[best];
        }
    }
}

/// JavaScript's default string order (UTF-16 code units).
fn utf16_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Interfaces' sorted property lists in a trie, to find every interface whose properties are a
/// subset of an object's in one pass over the object's sorted properties.
struct Trie {
    nodes: Vec<TrieNode>,
}

#[derive(Default)]
struct TrieNode {
    next: FxHashMap<String, usize>,
    greatest_next: Option<String>,
    /// (interface index, property count) of the first interface ending here.
    ends: Option<(usize, usize)>,
}

impl Trie {
    fn build(interfaces: &[Interface]) -> Trie {
        let mut nodes = vec![TrieNode::default()];
        for (index, interface) in interfaces.iter().enumerate() {
            let mut current = 0;
            for property in &interface.properties {
                current = match nodes[current].next.get(property) {
                    Some(&n) => n,
                    None => {
                        let n = nodes.len();
                        nodes.push(TrieNode::default());
                        let node = &mut nodes[current];
                        node.next.insert(property.clone(), n);
                        if node
                            .greatest_next
                            .as_ref()
                            .is_none_or(|g| utf16_cmp(g, property).is_lt())
                        {
                            node.greatest_next = Some(property.clone());
                        }
                        n
                    }
                };
            }
            if nodes[current].ends.is_none() {
                nodes[current].ends = Some((index, interface.properties.len()));
            }
        }
        Trie { nodes }
    }

    /// The interface with the most properties all of which the object has; on a tie the one
    /// listed first (the more common).
    fn best_match(&self, properties: &[&str]) -> Option<usize> {
        let better = |a: Option<(usize, usize)>, b: Option<(usize, usize)>| match (a, b) {
            (None, b) => b,
            (a, None) => a,
            (Some(x), Some(y)) if y.1 > x.1 || (y.1 == x.1 && y.0 < x.0) => Some(y),
            (a, _) => a,
        };
        let mut best = self.nodes[0].ends;
        let mut states: Vec<usize> = vec![0];
        let mut next_states: Vec<usize> = Vec::new();
        for &property in properties {
            next_states.clear();
            for &state in &states {
                let node = &self.nodes[state];
                let keep = node
                    .greatest_next
                    .as_deref()
                    .is_some_and(|g| utf16_cmp(property, g).is_lt());
                if keep {
                    next_states.push(state);
                }
                if let Some(&n) = node.next.get(property) {
                    next_states.push(n);
                    best = better(best, self.nodes[n].ends);
                }
            }
            next_states.sort_unstable();
            next_states.dedup();
            std::mem::swap(&mut states, &mut next_states);
        }
        best.map(|(index, _)| index)
    }
}

/// A class named by user or library code, not a V8 category or a plain container.
pub fn is_specific_class(name: &str) -> bool {
    !(name.starts_with('(')
        || name.starts_with("system / ")
        || matches!(name, "Object" | "Array" | "Map" | "Set" | "Function"))
}

/// Puts the rows of specific classes first, in their order, then V8's categories and plain
/// containers, in theirs; returns how many rows are specific.
pub fn specific_first<T>(rows: &mut [T], key: impl Fn(&T) -> &str) -> usize {
    rows.sort_by_key(|r| !is_specific_class(key(r)));
    rows.iter()
        .take_while(|r| is_specific_class(key(r)))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_names_shorten() {
        assert_eq!(shorten_tag("<div id=\"x\">"), "<div>");
        assert_eq!(shorten_tag("Detached <span class=a>"), "Detached <span>");
        assert_eq!(shorten_tag("InternalChannel"), "InternalChannel");
    }

    #[test]
    fn property_names_quote_when_ambiguous() {
        assert_eq!(format_property("severity"), "severity");
        assert_eq!(format_property("a,b"), "\"a,b\"");
    }

    #[test]
    fn subset_matching_prefers_more_properties_then_popularity() {
        let interfaces = vec![
            Interface {
                name: "{a}".into(),
                properties: vec!["a".into()],
            },
            Interface {
                name: "{a, b}".into(),
                properties: vec!["a".into(), "b".into()],
            },
            Interface {
                name: "{c, d}".into(),
                properties: vec!["c".into(), "d".into()],
            },
        ];
        let trie = Trie::build(&interfaces);
        assert_eq!(trie.best_match(&["a", "b", "c"]), Some(1));
        assert_eq!(trie.best_match(&["a", "c", "d"]), Some(2));
        assert_eq!(trie.best_match(&["a", "x"]), Some(0));
        assert_eq!(trie.best_match(&["x"]), None);
    }
}
