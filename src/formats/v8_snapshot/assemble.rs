//! Builds the graph from the tokenizer's events: nodes and edges into the struct-of-arrays
//! `HeapGraph`, then the checks that every record is whole and every reference in range.

use super::*;

pub(super) fn assemble(
    inbox: std::sync::mpsc::Receiver<(u64, Event)>,
    credit: std::sync::mpsc::SyncSender<()>,
    spares: &Spares,
    size_hint: u64,
) -> Result<HeapGraph, FormatError> {
    let mut graph = HeapGraph::default();
    let mut meta: Option<Box<SnapshotMeta>> = None;
    // Edge counts now, the first edge of each node once all are in (one array, one more entry).
    let mut first_edge: Vec<u32> = Vec::new();
    let mut edge_to: Vec<u32> = Vec::new();
    let mut seen_strings = false;
    // The array being read: its key, where it starts, and the values seen so far.
    let mut array = (String::new(), 0u64, 0u64);
    let mut location = ([0u32; 4], 0usize);
    // Runs come back from the workers out of order: each waits here for its turn.
    let mut early: std::collections::BTreeMap<u64, Event> = Default::default();
    let mut next = 1u64;

    loop {
        let event = match early.remove(&next) {
            Some(event) => event,
            None => match inbox.recv() {
                Ok((seq, event)) if seq != next => {
                    early.insert(seq, event);
                    continue;
                }
                Ok((_, event)) => event,
                Err(_) if early.is_empty() => break,
                // A sender stopped without its part: only the tokenizer's error can say why.
                Err(_) => return Err(cancelled()),
            },
        };
        next += 1;
        match event {
            Event::Key(key, key_at) => {
                if let Some(m) = &meta {
                    reserve(
                        &mut graph,
                        &mut first_edge,
                        &mut edge_to,
                        m,
                        &key,
                        size_hint,
                    );
                }
                array = (key, key_at, 0);
            }
            Event::Meta(m) => {
                graph.node_type_names = m.node_type_names.clone();
                graph.edge_type_names = m.edge_type_names.clone();
                meta = Some(m);
            }
            Event::Nodes(parsed) => {
                let c = parsed.columns;
                graph.node_type.extend_from_slice(&c.node_type);
                graph.node_name.extend_from_slice(&c.name);
                graph.node_id.extend_from_slice(&c.id);
                graph.node_self_size.append(&c.self_size);
                first_edge.extend_from_slice(&c.edge_count);
                if let Some(d) = graph.node_detachedness.as_mut() {
                    d.extend_from_slice(&c.detachedness);
                }
                spares.give_nodes(c);
                array.2 += parsed.values;
                check_not_over(&array, meta.as_deref())?;
                let _ = credit.try_send(());
            }
            Event::Edges(parsed) => {
                let c = parsed.columns;
                let before = graph.edge_type_and_name.len() as u32;
                graph.edge_type_and_name.extend_from_slice(&c.type_and_name);
                graph.large_edge_names.extend(
                    c.large_names
                        .iter()
                        .map(|&(record, name)| (before + record, name)),
                );
                edge_to.extend_from_slice(&c.to);
                spares.give_edges(c);
                array.2 += parsed.values;
                check_not_over(&array, meta.as_deref())?;
                let _ = credit.try_send(());
            }
            Event::Values(parsed) => {
                if let Some(m) = &meta {
                    if array.0 == "locations" {
                        add_locations(&mut graph, &mut location, m, &parsed.columns);
                    }
                }
                array.2 += parsed.values;
                let _ = credit.try_send(());
            }
            Event::ArrayEnd => {
                let (key, key_at, values) = &array;
                if let Some((record, width, declared)) = declared(key, meta.as_deref()) {
                    check_count(*key_at, record, width, declared, *values)?;
                }
            }
            Event::Strings(strings) => {
                graph.strings = strings;
                seen_strings = true;
            }
            Event::Failed(e) => return Err(e),
        }
    }

    let meta = meta.ok_or_else(|| FormatError::new("no `snapshot` meta in the file"))?;
    let declared = meta.header.node_count;
    if graph.node_type.len() as u64 != declared || declared == 0 {
        return Err(FormatError::new(format!(
            "the snapshot has no `nodes` array for the {declared} nodes its meta declares"
        )));
    }
    if !seen_strings {
        return Err(FormatError::new("the snapshot has no `strings` array"));
    }
    finish(graph, first_edge, edge_to)
}

