//! Reads of whole families: the family page (recorded in the audit log), the export's stream of
//! members, and the assessment's pass over a village.

use puskesos_domain::model::{FAMILY_FIELDS, Family, Field, Kind, PERSON_FIELDS, Person, Record};

use super::families::{family_by_id, members};
use super::history::{ChangeEntry, family_history};
use super::rows::{family_from_row, person_from_row};
use crate::StorageError;
use crate::audit::{AuditAction, AuditEntity, AuditEvent};
use crate::db::{Conn, Decode, SqlValue};

/// Selects families (and their members) for export: the whole registry, or a village, RW or RT.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub village: Option<String>,
    pub rw: Option<String>,
    pub rt: Option<String>,
}

/// Streams `(family, member)` pairs in card order (village, KK, position) to `f`.
pub fn for_each_member(
    conn: &mut Conn,
    scope: &Scope,
    mut f: impl FnMut(&Family, Person) -> Result<(), StorageError>,
) -> Result<(), StorageError> {
    let fcols: Vec<String> = FAMILY_FIELDS
        .iter()
        .map(|c| format!("f.{}", c.key))
        .collect();
    let pcols: Vec<String> = PERSON_FIELDS
        .iter()
        .map(|c| format!("p.{}", c.key))
        .collect();
    let mut sql = format!(
        "SELECT f.id, f.source, {}, p.id, p.source, p.family_id, {} FROM families f \
         JOIN persons p ON p.family_id = f.id WHERE 1 = 1",
        fcols.join(", "),
        pcols.join(", ")
    );
    let mut params = Vec::new();
    for (col, v) in [
        ("f.kode_wilayah", &scope.village),
        ("f.rw", &scope.rw),
        ("f.rt", &scope.rt),
    ] {
        if let Some(v) = v {
            params.push(SqlValue::from(v.as_str()));
            sql.push_str(&format!(" AND {col} = ${}", params.len()));
        }
    }
    sql.push_str(" ORDER BY f.kode_wilayah, f.no_kk, p.urutan, p.id");
    let width = 2 + FAMILY_FIELDS.len();
    let mut current: Option<Family> = None;
    conn.for_each(&sql, &params, |mut row| {
        let person_part = row.split_off(width);
        let fam_id = row.first().and_then(|v| v.as_str()).unwrap_or_default();
        if current.as_ref().map(|c| c.id.as_str()) != Some(fam_id) {
            current = Some(family_from_row(row));
        }
        let family = current.as_ref().expect("set above");
        f(family, person_from_row(person_part))
    })
}

/// Columns whose text the assessment never reads: the rules test free text and dates only for
/// presence (`known(...)`), so these come back as the flag 1 (or NULL when empty) instead of
/// millions of decoded strings. The birth date (age), the NIK (member order) and the KK are
/// read as they are.
fn facts_columns(fields: &[Field]) -> String {
    fields
        .iter()
        .map(|f| match f.kind {
            Kind::Text { .. } | Kind::Date
                if !matches!(f.key, "tanggal_lahir" | "nik" | "no_kk") =>
            {
                format!(
                    "CASE WHEN {k} IS NULL OR TRIM({k}) = '' THEN NULL ELSE 1 END AS {k}",
                    k = f.key
                )
            }
            _ => f.key.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Up to this many families a village's members are grouped in memory; a larger one (a whole
/// district imported as one village) is streamed in family order instead, in bounded memory.
pub const IN_MEMORY_FAMILIES: usize = 50_000;

/// Families of a large village read per query while its members stream by.
const FAMILY_CHUNK: i64 = 2_000;

/// Whether a village has more than [`IN_MEMORY_FAMILIES`] families (counted no further).
pub fn is_large_village(conn: &mut Conn, village: &str) -> Result<bool, StorageError> {
    let n = conn.query_i64(
        &format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM families WHERE kode_wilayah = $1 LIMIT {}) c",
            IN_MEMORY_FAMILIES + 1
        ),
        &[village.into()],
    )?;
    Ok(n as usize > IN_MEMORY_FAMILIES)
}

/// The code lists of a select of `lead` plain columns followed by `fields`.
fn column_codes(lead: usize, fields: &[Field]) -> Vec<Option<&'static [&'static str]>> {
    let mut out = vec![None; lead];
    out.extend(fields.iter().map(|f| match f.kind {
        Kind::Code(list) => Some(list),
        _ => None,
    }));
    out
}

/// Every family of a village with its members (families without members too, members in no
/// particular order), in id order, **as the assessment reads them** (see [`facts_columns`]; the
/// members' own ids are left empty: not for display or writing).
/// Two plain queries merged in memory instead of a join: a join repeats the family's columns on
/// every member's row, and decoding those was most of the time of a whole-registry pass.
/// The village's families are held in memory; members are streamed.
pub fn for_each_family_of_village(
    families_conn: &mut Conn,
    persons_conn: &mut Conn,
    village: &str,
    f: impl FnMut(Family, Vec<Person>) -> Result<(), StorageError>,
) -> Result<(), StorageError> {
    read_village(
        families_conn,
        persons_conn,
        village,
        (IN_MEMORY_FAMILIES, FAMILY_CHUNK),
        f,
    )
}

