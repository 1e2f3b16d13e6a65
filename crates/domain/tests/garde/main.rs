//! Tests of the garde clock (holidays, PDSA periods, opening slots), the tariff table and the
//! cotation engine. One test binary, one module per subject.
#![allow(clippy::unwrap_used)]

mod bornes;
mod calendrier_pdsa;
mod compta;
mod cotation;
mod feries;
mod tarifs;

use chrono::{NaiveDate, NaiveDateTime};

/// "2025-04-21 23:40" -> local date-time.
pub fn dt(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
}

/// "2025-04-21" -> date.
pub fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}