/// Reserves the arrays `key` fills, never more than the input can hold whatever the header
/// claims: each value takes at least two bytes ("0,").
fn reserve(
    graph: &mut HeapGraph,
    first_edge: &mut Vec<u32>,
    edge_to: &mut Vec<u32>,
    meta: &SnapshotMeta,
    key: &str,
    size_hint: u64,
) {
    match key {
        "nodes" => {
            let width = meta.nodes.width as u64;
            let n = bounded(meta.header.node_count, size_hint / (2 * width.max(1)));
            graph.node_type.reserve(n);
            graph.node_name.reserve(n);
            graph.node_id.reserve(n);
            graph.node_self_size.reserve(n);
            if meta.nodes.detached_at.is_some() {
                graph.node_detachedness = Some(Vec::with_capacity(n));
            }
            first_edge.reserve(n + 1);
        }
        "edges" => {
            let width = meta.edges.width as u64;
            let m = bounded(meta.header.edge_count, size_hint / (2 * width.max(1)));
            graph.edge_type_and_name.reserve(m);
            edge_to.reserve(m);
        }
        _ => {}
    }
}

/// `locations` records of four values (node offset, script, line, column); other layouts are
/// not read. `pending` carries a record cut between two runs.
fn add_locations(
    graph: &mut HeapGraph,
    pending: &mut ([u32; 4], usize),
    meta: &SnapshotMeta,
    values: &[u64],
) {
    if meta.header.meta.location_fields.len() != 4 {
        return;
    }
    let node_width = meta.nodes.width as u64;
    let (record, field) = pending;
    for &value in values {
        let value = if *field == 0 {
            value / node_width.max(1)
        } else {
            value
        };
        record[*field] = u32::try_from(value).unwrap_or(u32::MAX);
        *field += 1;
        if *field == 4 {
            *field = 0;
            graph.locations.push(*record);
        }
    }
}

/// For `nodes` and `edges`: the record's name, its width and how many the meta declares.
fn declared(key: &str, meta: Option<&SnapshotMeta>) -> Option<(&'static str, u64, u64)> {
    let m = meta?;
    match key {
        "nodes" => Some(("node", m.nodes.width as u64, m.header.node_count)),
        "edges" => Some(("edge", m.edges.width as u64, m.header.edge_count)),
        _ => None,
    }
}

/// Stops reading an array that already holds more records than the meta declares (memory was
/// reserved, and the limit checked, for the declared counts).
fn check_not_over(
    (key, key_at, values): &(String, u64, u64),
    meta: Option<&SnapshotMeta>,
) -> Result<(), FormatError> {
    let Some((record, width, declared)) = declared(key, meta) else {
        return Ok(());
    };
    if *values > declared.saturating_mul(width) {
        return Err(FormatError::at_byte(
            *key_at,
            format!("the meta says {declared} {record}s but `{record}s` holds more"),
        ));
    }
    Ok(())
}

/// The array held whole records, as many as the meta declares.
fn check_count(
    key_at: u64,
    record: &str,
    width: u64,
    declared: u64,
    values: u64,
) -> Result<(), FormatError> {
    if !values.is_multiple_of(width) {
        return Err(FormatError::at_byte(
            key_at,
            format!(
                "`{record}s` ends inside a record: its {values} values are not a multiple of the {width} {record} fields"
            ),
        ));
    }
    if values / width != declared {
        return Err(FormatError::at_byte(
            key_at,
            format!(
                "the meta says {declared} {record}s but `{record}s` holds {}",
                values / width
            ),
        ));
    }
    Ok(())
}

fn bounded(declared: u64, possible: u64) -> usize {
    declared.min(possible).min(u32::MAX as u64) as usize
}

/// Cross-checks the arrays against each other and turns edge counts and `to_node` offsets into
/// the graph's CSR form.
fn finish(
    mut graph: HeapGraph,
    mut first_edge: Vec<u32>,
    edge_to: Vec<u32>,
) -> Result<HeapGraph, FormatError> {
    let n = graph.node_type.len();
    let m = graph.edge_type_and_name.len();
    if edge_to.len() != m {
        return Err(FormatError::new("the snapshot has no `edges` array"));
    }
    // Edge counts become offsets in place.
    let mut total: u64 = 0;
    for slot in first_edge.iter_mut() {
        let count = u64::from(*slot);
        *slot = total as u32;
        total += count;
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
    // Most snapshots (all of Node's) say nothing of detachedness: all zeros are as good as none.
    if graph
        .node_detachedness
        .as_ref()
        .is_some_and(|d| d.iter().all(|&state| state == 0))
    {
        graph.node_detachedness = None;
    }
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

/// Named edges name an existing string (types were checked as the edges were parsed).
fn check_edge_names(graph: &HeapGraph) -> Result<(), FormatError> {
    let strings = graph.strings.len() as u64;
    let by_index: Vec<bool> = graph
        .edge_type_names
        .iter()
        .map(|t| t == "element" || t == "hidden")
        .collect();
    for i in 0..graph.edge_count() {
        let name = graph.edge_name(i);
        if !by_index[graph.edge_type(i) as usize] && u64::from(name) >= strings {
            return Err(FormatError::new(format!(
                "edge {i} names string {name}, past the {strings} strings"
            )));
        }
    }
    Ok(())
}
