//! The village's PSKS register (Potensi dan Sumber Kesejahteraan Sosial): the directory of
//! providers and social welfare resources a centre works with and refers to. Entries are edited
//! and retired, never deleted (a referral keeps naming its provider); every creation, edit and
//! retirement writes `provider_changes` rows (who, when, which field, old and new value).

use crate::audit::{self, AuditAction, AuditEntity, AuditEvent};
use crate::db::Decode;
use crate::{Conn, SqlValue, StorageError, new_id};

/// Kinds of entries: the PSKS of the village (TKSK, PSM, Karang Taruna, LKS, WKSBM, companies'
/// CSR, volunteers) and the services it refers to (puskesmas, schools, Dinas Sosial, ...).
pub const PROVIDER_KINDS: &[&str] = &[
    "tksk",
    "psm",
    "karang_taruna",
    "lks",
    "wksbm",
    "csr",
    "relawan",
    "orsos",
    "puskesmas",
    "sekolah",
    "dinas_sosial",
    "dukcapil",
    "bpjs",
    "lainnya",
];

/// The fields of an entry that an edit may change, in the order the history shows them.
pub const FIELDS: &[&str] = &["name", "kind", "contact", "services", "capacity", "area"];

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Provider {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub contact: Option<String>,
    /// The services it offers (free text).
    pub services: Option<String>,
    /// How many it can serve, or when (free text: "20 orang/bulan").
    pub capacity: Option<String>,
    /// The area it covers (RW, dusun, the whole village).
    pub area: Option<String>,
    pub retired_at: Option<i64>,
    pub retired_reason: Option<String>,
}

impl Provider {
    pub fn active(&self) -> bool {
        self.retired_at.is_none()
    }

    fn value(&self, field: &str) -> Option<&str> {
        match field {
            "name" => Some(&self.name),
            "kind" => Some(&self.kind),
            "contact" => self.contact.as_deref(),
            "services" => self.services.as_deref(),
            "capacity" => self.capacity.as_deref(),
            _ => self.area.as_deref(),
        }
    }
}

/// What a form gives for an entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProviderInput {
    pub name: String,
    pub kind: String,
    pub contact: Option<String>,
    pub services: Option<String>,
    pub capacity: Option<String>,
    pub area: Option<String>,
}

/// A refused entry: the field and the value that was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub value: String,
}

/// One change of an entry.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProviderChange {
    pub at: i64,
    pub actor: String,
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// A referral an entry took part in.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReferralLine {
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    pub sent_at: i64,
    pub status: String,
}

/// An activity an entry ran or joined.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ActivityLine {
    pub id: String,
    pub title: String,
    pub held_on: String,
    pub status: String,
}

fn clean(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The checked form of an input (trimmed, empty optional fields as none), or what is wrong.
fn check(input: &ProviderInput) -> Result<ProviderInput, Refusal> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Refusal {
            field: "name",
            value: name.to_string(),
        });
    }
    if !PROVIDER_KINDS.contains(&input.kind.as_str()) {
        return Err(Refusal {
            field: "kind",
            value: input.kind.clone(),
        });
    }
    let out = ProviderInput {
        name: name.to_string(),
        kind: input.kind.clone(),
        contact: clean(input.contact.as_deref()),
        services: clean(input.services.as_deref()),
        capacity: clean(input.capacity.as_deref()),
        area: clean(input.area.as_deref()),
    };
    for (field, v, max) in [
        ("contact", &out.contact, 200),
        ("services", &out.services, 2000),
        ("capacity", &out.capacity, 200),
        ("area", &out.area, 200),
    ] {
        if let Some(v) = v
            && v.chars().count() > max
        {
            return Err(Refusal {
                field,
                value: v.chars().take(40).collect(),
            });
        }
    }
    Ok(out)
}

/// Whose entry changed, when and by whom: the part every history row of one write shares.
struct Stamp<'a> {
    village: &'a str,
    provider: &'a str,
    at: i64,
    actor: &'a str,
}

fn change(
    c: &mut Conn,
    s: &Stamp<'_>,
    field: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> Result<(), StorageError> {
    let Stamp {
        village,
        provider,
        at,
        actor,
    } = *s;
    c.execute(
        "INSERT INTO provider_changes (kode_wilayah, id, provider_id, changed_at, actor, field, \
         old_value, new_value) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            village.into(),
            new_id().into(),
            provider.into(),
            at.into(),
            actor.into(),
            field.into(),
            old.into(),
            new.into(),
        ],
    )
    .map(|_| ())
}

