#![no_main]
//! The goroutine debug=1 reader: parsing never panics, and what parses survives the analyses `top` and `diff` run.

use leakscope::analysis::{aggregate::aggregate, GroupBy, KeyOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(profile) = leakscope::formats::goroutine_text::parse(data) {
        for by in [GroupBy::Function, GroupBy::Stack, GroupBy::Labels] {
            let _ = aggregate(
                &profile,
                profile.default_sample_index,
                by,
                &KeyOptions::default(),
            );
        }
        if let Some(dump) = &profile.goroutines {
            let _ = leakscope::model::SpawnTree::build(dump);
        }
    }
});
