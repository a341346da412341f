//! How values are written for people: times in WIB, dates as dd-mm-yyyy, region codes by name,
//! numbers and rupiah in the reader's language (the domain's catalogue formats those; they are
//! re-exported here so that pages have one place to look).

pub use puskesos_domain::i18n::{format_int, format_rupiah};
use puskesos_domain::wilayah::{KodeWilayah, Wilayah};

/// A stored timestamp (milliseconds) as Indonesian western time, `dd-mm-yyyy HH:MM WIB`.
pub fn format_time(ms: i64) -> String {
    wib(ms, "%d-%m-%Y %H:%M WIB")
}

/// The day of a stored timestamp (milliseconds) in WIB, `dd-mm-yyyy`.
pub fn format_day(ms: i64) -> String {
    wib(ms, "%d-%m-%Y")
}

fn wib(ms: i64, pattern: &str) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| {
            d.with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("WIB offset"))
                .format(pattern)
                .to_string()
        })
        .unwrap_or_default()
}

/// An ISO date (`yyyy-mm-dd`) as Indonesians write it (`dd-mm-yyyy`); anything else as it is.
pub fn indonesian_date(iso: &str) -> String {
    let b = iso.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' && iso.is_ascii() {
        format!("{}-{}-{}", &iso[8..10], &iso[5..7], &iso[0..4])
    } else {
        iso.to_string()
    }
}

/// A region code by its own name ("Petirsari"), or the code when it is unknown.
pub fn region_name(code: &str) -> String {
    KodeWilayah::parse(code)
        .and_then(|k| {
            Wilayah::master()
                .get(k.as_str())
                .map(|r| r.name.to_string())
        })
        .unwrap_or_else(|| code.to_string())
}

/// A region code with the names of its parents ("Petirsari, Pracimantoro, Wonogiri, ..."), or
/// the code when it is unknown.
pub fn region_full_name(code: &str) -> String {
    KodeWilayah::parse(code)
        .and_then(|k| Wilayah::master().full_name(&k))
        .unwrap_or_else(|| code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_as_indonesians_write_them() {
        assert_eq!(indonesian_date("2026-12-03"), "03-12-2026");
        assert_eq!(indonesian_date("kemarin"), "kemarin");
        // 2026-12-03 17:30 UTC is 04-12-2026 00:30 WIB.
        assert_eq!(format_time(1_796_319_000_000), "04-12-2026 00:30 WIB");
        assert_eq!(region_name("99.99"), "99.99");
    }
}
