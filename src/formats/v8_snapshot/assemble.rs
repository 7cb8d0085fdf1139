//! Builds the graph from the tokenizer's events: nodes and edges into the struct-of-arrays
//! `HeapGraph`, then the checks that every record is whole and every reference in range.

use super::*;

pub(super) fn assemble(
    inbox: &std::sync::mpsc::Receiver<Event>,
    recycle: &Recycling,
    size_hint: u64,
) -> Result<HeapGraph, FormatError> {
    let mut graph = HeapGraph::default();
    let mut header: Option<Header> = None;
    let mut node_layout: Vec<NodeField> = Vec::new();
    let mut edge_layout: Vec<EdgeField> = Vec::new();
    let mut edge_counts: Vec<u32> = Vec::new();
    let mut edge_to: Vec<u32> = Vec::new();
    let mut seen_strings = false;

    while let Ok(event) = inbox.recv() {
        let Event::Key(key, key_at) = event else {
            return Err(FormatError::new("internal: snapshot events out of order"));
        };
        match key.as_str() {
            "snapshot" => {
                let Ok(Event::Meta(raw)) = inbox.recv() else {
                    return Err(cancelled());
                };
                let h: Header = serde_json::from_slice(&raw).map_err(|e| {
                    FormatError::at_byte(key_at, format!("malformed snapshot meta: {e}"))
                })?;
                node_layout = node_fields(&h.meta).map_err(|m| FormatError::at_byte(key_at, m))?;
                edge_layout = edge_fields(&h.meta).map_err(|m| FormatError::at_byte(key_at, m))?;
                graph.node_type_names = type_names(&h.meta.node_types).ok_or_else(|| {
                    FormatError::at_byte(key_at, "meta.node_types[0] is not a list of names")
                })?;
                graph.edge_type_names = type_names(&h.meta.edge_types).ok_or_else(|| {
                    FormatError::at_byte(key_at, "meta.edge_types[0] is not a list of names")
                })?;
                header = Some(h);
            }
            "nodes" => {
                let h = header.as_ref().ok_or_else(|| {
                    FormatError::at_byte(key_at, "`nodes` comes before the snapshot meta")
                })?;
                // Each value takes at least two bytes ("0,"): never reserve more than the
                // input can hold, whatever the header claims.
                let width = node_layout.len() as u64;
                let n = bounded(h.node_count, size_hint / (2 * width.max(1)));
                reserve_nodes(
                    &mut graph,
                    n,
                    node_layout.contains(&NodeField::Detachedness),
                );
                edge_counts.reserve(n);
                drain_records(
                    inbox,
                    recycle,
                    key_at,
                    "node",
                    &node_layout,
                    h.node_count,
                    |field, value| {
                        let v32 = || u32::try_from(value).map_err(|_| out_of_range("value", value));
                        match field {
                            NodeField::Type => graph.node_type.push(
                                u8::try_from(value).map_err(|_| out_of_range("type", value))?,
                            ),
                            NodeField::Name => graph.node_name.push(v32()?),
                            NodeField::Id => graph.node_id.push(v32()?),
                            NodeField::SelfSize => graph.node_self_size.push(value),
                            NodeField::EdgeCount => edge_counts.push(v32()?),
                            NodeField::Detachedness => {
                                if let Some(d) = graph.node_detachedness.as_mut() {
                                    d.push(value.min(u64::from(u8::MAX)) as u8)
                                }
                            }
                            NodeField::Other => {}
                        }
                        Ok(())
                    },
                )?;
            }
            "edges" => {
                let h = header.as_ref().ok_or_else(|| {
                    FormatError::at_byte(key_at, "`edges` comes before the snapshot meta")
                })?;
                let width = edge_layout.len() as u64;
                let m = bounded(h.edge_count, size_hint / (2 * width.max(1)));
                graph.edge_type.reserve(m);
                graph.edge_name.reserve(m);
                edge_to.reserve(m);
                let node_width = node_layout.len() as u64;
                let node_count = graph.node_type.len() as u64;
                drain_records(
                    inbox,
                    recycle,
                    key_at,
                    "edge",
                    &edge_layout,
                    h.edge_count,
                    |field, value| {
                        match field {
                            EdgeField::Type => graph.edge_type.push(
                                u8::try_from(value).map_err(|_| out_of_range("type", value))?,
                            ),
                            EdgeField::NameOrIndex => graph.edge_name.push(
                                u32::try_from(value).map_err(|_| out_of_range("value", value))?,
                            ),
                            // `to_node` is an offset into `nodes`: it must start a node record.
                            EdgeField::ToNode => {
                                let to = value / node_width;
                                if to * node_width != value || to >= node_count {
                                    return Err(format!(
                                        "points to node offset {value}, which is not the start of one of the {node_count} nodes"
                                    ));
                                }
                                edge_to.push(to as u32)
                            }
                            EdgeField::Other => {}
                        }
                        Ok(())
                    },
                )?;
            }
            "locations" => {
                let h = header.as_ref().ok_or_else(|| {
                    FormatError::at_byte(key_at, "`locations` comes before the snapshot meta")
                })?;
                let width = h.meta.location_fields.len() as u64;
                let node_width = node_layout.len() as u64;
                let mut record = [0u32; 4];
                let locations = &mut graph.locations;
                let mut field = 0usize;
                drain_array(inbox, recycle, |value, _| {
                    if width == 4 {
                        let value = if field == 0 {
                            value / node_width.max(1)
                        } else {
                            value
                        };
                        record[field] = u32::try_from(value).unwrap_or(u32::MAX);
                        field += 1;
                        if field == 4 {
                            field = 0;
                            locations.push(record);
                        }
                    }
                    Ok(())
                })?;
            }
            "strings" => {
                let Ok(Event::Strings(strings)) = inbox.recv() else {
                    return Err(cancelled());
                };
                graph.strings = strings;
                seen_strings = true;
            }
            _ => {}
        }
    }

    let header = header.ok_or_else(|| FormatError::new("no `snapshot` meta in the file"))?;
    if graph.node_type.len() as u64 != header.node_count || header.node_count == 0 {
        return Err(FormatError::new(format!(
            "the snapshot has no `nodes` array for the {} nodes its meta declares",
            header.node_count
        )));
    }
    if !seen_strings {
        return Err(FormatError::new("the snapshot has no `strings` array"));
    }
    finish(graph, &edge_counts, edge_to)
}