/// Adds an entry with its first history rows; `Err` names the field refused (nothing written).
pub fn create(
    conn: &mut Conn,
    village: &str,
    input: &ProviderInput,
    actor: &str,
    now_ms: i64,
) -> Result<Result<Provider, Refusal>, StorageError> {
    let input = match check(input) {
        Ok(i) => i,
        Err(r) => return Ok(Err(r)),
    };
    let id = new_id();
    conn.transaction(|c| {
        c.execute(
            "INSERT INTO providers (kode_wilayah, id, name, kind, contact, services, capacity, \
             area, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                village.into(),
                id.as_str().into(),
                input.name.as_str().into(),
                input.kind.as_str().into(),
                input.contact.as_deref().into(),
                input.services.as_deref().into(),
                input.capacity.as_deref().into(),
                input.area.as_deref().into(),
                now_ms.into(),
            ],
        )?;
        let p = by_id(c, village, &id)?
            .ok_or_else(|| StorageError::Corrupt(format!("providers {id}: not written")))?;
        let stamp = Stamp {
            village,
            provider: &id,
            at: now_ms,
            actor,
        };
        for f in FIELDS {
            if let Some(v) = p.value(f) {
                change(c, &stamp, f, None, Some(v))?;
            }
        }
        audit::record(
            c,
            &AuditEvent::new(AuditAction::Create, AuditEntity::Provider, &id)
                .by(actor)
                .in_village(village)
                .detail(&input.name),
        )?;
        Ok(Ok(p))
    })
}

/// Adds a provider by name, kind and contact (the directory's first form, kept for its
/// callers); `None` when the name or kind is not acceptable.
pub fn add_provider(
    conn: &mut Conn,
    village: &str,
    name: &str,
    kind: &str,
    contact: Option<&str>,
    actor: &str,
    now_ms: i64,
) -> Result<Option<Provider>, StorageError> {
    let input = ProviderInput {
        name: name.into(),
        kind: kind.into(),
        contact: contact.map(str::to_string),
        ..ProviderInput::default()
    };
    Ok(create(conn, village, &input, actor, now_ms)?.ok())
}

/// Edits an entry: one history row per changed field. `Ok(None)`: no such entry in the
/// village; `Ok(Some(n))`: the number of fields changed (0 writes nothing).
pub fn edit(
    conn: &mut Conn,
    village: &str,
    id: &str,
    input: &ProviderInput,
    actor: &str,
    now_ms: i64,
) -> Result<Result<Option<usize>, Refusal>, StorageError> {
    let input = match check(input) {
        Ok(i) => i,
        Err(r) => return Ok(Err(r)),
    };
    conn.transaction(|c| {
        let Some(old) = by_id(c, village, id)? else {
            return Ok(Ok(None));
        };
        let new = Provider {
            name: input.name.clone(),
            kind: input.kind.clone(),
            contact: input.contact.clone(),
            services: input.services.clone(),
            capacity: input.capacity.clone(),
            area: input.area.clone(),
            ..old.clone()
        };
        let changed: Vec<&str> = FIELDS
            .iter()
            .copied()
            .filter(|f| old.value(f) != new.value(f))
            .collect();
        if changed.is_empty() {
            return Ok(Ok(Some(0)));
        }
        c.execute(
            "UPDATE providers SET name = $1, kind = $2, contact = $3, services = $4, \
             capacity = $5, area = $6 WHERE kode_wilayah = $7 AND id = $8",
            &[
                new.name.as_str().into(),
                new.kind.as_str().into(),
                new.contact.as_deref().into(),
                new.services.as_deref().into(),
                new.capacity.as_deref().into(),
                new.area.as_deref().into(),
                village.into(),
                id.into(),
            ],
        )?;
        let stamp = Stamp {
            village,
            provider: id,
            at: now_ms,
            actor,
        };
        for f in &changed {
            change(c, &stamp, f, old.value(f), new.value(f))?;
        }
        audit::record(
            c,
            &AuditEvent::new(AuditAction::Update, AuditEntity::Provider, id)
                .by(actor)
                .in_village(village)
                .detail(&changed.join(",")),
        )?;
        Ok(Ok(Some(changed.len())))
    })
}

/// Retires an entry (not offered for new referrals, kept on old ones) with a reason. `false`
/// when there is no such active entry or the reason is empty.
pub fn retire(
    conn: &mut Conn,
    village: &str,
    id: &str,
    reason: &str,
    actor: &str,
    now_ms: i64,
) -> Result<bool, StorageError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Ok(false);
    }
    conn.transaction(|c| {
        let n = c.execute(
            "UPDATE providers SET retired_at = $1, retired_reason = $2 \
             WHERE kode_wilayah = $3 AND id = $4 AND retired_at IS NULL",
            &[now_ms.into(), reason.into(), village.into(), id.into()],
        )?;
        if n == 0 {
            return Ok(false);
        }
        let stamp = Stamp {
            village,
            provider: id,
            at: now_ms,
            actor,
        };
        change(c, &stamp, "status", Some("aktif"), Some(reason))?;
        audit::record(
            c,
            &AuditEvent::new(AuditAction::Update, AuditEntity::Provider, id)
                .by(actor)
                .in_village(village)
                .detail("retired"),
        )?;
        Ok(true)
    })
}

const COLUMNS: &str = "id, name, kind, contact, services, capacity, area, retired_at, \
     retired_reason FROM providers";

