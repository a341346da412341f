//! What a dashboard address asks for (`?desa=&rw=&rt=&dari=&sampai=&bulan=`) and how it is read
//! into the storage filter; a value that cannot be read names its field, so the page can say
//! which one is wrong.

use chrono::NaiveDate;
use puskesos_storage::figures::{self, Filter};
use serde::Deserialize;

/// Query of the dashboard pages and their exports.
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    pub desa: Option<String>,
    pub rw: Option<String>,
    pub rt: Option<String>,
    pub dari: Option<String>,
    pub sampai: Option<String>,
    pub format: Option<String>,
    pub urut: Option<String>,
    pub bulan: Option<String>,
}

impl Params {
    /// The value given for a filter field (for the error that names it).
    pub fn given(&self, field: &str) -> Option<&str> {
        non_empty(match field {
            "rw" => &self.rw,
            "rt" => &self.rt,
            "dari" => &self.dari,
            "sampai" => &self.sampai,
            _ => &self.bulan,
        })
    }
}

pub fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The filter asked for, or the name of the field whose value is wrong.
pub fn filter_of(p: &Params) -> Result<Filter, &'static str> {
    let date = |s: &Option<String>, field| match non_empty(s) {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| field),
    };
    let code = |s: &Option<String>, field| match non_empty(s) {
        None => Ok(None),
        Some(v) if v.len() <= 3 && v.chars().all(|c| c.is_ascii_digit()) => {
            Ok(Some(format!("{:0>3}", v)))
        }
        Some(_) => Err(field),
    };
    let f = Filter {
        rw: code(&p.rw, "rw")?,
        rt: code(&p.rt, "rt")?,
        from: date(&p.dari, "dari")?,
        to: date(&p.sampai, "sampai")?,
    };
    if let (Some(a), Some(b)) = (f.from, f.to)
        && a > b
    {
        return Err("sampai");
    }
    Ok(f)
}

/// The month asked for (`YYYY-MM`), this month when none is given; `None` when the text is not
/// a month this report can be made for.
pub fn parse_month(s: Option<&str>) -> Option<(i32, u32)> {
    match s {
        None => Some(figures::year_month(figures::today())),
        Some(s) => {
            let (y, m) = s.split_once('-')?;
            let (y, m) = (y.parse().ok()?, m.parse().ok()?);
            ((2000..=2100).contains(&y) && (1..=12).contains(&m)).then_some((y, m))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(rw: &str, dari: &str, sampai: &str) -> Params {
        let some = |s: &str| Some(s.to_string());
        Params {
            rw: some(rw),
            dari: some(dari),
            sampai: some(sampai),
            ..Default::default()
        }
    }

    #[test]
    fn a_filter_pads_codes_and_names_the_wrong_field() {
        let f = filter_of(&params(" 3 ", "2026-01-01", "")).unwrap();
        assert_eq!(f.rw.as_deref(), Some("003"));
        assert!(f.to.is_none());
        assert_eq!(filter_of(&params("satu", "", "")).unwrap_err(), "rw");
        assert_eq!(
            filter_of(&params("", "2026-05-01", "2026-04-01")).unwrap_err(),
            "sampai"
        );
    }

    #[test]
    fn a_month_is_a_real_month() {
        assert_eq!(parse_month(Some("2026-04")), Some((2026, 4)));
        assert_eq!(parse_month(Some("2026-13")), None);
        assert_eq!(parse_month(Some("april")), None);
        assert!(parse_month(None).is_some());
    }
}
