//! The amount parser: any text is an exact decimal or an error, never a panic, and a parsed amount
//! prints as plain digits that parse back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profile_export::quantity::Decimal;

fuzz_target!(|text: &str| {
    if let Ok(decimal) = Decimal::parse(text) {
        let printed = decimal.to_string();
        assert!(printed.bytes().all(|b| b.is_ascii_digit() || b == b'-' || b == b'.'), "{printed}");
        assert_eq!(Decimal::parse(&printed), Ok(decimal), "{text:?} printed as {printed}");
    }
});
