//! Activities of the centre and services delivered: what, when, where, the outcome, and who
//! took part (registered people found by NIK are linked; others are kept by name).

use chrono::{Datelike, NaiveDate};
use puskesos_domain::identity::{Nik, Sex};
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
    /// Planned (the date may lie ahead) rather than held.
    pub planned: bool,
    /// The PSKS register's entry that ran or joined it.
    pub provider_id: Option<String>,
    /// One participant per entry: `NIK` of a person registered in the village, or a short
    /// profile `NIK; name; L/P; birth year; RT/RW` (the NIK may be left empty), fields
    /// separated by `;` or a tab.
    pub participants: Vec<String>,
}

/// Why an activity was refused: the field, the participant row (1-based) when it is about
/// one, the value, and the catalogue key of the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub row: Option<usize>,
    pub value: String,
    pub reason: &'static str,
}

fn refuse(field: &'static str, value: &str, reason: &'static str) -> Refusal {
    Refusal {
        field,
        row: None,
        value: value.chars().take(60).collect(),
        reason,
    }
}

/// A participant as stored: linked to a registered person, or a short profile.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Participant {
    pub person_id: Option<String>,
    pub nik: Option<String>,
    pub name: String,
    pub sex: Option<String>,
    pub birth_year: Option<i64>,
    pub rt_rw: Option<String>,
}

/// Reads and checks the participant rows against the registry (no writes): every NIK valid,
/// a registered person or a full short profile, no NIK twice.
pub fn check_participants(
    conn: &mut Conn,
    village: &str,
    rows: &[String],
    this_year: i32,
) -> Result<Result<Vec<Participant>, Refusal>, StorageError> {
    let mut out: Vec<Participant> = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, line) in rows.iter().enumerate() {
        let row = i + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let at = |reason: &'static str, value: &str| {
            Ok(Err(Refusal {
                field: "participants",
                row: Some(row),
                value: value.chars().take(60).collect(),
                reason,
            }))
        };
        if line.chars().count() > 300 {
            return at("activity-row-too-long", line);
        }
        let parts: Vec<&str> = line.split([';', '\t']).map(str::trim).collect();
        let first = parts[0];
        let looks_like_nik = !first.is_empty()
            && first.chars().any(|c| c.is_ascii_digit())
            && first
                .chars()
                .all(|c| c.is_ascii_digit() || c == ' ' || c == '.' || c == '-');
        let nik = if looks_like_nik {
            match Nik::parse(first) {
                Ok(n) => Some(n.as_str().to_string()),
                Err(_) => return at("activity-nik-invalid", first),
            }
        } else {
            None
        };
        let profile_from = if looks_like_nik || first.is_empty() {
            1
        } else {
            0
        };
        if let Some(n) = &nik {
            if let Some(prev) = seen.insert(n.clone(), row) {
                let _ = prev;
                return at("activity-nik-twice", n);
            }
            if let Some((p, _)) = registry::person_by_nik(conn, n)? {
                let fam = registry::family_by_id(conn, &p.family_id)?;
                if fam.is_some_and(|f| f.text("kode_wilayah") == Some(village)) {
                    out.push(Participant {
                        person_id: Some(p.id.clone()),
                        nik: Some(n.clone()),
                        name: p.text("nama").unwrap_or(n).to_string(),
                        sex: None,
                        birth_year: None,
                        rt_rw: None,
                    });
                    continue;
                }
            }
        }
        // Not registered here: the short profile is required.
        let field = |k: usize| parts.get(profile_from + k).copied().unwrap_or("");
        let name = field(0);
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(|c| c.is_ascii_digit())
        {
            return at(
                "activity-profile-name",
                if name.is_empty() { line } else { name },
            );
        }
        let Some(sex) = Sex::parse(field(1)) else {
            return at("activity-profile-sex", field(1));
        };
        let year = field(2);
        let Some(birth_year) = year
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=this_year).contains(y))
        else {
            return at("activity-profile-year", year);
        };
        let rt_rw = field(3);
        let Some(rt_rw) = parse_rt_rw(rt_rw) else {
            return at("activity-profile-rtrw", rt_rw);
        };
        if nik.is_none() {
            // Without a NIK, the same profile twice is the same person twice.
            let key = format!(
                "{}|{}|{birth_year}|{rt_rw}",
                name.to_lowercase(),
                sex.code()
            );
            if seen.insert(key, row).is_some() {
                return at("activity-profile-twice", name);
            }
        }
        out.push(Participant {
            person_id: None,
            nik,
            name: name.to_string(),
            sex: Some(sex.code().to_string()),
            birth_year: Some(birth_year as i64),
            rt_rw: Some(rt_rw),
        });
    }
    Ok(Ok(out))
}

/// `2/3`, `002/003`, `02-03` as `002/003`.
fn parse_rt_rw(s: &str) -> Option<String> {
    let (rt, rw) = s.split_once(['/', '-'])?;
    let (rt, rw) = (
        rt.trim().parse::<u16>().ok()?,
        rw.trim().parse::<u16>().ok()?,
    );
    (rt > 0 && rw > 0 && rt < 1000 && rw < 1000).then(|| format!("{rt:03}/{rw:03}"))
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
    pub status: String,
}

