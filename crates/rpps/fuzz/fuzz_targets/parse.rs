//! Feeds arbitrary bytes to `RppsReader` and drains it, twice: as a whole file, and after the real
//! 56-column header (so the fuzzer reaches the line parser without having to find the header).
//! The reader must never panic, must consume every byte, and must account for every line; its
//! borrowing form (`next_borrowed`) must yield the same activities as the iterator.
//!
//! Run from crates/rpps: `RUSTC_BOOTSTRAP=1 cargo fuzz run parse -- -max_total_time=120`.
#![no_main]

use std::io::{BufReader, Cursor};

use appligarde_domain::luhn::is_valid_rpps;
use appligarde_rpps::bench_support::HEADER_56;
use appligarde_rpps::{PractitionerFingerprints, RppsReader, group_practitioners};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    drain(data);
    let mut with_header = Vec::with_capacity(HEADER_56.len() + 1 + data.len());
    with_header.extend_from_slice(HEADER_56.as_bytes());
    with_header.push(b'\n');
    with_header.extend_from_slice(data);
    drain(&with_header);
});

fn drain(bytes: &[u8]) {
    // A small, input-dependent buffer puts chunk boundaries inside lines, BOMs and CRLFs.
    let capacity = 1 + bytes.len() % 61;
    let Ok(mut reader) = RppsReader::new(BufReader::with_capacity(capacity, Cursor::new(bytes)))
    else {
        return;
    };
    let mut activities = Vec::new();
    let mut fingerprints = PractitionerFingerprints::new();
    for item in reader.by_ref() {
        let activity = item.expect("reading from memory never fails");
        assert!(is_valid_rpps(&activity.rpps), "yielded an invalid RPPS");
        assert!(
            !activity.rpps.contains('\r') && !activity.nom.contains('\n'),
            "line terminator leaked into a field"
        );
        fingerprints.add(&activity);
        activities.push(activity);
    }
    assert_eq!(
        reader.bytes_read(),
        bytes.len() as u64,
        "every byte consumed"
    );
    let report = reader.report();
    assert_eq!(
        report.records + report.filtered_out + report.malformed_total,
        report.data_lines,
        "every non-blank line accounted for"
    );
    assert_eq!(report.records, activities.len() as u64);
    // The borrowing reader yields the same activities, in the same order.
    let mut again =
        RppsReader::new(BufReader::with_capacity(capacity, Cursor::new(bytes))).expect("same header");
    let mut n = 0;
    while let Some(item) = again.next_borrowed() {
        let activity = item.expect("reading from memory never fails");
        assert_eq!(activity.to_owned_record(), activities[n], "borrowed and owned records agree");
        n += 1;
    }
    assert_eq!(n, activities.len());
    assert_eq!(again.report(), reader.report());
    let praticiens = group_practitioners(activities);
    assert_eq!(
        praticiens.len(),
        fingerprints.len(),
        "one practitioner per RPPS"
    );
}
