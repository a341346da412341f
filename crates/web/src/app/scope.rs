//! Which village a page is about: the account's own, or one that a district account picked.

use puskesos_domain::access::Reach;
use puskesos_domain::wilayah::{KodeWilayah, Level};

use crate::app::access::CurrentUser;

/// The account's own village, or for a district (or wider) account the `desa` it asked for
/// when that village lies within its reach.
pub fn village_for(user: &CurrentUser, asked: Option<&str>) -> Option<String> {
    match &user.reach {
        Reach::Within(r) if r.level() == Level::DesaKelurahan => Some(r.to_string()),
        reach => {
            let v = KodeWilayah::parse(asked?)?;
            (v.level() == Level::DesaKelurahan && reach.covers(&v)).then(|| v.to_string())
        }
    }
}

/// The query that keeps a district account on the same village (`?desa=...`), empty for
/// village accounts.
pub fn desa_query(user: &CurrentUser, village: &str) -> String {
    match &user.reach {
        Reach::Within(r) if r.level() == Level::DesaKelurahan => String::new(),
        _ => format!("?desa={village}"),
    }
}
