#!/usr/bin/env python3
"""Independent re-implementation of Chrome DevTools' heap snapshot rules (dominators, retained
sizes, shallow sizes, Summary aggregates), used to check that the rules written down in
docs/devtools-crosscheck.md are the ones DevTools really applies.

    python3 bench/v8/devtools-rules-check.py SNAPSHOT.heapsnapshot NODES.tsv GOLDEN.json \
        --rules current|legacy

NODES.tsv and GOLDEN.json come from bench/v8/devtools-summary.mjs (--dump-nodes / OUT.json) run
with the matching DevTools version: `current` = chrome-devtools-frontend 1.0.1705227 (2025/26),
`legacy` = 1.0.1155899 (mid-2023). Compares, for every node, self size, retained size and
immediate dominator, then the Summary rows of the golden. Plain Python 3, no dependencies; reads
the whole JSON into memory (fine for the 12 MB fixtures, not for the 0.5 GB benchmark).
Exit status 0 when everything matches.

With --rules legacy the exact dominators differ from what DevTools 1.0.1155899 printed; add
--legacy-worklist to reproduce that version's (inexact) dominator iteration as well.
"""
import argparse
import gzip
import json
import re
import sys


def load(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rt', encoding='utf-8') as f:
        return json.load(f)


def cooper_harvey_kennedy(root, post, po, preds, idom):
    """Exact dominators (Cooper, Harvey, Kennedy 2001), every node revisited until nothing changes."""
    def intersect(x, y):
        while x != y:
            while po[x] < po[y]:
                x = idom[x]
            while po[y] < po[x]:
                y = idom[y]
        return x

    changed = True
    while changed:
        changed = False
        for v in reversed(post):
            if v == root:
                continue
            new = -1
            for p in preds[v]:
                if idom[p] == -1:
                    continue
                new = p if new == -1 else intersect(p, new)
            if new != idom[v]:
                idom[v] = new
                changed = True


def legacy_dominators(n, root, post, po, first, etype, eto, essential, page, idom, SHORTCUT, WEAK):
    """DevTools <= 2024 (HeapSnapshot.buildDominatorTree): the same iteration, but a node is only
    re-evaluated when the dominator of one of its direct retainers changed (the `affected`
    array), which can leave a dominator too low. Reproduced here to explain its output."""
    rets = [[] for _ in range(n)]
    for u in range(n):
        for e in range(first[u], first[u + 1]):
            rets[eto[e]].append((u, e))
    N = len(post)
    root_po = N - 1
    NO = N
    dom = [NO] * N
    dom[root_po] = root_po
    affected = bytearray(N)
    for e in range(first[root], first[root + 1]):
        if etype[e] != WEAK:
            affected[po[eto[e]]] = 1
    changed = True
    while changed:
        changed = False
        for p in range(root_po - 1, -1, -1):
            if not affected[p]:
                continue
            affected[p] = 0
            if dom[p] == root_po:
                continue
            v = post[p]
            new = NO
            orphan = True
            for u, e in rets[v]:
                t = etype[e]
                if t == WEAK or (t == SHORTCUT and u != root):
                    continue
                orphan = False
                if u != root and page[v] and not page[u]:
                    continue
                r = po[u]
                if dom[r] != NO:
                    if new == NO:
                        new = r
                    else:
                        while r != new:
                            while r < new:
                                r = dom[r]
                            while new < r:
                                new = dom[new]
                    if new == root_po:
                        break
            if orphan:
                new = root_po
            if new != NO and dom[p] != new:
                dom[p] = new
                changed = True
                for e in range(first[v], first[v + 1]):
                    affected[po[eto[e]]] = 1
    for p in range(N):
        idom[post[p]] = post[dom[p]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('snapshot')
    ap.add_argument('nodes_tsv')
    ap.add_argument('golden')
    ap.add_argument('--rules', choices=['current', 'legacy'], required=True)
    ap.add_argument('--legacy-worklist', action='store_true',
                    help='compute dominators like DevTools <= 2024 did (inexact), see legacy_dominators')
    a = ap.parse_args()
    current = a.rules == 'current'

    snap = load(a.snapshot)
    meta = snap['snapshot']['meta']
    nf = len(meta['node_fields'])
    ef = len(meta['edge_fields'])
    ntypes = meta['node_types'][0]
    etypes = meta['edge_types'][0]
    nodes = snap['nodes']
    edges = snap['edges']
    strings = snap['strings']
    n = len(nodes) // nf
    f_type, f_name, f_id, f_size, f_ec = (meta['node_fields'].index(k) for k in
                                          ('type', 'name', 'id', 'self_size', 'edge_count'))
    e_type, e_name, e_to = (meta['edge_fields'].index(k) for k in ('type', 'name_or_index', 'to_node'))
    T = {t: i for i, t in enumerate(ntypes)}
    E = {t: i for i, t in enumerate(etypes)}
    root = snap['snapshot'].get('root_index', 0) // nf

    ntype = nodes[f_type::nf]
    nname = nodes[f_name::nf]
    nid = nodes[f_id::nf]
    self_size = list(nodes[f_size::nf])
    first = [0] * (n + 1)
    acc = 0
    for i, c in enumerate(nodes[f_ec::nf]):
        first[i] = acc
        acc += c
    first[n] = acc
    etype = edges[e_type::ef]
    ename = edges[e_name::ef]
    eto = [t // nf for t in edges[e_to::ef]]
    m = len(etype)
    WEAK, SHORTCUT, INTERNAL, ELEMENT = E['weak'], E['shortcut'], E['internal'], E['element']

    # Page-owned objects: everything reachable from the root's shortcut targets (the global
    # object) and from "(Document DOM trees)" through non-weak edges.
    page = bytearray(n)
    stack = []
    for e in range(first[root], first[root + 1]):
        t = eto[e]
        if etype[e] == SHORTCUT or (etype[e] == ELEMENT and ntype[t] == T['synthetic']
                                    and strings[nname[t]] == '(Document DOM trees)'):
            page[t] = 1
            stack.append(t)
    while stack:
        u = stack.pop()
        for e in range(first[u], first[u + 1]):
            t = eto[e]
            if not page[t] and etype[e] != WEAK:
                page[t] = 1
                stack.append(t)

    # Current versions: JSHeapSnapshot.calculateShallowSizes moves the size of hidden/array nodes
    # (and native 'system / ExternalStringData') reachable from exactly one "owner" object onto it.
    if current and any(ntype[eto[e]] != T['synthetic'] for e in range(first[root], first[root + 1])):
        UNVISITED, MULTI = -1, -2
        owner = [0] * n
        work = []
        for i in range(n):
            t = ntype[i]
            if t == T['hidden'] or t == T['array'] or (t == T['native'] and strings[nname[i]] == 'system / ExternalStringData'):
                owner[i] = UNVISITED
            else:
                owner[i] = i
                work.append(i)
        while work:
            u = work.pop()
            o = owner[u]
            for e in range(first[u], first[u + 1]):
                if etype[e] == WEAK:
                    continue
                t = eto[e]
                ot = owner[t]
                if ot == UNVISITED:
                    owner[t] = o
                    work.append(t)
                elif ot == t or ot == o or ot == MULTI:
                    pass
                else:
                    owner[t] = MULTI
                    work.append(t)
        for i in range(n):
            o = owner[i]
            if o >= 0 and o != i and ntype[o] != T['synthetic'] and o != root:
                self_size[o] += self_size[i]
                self_size[i] = 0

    # Edges used for dominators.
    wm_re = re.compile(r'^\d+ / part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(\d+)\)$')
    essential = bytearray(m)
    for u in range(n):
        for e in range(first[u], first[u + 1]):
            t, v = etype[e], eto[e]
            if t == WEAK:
                continue
            if current:
                if t == INTERNAL:
                    mm = wm_re.match(strings[ename[e]])
                    if mm and int(mm.group(1)) == nid[u]:
                        continue
                if v == u:
                    continue
            if u != root:
                if t == SHORTCUT:
                    continue
                if page[v] and not page[u]:
                    continue
            essential[e] = 1

    # Dominators: DFS post-order from the root, then Cooper/Harvey/Kennedy.
    post = []
    po = [-1] * n
    seen = bytearray(n)
    seen[root] = 1
    stack = [(root, first[root])]
    while stack:
        u, e = stack[-1]
        end = first[u + 1]
        while e < end and (not essential[e] or seen[eto[e]]):
            e += 1
        if e < end:
            stack[-1] = (u, e + 1)
            v = eto[e]
            seen[v] = 1
            stack.append((v, first[v]))
        else:
            stack.pop()
            po[u] = len(post)
            post.append(u)
    unreachable = [i for i in range(n) if not seen[i]]
    preds = [[] for _ in range(n)]
    for u in range(n):
        if not seen[u]:
            continue
        for e in range(first[u], first[u + 1]):
            if essential[e]:
                preds[eto[e]].append(u)
    idom = [-1] * n
    idom[root] = root
    if a.legacy_worklist:
        legacy_dominators(n, root, post, po, first, etype, eto, essential, page, idom, SHORTCUT, WEAK)
    else:
        cooper_harvey_kennedy(root, post, po, preds, idom)
    for v in unreachable:  # hung off the root
        idom[v] = root
    retained = [float(s) for s in self_size]
    for v in post:
        if v != root:
            retained[idom[v]] += retained[v]
    for v in unreachable:
        retained[root] += retained[v]

    # Compare with DevTools, node by node.
    dt = {}
    with open(a.nodes_tsv) as f:
        next(f)
        for line in f:
            i, typ, cls, s, r, d, dist = line.rstrip('\n').split('\t')
            dt[int(i)] = (typ, json.loads(cls), int(s), float(r), int(d))
    bad_self = bad_ret = bad_dom = 0
    examples = []
    for i in range(n):
        typ, cls, s, r, d = dt[nid[i]]
        if s != self_size[i]:
            bad_self += 1
        if abs(r - retained[i]) > 0.5:
            bad_ret += 1
            if len(examples) < 5:
                examples.append((nid[i], typ, cls, r, retained[i]))
        if d != nid[idom[i]]:
            bad_dom += 1
    print(f'{n} nodes, {m} edges, {len(unreachable)} unreachable via essential edges; '
          f'skipped edges: {m - sum(essential)}; page objects: {sum(page)}')
    print(f'mismatches vs DevTools: self {bad_self}, retained {bad_ret}, dominator {bad_dom}')
    for ex in examples:
        print('  e.g. id', ex)

    # Summary rows: class per node as DevTools names it (from the TSV), aggregation rules here.
    cls_of = [dt[nid[i]][1] for i in range(n)]
    counted = [(self_size[i] > 0) or (not current and ntype[i] == T['native']) for i in range(n)]
    agg = {}
    for i in range(n):
        if counted[i]:
            c = agg.setdefault(cls_of[i], [0, 0, 0.0])
            c[0] += 1
            c[1] += self_size[i]
    children = [[] for _ in range(n)]
    for v in range(n):
        if v != root:
            children[idom[v]].append(v)
    # Class retained size = sum over class members that have no dominator-tree ancestor of the
    # same class (DevTools: calculateClassesRetainedSize).
    active = {}
    stack = [(root, False)]
    while stack:
        v, leaving = stack.pop()
        c = cls_of[v]
        if leaving:
            active[c] -= 1
            continue
        if counted[v] and not active.get(c):
            agg[c][2] += retained[v]
            active[c] = active.get(c, 0) + 1
            stack.append((v, True))
        elif counted[v]:
            pass
        stack.extend((w, False) for w in children[v])
    golden = json.load(open(a.golden))
    split = {r['name'] for r in golden.get('class_names_split_by_location', [])}
    bad_rows = 0
    checked = 0
    for row in golden['classes']:
        if row['name'] in split:
            continue  # DevTools keys these by constructor location as well; not modelled here
        checked += 1
        mine = agg.get(row['name'])
        if not mine or mine[0] != row['count'] or mine[1] != row['self'] or abs(mine[2] - row['retained']) > 0.5:
            bad_rows += 1
            print('  class mismatch', row, mine)
    print(f'Summary rows checked: {checked}, mismatches: {bad_rows}; '
          f'total {retained[root]:.0f} vs golden {golden["total_size"]}')
    ok = bad_self == bad_ret == bad_dom == bad_rows == 0 and abs(retained[root] - golden['root_retained']) < 0.5
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
