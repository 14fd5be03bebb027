//! Kubernetes quantities: parse never panics; what parses prints back to the same value, and
//! its whole and milli values agree with each other and with the float value.

#![no_main]

use libfuzzer_sys::fuzz_target;
use packsched::k8s::Quantity;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(q) = Quantity::parse(text) else {
        return;
    };
    let printed = q.to_string();
    assert_eq!(
        Quantity::parse(&printed),
        Ok(q),
        "{text:?} printed as {printed:?}"
    );
    let (value, milli) = (q.value(), q.milli_value());
    if let (Ok(v), Ok(m)) = (&value, &milli) {
        // v = ceil(x), m = ceil(1000 x): 1000 (v - 1) < m <= 1000 v.
        let (v, m) = (i128::from(*v), i128::from(*m));
        assert!(
            1000 * (v - 1) < m && m <= 1000 * v,
            "{text:?}: value {v}, milli {m}"
        );
        // x may underflow to 0 (2e-810 has value 1): ceil(x) - x <= 1 in floats.
        let x = q.to_f64();
        let slack = 1e-9 * x.abs();
        assert!(
            v as f64 - x <= 1.0 + slack && v as f64 >= x - slack,
            "{text:?}: {v} vs {x}"
        );
    }
    if q.is_negative() {
        assert!(
            value.is_err() && milli.is_err(),
            "{text:?}: a negative amount was accepted"
        );
    }
});
