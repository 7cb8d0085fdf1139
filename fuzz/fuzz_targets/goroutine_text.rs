#![no_main]
//! The goroutine debug=1 reader: parsing never panics; what parses goes through `top` and `diff`'s analyses.

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(profile) = leakscope::formats::goroutine_text::parse(data) {
        common::analyse(&profile);
    }
});
