//! Parsing and grouping the large Go inputs. The inputs are not in git: the 100k-goroutine dump
//! is read from the shared fixtures next to the repository, the big heap pair from bench/data
//! (built by bench/run.sh). A missing input is skipped with a message.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use leakscope::analysis::{aggregate, GroupBy, KeyOptions};
use leakscope::formats::{read, ReadOptions};

fn input(relative: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "skipping: {} is not there (see bench/README.md)",
            path.display()
        );
        None
    }
}

fn goroutine_dump(c: &mut Criterion) {
    let Some(path) =
        input("../shared/fixtures/go/large/mass-watch-iter100000-goroutine-debug2.txt")
    else {
        return;
    };
    let options = ReadOptions::default();
    let mut group = c.benchmark_group("goroutine-debug2-100k");
    group.sample_size(20);
    group.bench_function("read", |b| b.iter(|| read(&path, &options).unwrap()));
    group.bench_function("read+top", |b| {
        b.iter(|| {
            let input = read(&path, &options).unwrap();
            aggregate(
                input.profile().unwrap(),
                0,
                GroupBy::Function,
                &KeyOptions::default(),
            )
        })
    });
    group.finish();
}

fn big_heap(c: &mut Criterion) {
    let Some(path) = input("bench/data/bigheap/heap-A.pb.gz") else {
        return;
    };
    let options = ReadOptions::default();
    let mut group = c.benchmark_group("heap-pprof-260k-stacks");
    group.sample_size(10);
    group.bench_function("read+top", |b| {
        b.iter(|| {
            let input = read(&path, &options).unwrap();
            let profile = input.profile().unwrap();
            let index = profile.default_sample_index;
            aggregate(profile, index, GroupBy::Function, &KeyOptions::default())
        })
    });
    group.finish();
}

criterion_group!(benches, goroutine_dump, big_heap);
criterion_main!(benches);
