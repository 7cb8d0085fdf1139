//! leakscope's Summary against Chrome DevTools' own numbers for the same snapshot, recorded once
//! by running DevTools' heap snapshot worker (docs/devtools-crosscheck.md says how).

mod common;

use std::collections::HashMap;

use common::*;
use serde_json::Value;

fn golden_summary() -> Value {
    serde_json::from_str(&golden("recreate-default-i0160.devtools-summary.json")).unwrap()
}

#[test]
fn totals_and_top_classes_match_devtools() {
    let golden = golden_summary();
    let f = fixture("node/recreate-default-i0160.heapsnapshot.gz");
    let report = json(&["top", path(&f), "-n", "0"]);
    assert_eq!(report["totals"]["node_count"], golden["node_count"]);
    assert_eq!(report["totals"]["edge_count"], golden["edge_count"]);
    assert_eq!(report["totals"]["total_size"], golden["total_size"]);
    assert_eq!(report["totals"]["root_retained"], golden["root_retained"]);
    let ours: HashMap<&str, &Value> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap(), r))
        .collect();
    // DevTools keeps same-named constructors from different source locations apart; leakscope
    // counts them under one name, so those rows are not compared.
    let split: Vec<&str> = golden["class_names_split_by_location"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    let mut compared = 0;
    for class in golden["classes"].as_array().unwrap().iter().take(20) {
        let name = class["name"].as_str().unwrap();
        if split.contains(&name) {
            continue;
        }
        let row = ours.get(name).unwrap_or_else(|| panic!("no row {name}"));
        assert_eq!(row["count"], class["count"], "{name} count");
        assert_eq!(row["shallow"], class["self"], "{name} shallow");
        assert_eq!(row["retained"], class["retained"], "{name} retained");
        compared += 1;
    }
    assert_eq!(compared, 20);
    // The top 20 by retained size are the same classes in the same order.
    let our_order: Vec<&str> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .take(20)
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    let their_order: Vec<&str> = golden["classes"]
        .as_array()
        .unwrap()
        .iter()
        .take(20)
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(our_order, their_order);
}

#[test]
fn retained_sizes_of_single_objects_match_devtools() {
    let golden = golden_summary();
    let f = fixture("node/recreate-default-i0160.heapsnapshot.gz");
    let mut checked = 0;
    for node in golden["top_nodes"].as_array().unwrap().iter() {
        if node["type"] == "synthetic" {
            continue;
        }
        let id = node["id"].as_u64().unwrap().to_string();
        let report = json(&["retainers", path(&f), "--id", &id]);
        assert_eq!(report["retained"], node["retained"], "object @{id}");
        checked += 1;
        if checked == 12 {
            break;
        }
    }
    assert_eq!(checked, 12);
}

/// The dominator tree near the root, both ways: every one of DevTools' 50 largest objects
/// within four levels hangs under the same dominator with the same sizes, and every object
/// leakscope shows there that is larger than the smallest of them is one of DevTools' 50.
#[test]
fn dominator_tree_matches_devtools() {
    let golden = golden_summary();
    let f = fixture("node/recreate-default-i0160.heapsnapshot.gz");
    let depth = 4;
    let report = json(&["dominators", path(&f), "--depth", "4", "-n", "60"]);
    let rows = report["rows"].as_array().unwrap();
    let top = golden["top_nodes"].as_array().unwrap();
    let by_id: HashMap<u64, &Value> = top.iter().map(|n| (n["id"].as_u64().unwrap(), n)).collect();
    let level = |mut id: u64| {
        let mut level = 0;
        while by_id[&id]["dominator_id"] != by_id[&id]["id"] {
            id = by_id[&id]["dominator_id"].as_u64().unwrap();
            level += 1;
        }
        level
    };
    // Each row's parent in the printed tree, from the depths.
    let mut parents: Vec<u64> = Vec::new();
    let mut ours: HashMap<u64, (u64, &Value)> = HashMap::new();
    for row in rows {
        let d = row["depth"].as_u64().unwrap() as usize;
        parents.truncate(d);
        let id = row["id"].as_u64().unwrap();
        let parent = parents.last().copied().unwrap_or(id);
        assert_eq!(
            row["dominator"].as_u64().unwrap(),
            parent,
            "@{id}'s dominator"
        );
        ours.insert(id, (parent, row));
        parents.push(id);
    }
    let smallest = top
        .iter()
        .map(|n| n["retained"].as_u64().unwrap())
        .min()
        .unwrap();
    let mut compared = 0;
    for node in top {
        let id = node["id"].as_u64().unwrap();
        if level(id) > depth {
            continue;
        }
        let (parent, row) = ours
            .get(&id)
            .unwrap_or_else(|| panic!("@{id} not in the tree"));
        assert_eq!(
            *parent,
            node["dominator_id"].as_u64().unwrap(),
            "@{id} dominator"
        );
        assert_eq!(row["retained"], node["retained"], "@{id} retained");
        assert_eq!(row["self_size"], node["self"], "@{id} shallow");
        compared += 1;
    }
    assert!(
        compared >= 30,
        "only {compared} of DevTools' objects within {depth} levels"
    );
    for (id, (_, row)) in &ours {
        if row["retained"].as_u64().unwrap() > smallest {
            assert!(
                by_id.contains_key(id),
                "@{id} is not among DevTools' largest"
            );
        }
    }
}