fn read(r: Vec<SqlValue>) -> Result<Provider, StorageError> {
    let d = Decode::new("providers", &r, 0);
    Ok(Provider {
        id: d.text(0)?,
        name: d.text(1)?,
        kind: d.text(2)?,
        contact: d.opt_text(3),
        services: d.opt_text(4),
        capacity: d.opt_text(5),
        area: d.opt_text(6),
        retired_at: d.opt_int(7),
        retired_reason: d.opt_text(8),
    })
}

/// The village's active entries by name: the ones offered for a new referral.
pub fn providers(conn: &mut Conn, village: &str) -> Result<Vec<Provider>, StorageError> {
    conn.query(
        &format!("SELECT {COLUMNS} WHERE kode_wilayah = $1 AND retired_at IS NULL ORDER BY name"),
        &[village.into()],
    )?
    .into_iter()
    .map(read)
    .collect()
}

/// Every entry of the village, retired ones included (the register's page), by name.
pub fn all_providers(conn: &mut Conn, village: &str) -> Result<Vec<Provider>, StorageError> {
    conn.query(
        &format!("SELECT {COLUMNS} WHERE kode_wilayah = $1 ORDER BY name, id"),
        &[village.into()],
    )?
    .into_iter()
    .map(read)
    .collect()
}

pub fn by_id(conn: &mut Conn, village: &str, id: &str) -> Result<Option<Provider>, StorageError> {
    conn.query_opt(
        &format!("SELECT {COLUMNS} WHERE kode_wilayah = $1 AND id = $2"),
        &[village.into(), id.into()],
    )?
    .map(read)
    .transpose()
}

/// Whether an entry is in the village's register and not retired.
pub fn is_active(conn: &mut Conn, village: &str, id: &str) -> Result<bool, StorageError> {
    Ok(conn.query_i64(
        "SELECT COUNT(*) FROM providers WHERE kode_wilayah = $1 AND id = $2 AND retired_at IS NULL",
        &[village.into(), id.into()],
    )? > 0)
}

/// An entry's history, oldest first.
pub fn history(
    conn: &mut Conn,
    village: &str,
    id: &str,
) -> Result<Vec<ProviderChange>, StorageError> {
    conn.query(
        "SELECT id, changed_at, actor, field, old_value, new_value FROM provider_changes \
         WHERE kode_wilayah = $1 AND provider_id = $2 ORDER BY id",
        &[village.into(), id.into()],
    )?
    .into_iter()
    .map(|r| {
        let d = Decode::new("provider_changes", &r, 0);
        Ok(ProviderChange {
            at: d.int(1)?,
            actor: d.text(2)?,
            field: d.text(3)?,
            old: d.opt_text(4),
            new: d.opt_text(5),
        })
    })
    .collect()
}

/// The referrals sent to an entry, the latest first (at most 200).
pub fn referrals_of(
    conn: &mut Conn,
    village: &str,
    id: &str,
) -> Result<Vec<ReferralLine>, StorageError> {
    conn.query(
        "SELECT r.id, r.case_id, c.nomor, r.sent_at, r.status FROM referrals r \
         JOIN cases c ON c.kode_wilayah = r.kode_wilayah AND c.id = r.case_id \
         WHERE r.kode_wilayah = $1 AND r.provider_id = $2 ORDER BY r.sent_at DESC, r.id DESC LIMIT 200",
        &[village.into(), id.into()],
    )?
    .into_iter()
    .map(|r| {
        let d = Decode::new("referrals", &r, 0);
        Ok(ReferralLine {
            id: d.text(0)?,
            case_id: d.text(1)?,
            case_number: d.text(2)?,
            sent_at: d.int(3)?,
            status: d.text(4)?,
        })
    })
    .collect()
}

/// The activities an entry ran or joined, the latest first (at most 200).
pub fn activities_of(
    conn: &mut Conn,
    village: &str,
    id: &str,
) -> Result<Vec<ActivityLine>, StorageError> {
    conn.query(
        "SELECT id, title, held_on, status FROM activities WHERE kode_wilayah = $1 \
         AND provider_id = $2 ORDER BY held_on DESC, id DESC LIMIT 200",
        &[village.into(), id.into()],
    )?
    .into_iter()
    .map(|r| {
        let d = Decode::new("activities", &r, 0);
        Ok(ActivityLine {
            id: d.text(0)?,
            title: d.text(1)?,
            held_on: d.text(2)?,
            status: d.text(3)?,
        })
    })
    .collect()
}

/// The village's active entries counted by kind, in [`PROVIDER_KINDS`] order (kinds with
/// none left out).
pub fn count_by_kind(conn: &mut Conn, village: &str) -> Result<Vec<(String, i64)>, StorageError> {
    let rows = conn.query(
        "SELECT kind, COUNT(*) FROM providers WHERE kode_wilayah = $1 AND retired_at IS NULL \
         GROUP BY kind",
        &[village.into()],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let d = Decode::named("providers", "count", &r);
        out.push((d.text(0)?, d.int(1)?));
    }
    out.sort_by_key(|(k, _)| {
        PROVIDER_KINDS
            .iter()
            .position(|p| p == k)
            .unwrap_or(PROVIDER_KINDS.len())
    });
    Ok(out)
}
