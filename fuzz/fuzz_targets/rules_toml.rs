#![no_main]
//! User rules files (`--rules`): any text gives entries or an error with a place, never a panic.

use leakscope::detect::Catalogue;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Catalogue::default().add_text(text);
    }
});
