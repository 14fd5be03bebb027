//! CSV scenarios (a nodes file, NUL, a tasks file): parse and validate never panic; a valid
//! problem is placed by every strategy within capacity and writes back to the same problem.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use packsched::scenario::csv;

fuzz_target!(|data: &[u8]| {
    let Some((nodes, tasks)) = common::two_texts(data) else {
        return;
    };
    if let Ok(problem) = csv::from_csv(nodes, "nodes", tasks, "tasks") {
        common::place_and_check(&problem);
        common::csv_round_trip(&problem);
    }
});
