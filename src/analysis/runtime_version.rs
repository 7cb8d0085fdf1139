//! The runtime version a heap snapshot carries. Node's `process` object holds its version
//! (`process.version`, `v20.20.2`) in every Node heap; the snapshot format itself records none.

use crate::model::HeapGraph;

/// `v20.20.2` when the snapshot holds Node's `process` object with a version string.
pub fn node_version(graph: &HeapGraph) -> Option<String> {
    let process = graph.strings.find("process")?;
    let version = graph.strings.find("version")?;
    (0..graph.node_count() as u32)
        .filter(|&n| graph.node_name[n as usize] == process && graph.type_name(n) == "object")
        .flat_map(|n| graph.edges(n))
        .filter(|&e| graph.edge_name(e) == version && graph.edge_type_name(e) == "property")
        .map(|e| graph.edge_to[e])
        .filter(|&to| graph.type_name(to) == "string")
        .map(|to| graph.name(to))
        .find(|v| looks_like_version(v))
        .map(str::to_string)
}

/// `v` and three dot-separated numbers: what `process.version` always is.
fn looks_like_version(text: &str) -> bool {
    let Some(numbers) = text.strip_prefix('v') else {
        return false;
    };
    let parts: Vec<&str> = numbers.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn versions_look_like_node_releases() {
        assert!(super::looks_like_version("v20.20.2"));
        assert!(!super::looks_like_version("20.20.2"));
        assert!(!super::looks_like_version("v20.x"));
        assert!(!super::looks_like_version("v1.2.3-pre"));
    }
}