/// [`for_each_family_of_village`] with its limits given: (families held in memory, families
/// per chunk of a large village).
fn read_village(
    families_conn: &mut Conn,
    persons_conn: &mut Conn,
    village: &str,
    (in_memory, chunk): (usize, i64),
    mut f: impl FnMut(Family, Vec<Person>) -> Result<(), StorageError>,
) -> Result<(), StorageError> {
    // Up to one more than a usual village holds: beyond that, families come in chunks below.
    let family_select = format!(
        "SELECT id, '', {} FROM families WHERE kode_wilayah = $1",
        facts_columns(FAMILY_FIELDS)
    );
    let family_codes = column_codes(2, FAMILY_FIELDS);
    let mut families: Vec<Family> = Vec::new();
    families_conn.for_each_coded(
        &format!("{family_select} ORDER BY id LIMIT {}", in_memory + 1),
        &[village.into()],
        &family_codes,
        |row| {
            families.push(family_from_row(row));
            Ok(())
        },
    )?;
    let person_select = format!(
        "SELECT '', '', family_id, {} FROM persons WHERE kode_wilayah = $1",
        facts_columns(PERSON_FIELDS)
    );
    let person_codes = column_codes(3, PERSON_FIELDS);
    if families.len() <= in_memory {
        // A village of a usual size: its members grouped in memory, read in storage order (no
        // sort of the village's rows; the assessment does not depend on member order).
        let mut by_family: std::collections::HashMap<String, Vec<Person>> =
            std::collections::HashMap::with_capacity(families.len());
        persons_conn.for_each_coded(&person_select, &[village.into()], &person_codes, |row| {
            let p = person_from_row(row);
            match by_family.get_mut(p.family_id.as_str()) {
                Some(members) => members.push(p),
                None => {
                    by_family.insert(p.family_id.clone(), vec![p]);
                }
            }
            Ok(())
        })?;
        for family in families {
            let members = by_family.remove(&family.id).unwrap_or_default();
            f(family, members)?;
        }
        return Ok(());
    }
    // A large village: members stream in family order; families are read alongside in chunks
    // of the same order (keyset paging), so neither is held whole.
    families.truncate(chunk as usize);
    let mut pending = std::collections::VecDeque::from(families);
    let mut last_read = pending.back().map(|f| f.id.clone());
    let mut next_family = |families_conn: &mut Conn,
                           pending: &mut std::collections::VecDeque<Family>|
     -> Result<Option<Family>, StorageError> {
        if pending.is_empty()
            && let Some(after) = last_read.take()
        {
            families_conn.for_each_coded(
                &format!("{family_select} AND id > $2 ORDER BY id LIMIT {chunk}"),
                &[village.into(), after.into()],
                &family_codes,
                |row| {
                    pending.push_back(family_from_row(row));
                    Ok(())
                },
            )?;
            last_read = pending.back().map(|f| f.id.clone());
        }
        Ok(pending.pop_front())
    };
    let mut members: Vec<Person> = Vec::new();
    let mut current: Option<Family> = None;
    let mut ahead: Option<Family> = next_family(families_conn, &mut pending)?;
    persons_conn.for_each_coded(
        &format!("{person_select} ORDER BY family_id, urutan, id"),
        &[village.into()],
        &person_codes,
        |row| {
            let p = person_from_row(row);
            if current.as_ref().map(|c| c.id.as_str()) != Some(p.family_id.as_str()) {
                if let Some(done) = current.take() {
                    f(done, std::mem::take(&mut members))?;
                }
                // Families before this one have no members.
                while ahead.as_ref().is_some_and(|x| x.id < p.family_id) {
                    let empty = ahead.take().expect("checked");
                    f(empty, Vec::new())?;
                    ahead = next_family(families_conn, &mut pending)?;
                }
                if ahead.as_ref().is_some_and(|x| x.id == p.family_id) {
                    current = ahead.take();
                    ahead = next_family(families_conn, &mut pending)?;
                }
            }
            if current.is_some() {
                members.push(p);
            }
            Ok(())
        },
    )?;
    if let Some(done) = current.take() {
        f(done, members)?;
    }
    while let Some(rest) = ahead.take() {
        f(rest, Vec::new())?;
        ahead = next_family(families_conn, &mut pending)?;
    }
    Ok(())
}

/// The villages holding families, in code order (or just `only` when given).
pub fn villages(conn: &mut Conn, only: Option<&str>) -> Result<Vec<String>, StorageError> {
    if let Some(v) = only {
        return Ok(vec![v.to_string()]);
    }
    conn.query(
        "SELECT DISTINCT kode_wilayah FROM families ORDER BY kode_wilayah",
        &[],
    )?
    .into_iter()
    .map(|r| Decode::named("families", "of a village", &r).text(0))
    .collect::<Result<_, _>>()
}

