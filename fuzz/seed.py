#!/usr/bin/env python3
"""Builds fuzz/corpus/<target>/ from the real fixtures: each reader starts from real files.

Large captures are cut to their first 64 KiB (the readers' early structure is what the fuzzer
mutates best); V8 snapshots are shrunk to their first nodes so that a seed still parses whole.
"""
import gzip
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CORPUS = ROOT / "fuzz" / "corpus"
CUT = 64 * 1024


def content(path):
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def put(target, name, data):
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data[:CUT] if target != "v8_snapshot" else data)


def small_snapshot(data, keep_nodes=300):
    """The first `keep_nodes` nodes of a snapshot, their edges (pointing into the kept nodes)
    and only the strings they name: a valid snapshot of a few KiB."""
    snap = json.loads(data)
    meta = snap["snapshot"]["meta"]
    nf, ef = len(meta["node_fields"]), len(meta["edge_fields"])
    edge_count_at = meta["node_fields"].index("edge_count")
    name_at = meta["node_fields"].index("name")
    edge_types = meta["edge_types"][0]
    by_index = {edge_types.index(t) for t in ("element", "hidden") if t in edge_types}
    nodes, edges = snap["nodes"], snap["edges"]
    keep = min(keep_nodes, len(nodes) // nf)
    strings, remap = [], {}

    def string(i):
        if i not in remap:
            remap[i] = len(strings)
            strings.append(snap["strings"][i][:80])
        return remap[i]

    new_nodes, new_edges, edge_pos = [], [], 0
    for n in range(keep):
        row = nodes[n * nf:(n + 1) * nf]
        count = row[edge_count_at]
        row[name_at] = string(row[name_at])
        row[edge_count_at] = min(count, 20)
        new_nodes.extend(row)
        for e in range(row[edge_count_at]):
            erow = edges[(edge_pos + e) * ef:(edge_pos + e + 1) * ef]
            if erow[2] >= keep * nf:
                erow[2] = 0
            if erow[0] not in by_index:
                erow[1] = string(erow[1])
            new_edges.extend(erow)
        edge_pos += count
    snap["nodes"], snap["edges"], snap["strings"] = new_nodes, new_edges, strings
    snap["snapshot"]["node_count"] = keep
    snap["snapshot"]["edge_count"] = len(new_edges) // ef
    for key in ("locations", "samples", "trace_function_infos", "trace_tree"):
        if key in snap:
            snap[key] = []
    return json.dumps(snap, separators=(",", ":")).encode()


def main():
    for path in sorted(FIXTURES.rglob("*")):
        if not path.is_file() or path.suffix in (".md", ".go", ".json", ""):
            continue
        name = str(path.relative_to(FIXTURES)).replace("/", "_").removesuffix(".gz")
        if ".heapsnapshot" in path.name:
            if path.name.endswith("i0010.heapsnapshot.gz"):
                put("v8_snapshot", name, small_snapshot(content(path)))
            continue
        data = content(path)
        if path.name.endswith(".pb.gz"):
            put("pprof", name, data)
        elif path.suffix == ".heap":
            put("jemalloc", name, data)
        elif data.startswith(b"goroutine profile:") or data.startswith(b"goroutineleak profile:"):
            put("goroutine_text", name, data)
        elif data.startswith(b"heap profile:"):
            put("go_heap_text", name, data)
        elif data.startswith(b"goroutine "):
            put("goroutine_traceback", name, data)
    catalogues = sorted((ROOT / "src" / "detect" / "catalog").glob("*.toml"))
    if not catalogues:
        sys.exit("fuzz/seed.py: no catalogue under src/detect/catalog to seed rules_toml with")
    for catalogue in catalogues:
        put("rules_toml", catalogue.name, catalogue.read_bytes())
    for target in sorted(p.name for p in CORPUS.iterdir()):
        print(f"{target}: {len(list((CORPUS / target).iterdir()))} seeds", file=sys.stderr)


if __name__ == "__main__":
    main()
