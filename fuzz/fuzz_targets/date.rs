//! The partial-date parser: any text is a span of days or an error, never a panic, and a span never
//! ends before it starts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profile_export::date::DateSpan;

fuzz_target!(|text: &str| {
    if let Ok(span) = DateSpan::parse(text) {
        assert!(span.from <= span.to, "{text:?}: {span:?}");
    }
});
