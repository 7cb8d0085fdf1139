//! What every stack-profile target does with an input that parses: the analyses `top` and
//! `diff` run on it.

use leakscope::analysis::{aggregate::aggregate, GroupBy, KeyOptions};
use leakscope::model::Profile;

pub fn analyse(profile: &Profile) {
    for by in [GroupBy::Function, GroupBy::Stack, GroupBy::Labels] {
        let _ = aggregate(
            profile,
            profile.default_sample_index,
            by,
            &KeyOptions::default(),
        );
    }
    if let Some(dump) = &profile.goroutines {
        let _ = leakscope::model::SpawnTree::build(dump);
    }
}
