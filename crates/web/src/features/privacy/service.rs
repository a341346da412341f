//! The UU 27/2022 use cases, free of HTTP: a page of the audit log within the reader's reach
//! (Ps 31), and one person's data with its processing record for that person (Ps 32). An
//! export is itself recorded, and so is an attempt on a person out of reach.

use puskesos_domain::access::Reach;
use puskesos_domain::model::{Family, PERSON_FIELDS, Person, Record};
use puskesos_domain::wilayah::KodeWilayah;
use std::collections::HashMap;

use puskesos_domain::{Lang, tr};
use puskesos_storage::audit::{self, AuditAction, AuditEntity, AuditEvent, AuditFilter};
use puskesos_storage::registry::{self, AuditEntry, ChangeEntry};
use puskesos_storage::{Db, StorageError, now_ms};
use serde_json::{Value, json};

use crate::app::actors::Actors;
use crate::app::format::format_time;

pub const PER_PAGE: i64 = 50;
/// At most this many rows in one export of the log.
pub const EXPORT_ROWS: i64 = 10_000;

/// One page of the audit log, with what it takes to read it: the records' numbers and names,
/// the accounts' names, and the accounts to filter by.
pub struct AuditPage {
    /// `(village, entry)`, newest first.
    pub rows: Vec<(String, AuditEntry)>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub labels: HashMap<(String, String), String>,
    pub actors: Actors,
    /// `(stored actor, name)` of the accounts within the reach, for the "by" filter.
    pub accounts: Vec<(String, String)>,
}

impl AuditPage {
    /// No rows (a refused filter).
    pub fn empty() -> AuditPage {
        AuditPage {
            rows: Vec::new(),
            total: 0,
            page: 1,
            pages: 1,
            labels: HashMap::new(),
            actors: Actors::default(),
            accounts: Vec::new(),
        }
    }
}

/// The audit log narrowed by who, what, whose data and when, as asked on the page.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub filter: AuditFilter,
    /// A person's NIK: their rows and their family's.
    pub nik: Option<String>,
}

/// The audit log within a reach (`prefix` of its region codes; none for everywhere), newest
/// first, page `page` (1-based, clamped) of `per_page` rows.
pub fn audit_page(
    db: &Db,
    reach: &Reach,
    query: &AuditQuery,
    page: i64,
    per_page: i64,
) -> Result<AuditPage, StorageError> {
    let mut conn = db.conn()?;
    let page = page.clamp(1, 1_000_000);
    let mut filter = query.filter.clone();
    if let Some(nik) = &query.nik {
        filter.entity_ids = match registry::person_by_nik(&mut conn, nik)? {
            Some((p, _)) => vec![p.id.clone(), p.family_id.clone()],
            // No such person: nothing matches (rather than everything).
            None => vec![String::new()],
        };
    }
    let (rows, total) = audit::audit_search(
        &mut conn,
        reach.prefix(),
        &filter,
        per_page,
        (page - 1) * per_page,
    )?;
    let ids: Vec<(String, String)> = rows
        .iter()
        .map(|(_, e)| (e.entity.clone(), e.entity_id.clone()))
        .collect();
    let labels = audit::record_labels(&mut conn, &ids)?;
    let actors = Actors::load(&mut conn)?;
    let accounts = puskesos_storage::accounts::list(&mut conn, reach)?
        .into_iter()
        .map(|a| (format!("user:{}", a.username), a.display_name))
        .collect();
    Ok(AuditPage {
        rows,
        total,
        page,
        pages: ((total + per_page - 1) / per_page).max(1),
        labels,
        actors,
        accounts,
    })
}

/// What is handed to the person: their data, their family's card number, the changes made to
/// their data and every recorded processing of it or of their family.
pub struct Export {
    pub person: Person,
    pub family: Option<Family>,
    pub history: Vec<ChangeEntry>,
    pub processing: Vec<AuditEntry>,
    /// The centre's services for the family: cases, referrals (and the provider each sent the
    /// data to), complaints, activities.
    pub services: puskesos_storage::family_links::FamilyRecord,
    /// The person's village (the letterhead of the printed record).
    pub village: String,
    pub actors: Actors,
}