/// Everything the family page shows.
#[derive(Debug, Clone)]
pub struct FamilyView {
    pub family: Family,
    pub members: Vec<Person>,
    pub history: Vec<ChangeEntry>,
}

/// Loads a family for `actor` if `in_reach` accepts its village code, and records the view in
/// the audit log (a refused look is recorded too). `via` says where from (`web`, `api`).
pub fn family_view(
    conn: &mut Conn,
    id: &str,
    in_reach: impl Fn(&str) -> bool,
    actor: &str,
    via: &str,
    writer: Option<&crate::audit_writer::AuditWriter>,
) -> Result<Option<FamilyView>, StorageError> {
    family_view_with(conn, id, in_reach, actor, via, |conn, event| match writer {
        // Through the group-commit writer when the caller has one, else here.
        Some(w) => w.record(event),
        None => crate::audit::record(conn, &event),
    })
}

/// [`family_view`] with the audit row handed to `record` (which writes it, or queues it for a
/// caller that waits for its commit before showing the view).
pub fn family_view_with(
    conn: &mut Conn,
    id: &str,
    in_reach: impl Fn(&str) -> bool,
    actor: &str,
    via: &str,
    mut record: impl FnMut(&mut Conn, AuditEvent) -> Result<(), StorageError>,
) -> Result<Option<FamilyView>, StorageError> {
    let Some(family) = family_by_id(conn, id)? else {
        return Ok(None);
    };
    let village = family.text("kode_wilayah").unwrap_or_default().to_string();
    let event = |action| {
        AuditEvent::new(action, AuditEntity::Family, id)
            .by(actor)
            .in_village(&village)
            .detail(via)
    };
    if !in_reach(&village) {
        record(conn, event(AuditAction::ViewRefused))?;
        return Ok(None);
    }
    let members = members(conn, id)?;
    let history = family_history(conn, id)?;
    record(conn, event(AuditAction::View))?;
    Ok(Some(FamilyView {
        family,
        members,
        history,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{FamilyInput, WriteCtx, save_family};
    use crate::testing;
    use puskesos_domain::model::{Value, Values, field_index};

    /// A large village (streamed, families read in chunks) gives the same families with the
    /// same members as a usual one (held in memory), families without members included, at
    /// every chunk boundary.
    #[test]
    fn large_village_reads_like_a_usual_one() {
        for t in testing::all() {
            let mut c = t.db.conn().unwrap();
            let ctx = WriteCtx {
                actor: "test".into(),
                reason: None,
                source: "test".into(),
                now_ms: 1_700_000_000_000,
            };
            let kk_i = field_index(FAMILY_FIELDS, "no_kk").unwrap();
            let village_i = field_index(FAMILY_FIELDS, "kode_wilayah").unwrap();
            let nik_i = field_index(PERSON_FIELDS, "nik").unwrap();
            let name_i = field_index(PERSON_FIELDS, "nama").unwrap();
            for fam in 0..9u32 {
                let mut values = vec![None; FAMILY_FIELDS.len()];
                values[kk_i] = Some(Value::Text(format!("110101150215{:04}", fam + 1)));
                values[village_i] = Some(Value::Text("11.01.01.2001".into()));
                // Families 0, 4 and 8 have no members: first, middle and last.
                let members: Vec<Values> = (0..if fam % 4 == 0 { 0 } else { fam % 3 + 1 })
                    .map(|m| {
                        let mut p = vec![None; PERSON_FIELDS.len()];
                        p[nik_i] = Some(Value::Text(format!("11010141019{fam}{m:04}")));
                        p[name_i] = Some(Value::Text(format!("Orang {fam} {m}")));
                        p
                    })
                    .collect();
                save_family(&mut c, &FamilyInput::whole(values, members), &ctx).unwrap();
            }
            let read = |limits: (usize, i64)| {
                let (mut fc, mut pc) = (t.db.conn().unwrap(), t.db.conn().unwrap());
                let mut out = Vec::new();
                // (The assessment's read keeps names as presence flags: members are counted.)
                read_village(&mut fc, &mut pc, "11.01.01.2001", limits, |f, m| {
                    assert!(m.iter().all(|p| p.family_id == f.id));
                    out.push((f.id, m.len()));
                    Ok(())
                })
                .unwrap();
                out
            };
            let usual = read((100, 100));
            assert_eq!(usual.len(), 9, "{}", t.label);
            assert_eq!(usual.iter().filter(|(_, m)| *m == 0).count(), 3);
            assert_eq!(usual.iter().map(|(_, m)| m).sum::<usize>(), 12);
            for chunk in [1, 2, 3, 4, 8, 9, 50] {
                assert_eq!(read((2, chunk)), usual, "{}: chunk {chunk}", t.label);
            }
        }
    }
}