/// Records an activity with its participants in one transaction; `Err` names what is missing
/// or wrong, with the participant row and value (nothing is written then).
pub fn record(
    conn: &mut Conn,
    new: &NewActivity,
    actor: &str,
    now_ms: i64,
) -> Result<Result<String, Refusal>, StorageError> {
    if !KINDS.contains(&new.kind.as_str()) {
        return Ok(Err(refuse("kind", &new.kind, "activity-bad-value")));
    }
    if new.title.trim().is_empty() || new.title.chars().count() > 200 {
        return Ok(Err(refuse("title", new.title.trim(), "activity-bad-value")));
    }
    let Some(held_on) = new.held_on else {
        return Ok(Err(refuse("held_on", "", "activity-bad-value")));
    };
    let today = chrono::DateTime::from_timestamp_millis(now_ms)
        .unwrap_or_default()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("WIB"))
        .date_naive();
    if held_on > today && !new.planned {
        return Ok(Err(refuse(
            "held_on",
            &held_on.format("%d-%m-%Y").to_string(),
            "activity-future-held",
        )));
    }
    if new.place.trim().is_empty() || new.place.chars().count() > 200 {
        return Ok(Err(refuse("place", new.place.trim(), "activity-bad-value")));
    }
    if new.participants.len() > 2000 {
        return Ok(Err(refuse(
            "participants",
            &new.participants.len().to_string(),
            "activity-too-many",
        )));
    }
    if let Some(p) = &new.provider_id
        && !crate::directory::is_active(conn, &new.village, p)?
    {
        return Ok(Err(refuse("provider", p, "activity-bad-value")));
    }
    conn.transaction(|c| {
        let people = match check_participants(c, &new.village, &new.participants, today.year())? {
            Ok(p) => p,
            Err(r) => return Ok(Err(r)),
        };
        let id = new_id();
        c.execute(
            "INSERT INTO activities (kode_wilayah, id, kind, title, held_on, place, outcome, \
             created_by, created_at, status, provider_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
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
                if new.planned { "rencana" } else { "terlaksana" }.into(),
                new.provider_id.as_deref().into(),
            ],
        )?;
        for p in &people {
            c.execute(
                "INSERT INTO activity_participants (kode_wilayah, id, activity_id, person_id, name, \
                 nik, sex, birth_year, rt_rw) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    new.village.as_str().into(),
                    new_id().into(),
                    id.as_str().into(),
                    p.person_id.as_deref().into(),
                    p.name.as_str().into(),
                    p.nik.as_deref().into(),
                    p.sex.as_deref().into(),
                    p.birth_year.into(),
                    p.rt_rw.as_deref().into(),
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

/// One activity of the village with its participants (registered first, then by name). The
/// caller audits the read (personal data).
pub fn with_participants(
    conn: &mut Conn,
    village: &str,
    id: &str,
) -> Result<Option<(Activity, Vec<Participant>)>, StorageError> {
    let Some(a) = list_where(conn, village, "AND a.id = $2", Some(id))?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let people = conn
        .query(
            "SELECT id, person_id, nik, name, sex, birth_year, rt_rw FROM activity_participants \
             WHERE kode_wilayah = $1 AND activity_id = $2 \
             ORDER BY CASE WHEN person_id IS NULL THEN 1 ELSE 0 END, name, id",
            &[village.into(), id.into()],
        )?
        .into_iter()
        .map(|r| {
            let d = Decode::new("activity_participants", &r, 0);
            Ok(Participant {
                person_id: d.opt_text(1),
                nik: d.opt_text(2),
                name: d.text(3)?,
                sex: d.opt_text(4),
                birth_year: d.opt_int(5),
                rt_rw: d.opt_text(6),
            })
        })
        .collect::<Result<_, StorageError>>()?;
    Ok(Some((a, people)))
}

/// A village's activities, the latest first, with participant counts.
pub fn list(conn: &mut Conn, village: &str) -> Result<Vec<Activity>, StorageError> {
    list_where(conn, village, "", None)
}

fn list_where(
    conn: &mut Conn,
    village: &str,
    filter: &str,
    id: Option<&str>,
) -> Result<Vec<Activity>, StorageError> {
    let mut params: Vec<crate::SqlValue> = vec![village.into()];
    if let Some(id) = id {
        params.push(id.into());
    }
    conn
        .query(
            &format!("SELECT a.id, a.kind, a.title, a.held_on, a.place, a.outcome, \
             (SELECT COUNT(*) FROM activity_participants p WHERE p.kode_wilayah = a.kode_wilayah \
              AND p.activity_id = a.id), \
             (SELECT COUNT(*) FROM activity_participants p WHERE p.kode_wilayah = a.kode_wilayah \
              AND p.activity_id = a.id AND p.person_id IS NOT NULL), a.status \
             FROM activities a WHERE a.kode_wilayah = $1 {filter} ORDER BY a.held_on DESC, a.id DESC LIMIT 200"),
            &params,
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
                status: d.text(8)?,
            })
        })
        .collect::<Result<_, StorageError>>()
}