/// One person's export, when the person exists within `reach` (`None` otherwise; an attempt
/// out of reach is recorded as `export-refused`). The export is recorded.
pub fn export(
    db: &Db,
    reach: &Reach,
    actor: &str,
    id: &str,
) -> Result<Option<Export>, StorageError> {
    let mut conn = db.conn()?;
    let Some((person, village)) = registry::person_by_id(&mut conn, id)? else {
        return Ok(None);
    };
    if !KodeWilayah::parse(&village).is_some_and(|v| reach.covers(&v)) {
        audit::record(
            &mut conn,
            &AuditEvent::new(AuditAction::ExportRefused, AuditEntity::Person, id)
                .by(actor)
                .in_village(&village),
        )?;
        return Ok(None);
    }
    let family = registry::family_by_id(&mut conn, &person.family_id)?;
    let history: Vec<_> = registry::family_history(&mut conn, &person.family_id)?
        .into_iter()
        .filter(|h| h.entity_id == person.id)
        .collect();
    let mut processing = registry::audit_of(&mut conn, &person.id)?;
    processing.extend(registry::audit_of(&mut conn, &person.family_id)?);
    audit::record(
        &mut conn,
        &AuditEvent::new(AuditAction::PersonalDataExport, AuditEntity::Person, id)
            .by(actor)
            .in_village(&village),
    )?;
    let services =
        puskesos_storage::family_links::of_family(&mut conn, &village, &person.family_id)?;
    // Reads of the family's cases and complaints are processing of the person's data too.
    for l in services.cases.iter().chain(&services.complaints) {
        processing.extend(registry::audit_of(&mut conn, &l.id)?);
    }
    processing.sort_by_key(|a| std::cmp::Reverse(a.at_ms));
    let actors = Actors::load(&mut conn)?;
    Ok(Some(Export {
        person,
        family,
        history,
        processing,
        services,
        village,
        actors,
    }))
}

/// Lines of the family's record as JSON: number or title, state, when.
fn lines(l: &[puskesos_storage::family_links::Line]) -> Vec<Value> {
    l.iter()
        .map(|l| {
            json!({
                "nomor": l.number, "status": l.state,
                "waktu": l.at.map(format_time).or_else(|| l.day.clone()),
            })
        })
        .collect()
}

impl Export {
    /// The document as handed over (keys in Indonesian, as the law's reader expects them).
    pub fn document(&self) -> Value {
        let data: serde_json::Map<String, Value> = PERSON_FIELDS
            .iter()
            .zip(&self.person.values)
            .filter_map(|(f, v)| {
                v.as_ref()
                    .map(|v| (f.key.to_string(), json!(v.to_text(f.kind))))
            })
            .collect();
        json!({
            "dasar_hukum": "UU 27/2022 Pasal 32",
            "dibuat": format_time(now_ms()),
            "orang": data,
            "no_kk": self.family.as_ref().and_then(|f| f.text("no_kk").map(str::to_string)),
            "sumber_data": self.person.source,
            "riwayat_perubahan": self.history.iter().map(|h| json!({
                "waktu": format_time(h.at_ms), "oleh": h.actor, "tindakan": h.action,
                "alasan": h.reason, "sumber": h.source,
                "kolom": h.changed.iter().map(|(f, o, n)| json!({"kolom": f, "lama": o, "baru": n})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "catatan_pemrosesan": self.processing.iter().map(|a| json!({
                "waktu": format_time(a.at_ms), "oleh": self.actors.name(Lang::Id, &a.actor),
                "tindakan": tr(Lang::Id, &format!("audit-action-{}", a.action), &[]),
                "data": tr(Lang::Id, &format!("audit-entity-{}", a.entity), &[]), "keterangan": a.detail,
            })).collect::<Vec<_>>(),
            "layanan_puskesos": {
                "kasus": lines(&self.services.cases),
                "rujukan": self.services.referrals.iter().map(|l| json!({
                    "nomor_kasus": l.number, "status": l.state, "waktu": l.at.map(format_time),
                    "data_dikirim_kepada": l.provider,
                })).collect::<Vec<_>>(),
                "pengaduan": lines(&self.services.complaints),
                "kegiatan": lines(&self.services.activities),
            },
        })
    }

    /// The file's name: by the person's NIK.
    pub fn file_name(&self) -> String {
        format!(
            "data-pribadi-{}.json",
            self.person.text("nik").unwrap_or("orang")
        )
    }
}
