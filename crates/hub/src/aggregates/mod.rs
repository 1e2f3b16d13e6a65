//! Daily aggregates: the idempotent upload by an enrolled PC and the statistics read by users.
//!
//! The table keeps, for each (MMG, PC, date, slot), the highest revision that PC sent. The
//! statistics sum the rows of all the PCs of an MMG for one date and slot: an MMG with two PCs
//! counts the consultations of both.
//!
//! This file only declares the parts and re-exports their public items (the paths
//! `appligarde_hub::aggregates::...` of tests and benches):
//! - `totals`: [`MonthTotal`], [`add_counts`], [`month_of`], shared by both paths;
//! - `upload`: [`upload`] and the monthly pre-aggregates ([`rebuild_month`]);
//! - `read`: daily rows, monthly rows and the day view for the dashboard;
//! - `indicators`: the derived indicators (regulated share, waiting quantiles) of
//!   `appligarde_domain::indicateurs`, computed from summed counts;
//! - `doctors`: one MMG's activity per doctor.

mod doctors;
mod indicators;
mod read;
mod totals;
mod upload;

pub use self::doctors::{DoctorRow, DoctorStats, doctor_label, doctor_stats};
pub use self::indicators::{BucketQuantiles, Indicators};
pub use self::read::{
    DayRow, DaysStats, MAX_DAYS_RANGE_DAYS, MAX_MONTHLY_RANGE_DAYS, MAX_RANGE_DAYS, MmgDays,
    daily_stats, days_stats, days_stats_selected, monthly_stats, monthly_stats_selected,
};
pub use self::totals::{MonthTotal, add_counts, month_of};
pub use self::upload::{
    MAX_BATCH, WriteStrategy, rebuild_missing_months, rebuild_month, upload, upload_with,
    write_month,
};
pub use crate::ids::is_uuid;
