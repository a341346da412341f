//! Activities of the centre and services delivered: what, when, where, the outcome, and who
//! took part (registered people found by NIK are linked; others are kept by name).

use chrono::NaiveDate;
use puskesos_domain::model::Record;

use crate::audit::{self, AuditAction, AuditEntity, AuditEvent};
use crate::db::Decode;
use crate::registry;
use crate::{Conn, StorageError, new_id};

/// Kinds of activities and service deliveries.
pub const KINDS: &[&str] = &[
    "sosialisasi",
    "bimbingan_sosial",
    "advokasi",
    "mediasi",
    "distribusi_kebutuhan_dasar",
    "sanggar_belajar",
    "perawatan_lansia",
    "gizi_balita",
    "renovasi_rumah",
];

#[derive(Debug, Clone, Default)]
pub struct NewActivity {
    pub village: String,
    pub kind: String,
    pub title: String,
    pub held_on: Option<NaiveDate>,
    pub place: String,
    pub outcome: Option<String>,
    /// One participant per entry: a NIK (linked when registered in the village) or a name.
    pub participants: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Activity {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub held_on: String,
    pub place: String,
    pub outcome: Option<String>,
    pub participants: i64,
    pub registered: i64,
}

/// Records an activity with its participants in one transaction; `Err(field)` names what is
/// missing or wrong (nothing is written then).
pub fn record(
    conn: &mut Conn,
    new: &NewActivity,
    actor: &str,
    now_ms: i64,
) -> Result<Result<String, &'static str>, StorageError> {
    if !KINDS.contains(&new.kind.as_str()) {
        return Ok(Err("kind"));
    }
    if new.title.trim().is_empty() || new.title.chars().count() > 200 {
        return Ok(Err("title"));
    }
    let Some(held_on) = new.held_on else {
        return Ok(Err("held_on"));
    };
    if new.place.trim().is_empty() || new.place.chars().count() > 200 {
        return Ok(Err("place"));
    }
    if new.participants.len() > 2000 || new.participants.iter().any(|p| p.chars().count() > 200) {
        return Ok(Err("participants"));
    }
    conn.transaction(|c| {
        let id = new_id();
        c.execute(
            "INSERT INTO activities (kode_wilayah, id, kind, title, held_on, place, outcome, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                new.village.as_str().into(),
                id.as_str().into(),
                new.kind.as_str().into(),
                new.title.trim().into(),
                held_on.to_string().into(),
                new.place.trim().into(),
                new.outcome
                    .as_deref()
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                    .into(),
                actor.into(),
                now_ms.into(),
            ],
        )?;
        for entry in new.participants.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
            // A 16-digit entry is a NIK: linked to the person when registered in this village.
            let mut person_id = None;
            let mut name = entry.to_string();
            if entry.len() == 16 && entry.bytes().all(|b| b.is_ascii_digit())
                && let Some((p, _)) = registry::person_by_nik(c, entry)?
            {
                let fam = registry::family_by_id(c, &p.family_id)?;
                if fam.is_some_and(|f| f.text("kode_wilayah") == Some(new.village.as_str())) {
                    person_id = Some(p.id.clone());
                    name = p.text("nama").unwrap_or(entry).to_string();
                }
            }
            c.execute(
                "INSERT INTO activity_participants (kode_wilayah, id, activity_id, person_id, name) \
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    new.village.as_str().into(),
                    new_id().into(),
                    id.as_str().into(),
                    person_id.into(),
                    name.into(),
                ],
            )?;
        }
        audit::record(
            c,
            &AuditEvent::new(AuditAction::Create, AuditEntity::Activity, &id)
                .by(actor)
                .in_village(&new.village)
                .detail(&new.kind),
        )?;
        Ok(Ok(id))
    })
}

/// A village's activities, the latest first, with participant counts.
pub fn list(conn: &mut Conn, village: &str) -> Result<Vec<Activity>, StorageError> {
    conn
        .query(
            "SELECT a.id, a.kind, a.title, a.held_on, a.place, a.outcome, \
             (SELECT COUNT(*) FROM activity_participants p WHERE p.kode_wilayah = a.kode_wilayah \
              AND p.activity_id = a.id), \
             (SELECT COUNT(*) FROM activity_participants p WHERE p.kode_wilayah = a.kode_wilayah \
              AND p.activity_id = a.id AND p.person_id IS NOT NULL) \
             FROM activities a WHERE a.kode_wilayah = $1 ORDER BY a.held_on DESC, a.id DESC LIMIT 200",
            &[village.into()],
        )?
        .into_iter()
        .map(|r| {
            let d = Decode::new("activities", &r, 0);
            Ok(Activity {
                id: d.text(0)?,
                kind: d.text(1)?,
                title: d.text(2)?,
                held_on: d.text(3)?,
                place: d.text(4)?,
                outcome: d.opt_text(5),
                participants: d.int(6)?,
                registered: d.int(7)?,
            })
        })
        .collect::<Result<_, StorageError>>()
}
