#![no_main]
//! The pprof protobuf reader: parsing never panics; what parses goes through `top` and `diff`'s analyses.

mod common;

use leakscope::formats::symbolize::SymbolSources;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(profile) = leakscope::formats::pprof::parse(data, &SymbolSources::default()) {
        common::analyse(&profile);
    }
});