fn bounded(declared: u64, possible: u64) -> usize {
    declared.min(possible).min(u32::MAX as u64) as usize
}

fn reserve_nodes(graph: &mut HeapGraph, n: usize, detachedness: bool) {
    graph.node_type.reserve(n);
    graph.node_name.reserve(n);
    graph.node_id.reserve(n);
    graph.node_self_size.reserve(n);
    if detachedness {
        graph.node_detachedness = Some(Vec::with_capacity(n));
    }
}

/// Cross-checks the arrays against each other and turns edge counts and `to_node` offsets into
/// the graph's CSR form.
fn finish(
    mut graph: HeapGraph,
    edge_counts: &[u32],
    edge_to: Vec<u32>,
) -> Result<HeapGraph, FormatError> {
    let n = graph.node_type.len();
    let m = graph.edge_type.len();
    if edge_to.len() != m {
        return Err(FormatError::new("the snapshot has no `edges` array"));
    }
    let mut first_edge = Vec::with_capacity(n + 1);
    let mut total: u64 = 0;
    for &c in edge_counts {
        first_edge.push(total as u32);
        total += u64::from(c);
        if total > m as u64 {
            break;
        }
    }
    if total != m as u64 {
        return Err(FormatError::new(format!(
            "the nodes' edge counts add up to {total} but `edges` holds {m} edges"
        )));
    }
    first_edge.push(total as u32);
    graph.first_edge = first_edge;
    graph.edge_to = edge_to;
    // The edges' names are checked on the other core while the nodes' are checked here.
    let edges_checked = std::thread::scope(|scope| {
        let edges = scope.spawn(|| check_edge_names(&graph));
        check_nodes(&graph)?;
        edges.join().expect("no panic")
    });
    edges_checked?;
    graph.locations.retain(|l| (l[0] as usize) < n);
    Ok(graph)
}

/// Every node's name and type index exist.
fn check_nodes(graph: &HeapGraph) -> Result<(), FormatError> {
    let strings = graph.strings.len() as u64;
    if let Some((i, name)) = graph
        .node_name
        .iter()
        .enumerate()
        .find(|(_, &s)| u64::from(s) >= strings)
    {
        return Err(FormatError::new(format!(
            "node {i} names string {name}, past the {strings} strings"
        )));
    }
    let node_types = graph.node_type_names.len();
    if let Some((i, t)) = graph
        .node_type
        .iter()
        .enumerate()
        .find(|(_, &t)| t as usize >= node_types)
    {
        return Err(FormatError::new(format!(
            "node {i} has type {t}, past the {node_types} node types"
        )));
    }
    Ok(())
}

/// Every edge's type exists, and named edges name an existing string.
fn check_edge_names(graph: &HeapGraph) -> Result<(), FormatError> {
    let strings = graph.strings.len() as u64;
    let edge_types = graph.edge_type_names.len();
    let by_index: Vec<bool> = graph
        .edge_type_names
        .iter()
        .map(|t| t == "element" || t == "hidden")
        .collect();
    for (i, (&t, &name)) in graph.edge_type.iter().zip(&graph.edge_name).enumerate() {
        if t as usize >= edge_types {
            return Err(FormatError::new(format!(
                "edge {i} has type {t}, past the {edge_types} edge types"
            )));
        }
        if !by_index[t as usize] && u64::from(name) >= strings {
            return Err(FormatError::new(format!(
                "edge {i} names string {name}, past the {strings} strings"
            )));
        }
    }
    Ok(())
}
