//! Scenario JSON: parse and validate never panic; a valid problem is placed by every strategy
//! within capacity, and survives a CSV round trip.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use packsched::scenario;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(problem) = scenario::from_json(text, "fuzz") {
        common::place_and_check(&problem);
        common::csv_round_trip(&problem);
    }
});
