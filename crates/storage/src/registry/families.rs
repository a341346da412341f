//! Families: read by id or KK number, saved with their members (a form, an import, the demo,
//! a bulk load), edited from a form.

use puskesos_domain::Message;
use puskesos_domain::model::{
    FAMILY_FIELDS, Family, PERSON_FIELDS, Person, Record, Value, Values, field_index,
};

use super::WriteCtx;
use super::history::{ChangeSet, changes_json};
use super::members::{NewMember, insert_members, nik_holder, update_person};
use super::rows::{SQL, family_from_row, lend, person_from_row, to_sql, village_of};
use crate::db::{Conn, Param, SqlValue};
use crate::{StorageError, new_id};

/// What a bulk load keeps in memory in place of the indexes it dropped (`bulk_load::BulkLoad`):
/// a save during the load asks it instead of the database, and tells it what it stored.
pub(crate) trait LoadMemory {
    /// The id of the family with this KK number, if the load stored it.
    fn family_of(&self, kk: &str) -> Result<Option<String>, StorageError>;
    /// The KK number of the family holding this NIK, if the load stored it.
    fn holder_of(&self, nik: &str) -> Result<Option<String>, StorageError>;
    fn remember_family(&mut self, kk: &str, id: &str) -> Result<(), StorageError>;
    fn remember_member(&mut self, nik: &str, kk: &str) -> Result<(), StorageError>;
    /// A family created by the load, with the members created with it, for the name index.
    fn remember_names<'a>(
        &mut self,
        village: &str,
        family_id: &str,
        members: &mut dyn Iterator<Item = (&'a str, Option<&'a str>)>,
    ) -> Result<(), StorageError>;
    /// A family saved earlier in the load is saved again (its names are then indexed from the
    /// stored members at the end).
    fn family_saved_again(&mut self);
}

pub fn family_by_kk(conn: &mut Conn, no_kk: &str) -> Result<Option<Family>, StorageError> {
    Ok(conn
        .query_opt(&SQL.family_by_kk, &[no_kk.into()])?
        .map(family_from_row))
}

pub fn family_by_id(conn: &mut Conn, id: &str) -> Result<Option<Family>, StorageError> {
    Ok(conn
        .query_opt(&SQL.family_by_id, &[id.into()])?
        .map(family_from_row))
}

/// Members of a family in their order on the family card.
pub fn members(conn: &mut Conn, family_id: &str) -> Result<Vec<Person>, StorageError> {
    Ok(conn
        .query(&SQL.members, &[family_id.into()])?
        .into_iter()
        .map(person_from_row)
        .collect())
}

/// Creates a family (its `id` must be new) whose members will be `members` (the head and the
/// count of a search result line are stored with the family).
fn insert_family(
    conn: &mut Conn,
    changes: &mut ChangeSet,
    family: &Family,
    members: &[NewMember],
    ctx: &WriteCtx,
) -> Result<(), StorageError> {
    let mut params: Vec<Param> = family.values.iter().map(lend).collect();
    params.push(family.id.as_str().into());
    params.push(ctx.source.as_str().into());
    params.push(Param::Int(ctx.now_ms));
    let head = members.first();
    params.push(head.and_then(|p| p.text("nama")).into());
    params.push(head.and_then(|p| p.text("nik")).into());
    params.push(Param::Int(members.len() as i64));
    conn.execute_lent(&SQL.family_insert, &params)?;
    changes.push_created("family", &family.id, FAMILY_FIELDS, &family.values);
    Ok(())
}

/// Stores a family's head (its first member) and member count again after its members changed.
pub(super) fn refresh_head(conn: &mut Conn, family_id: &str) -> Result<(), StorageError> {
    conn.execute(
        "UPDATE families SET \
         kepala_nama = (SELECT p.nama FROM persons p WHERE p.family_id = $1 \
                        ORDER BY p.urutan, p.id LIMIT 1), \
         kepala_nik = (SELECT p.nik FROM persons p WHERE p.family_id = $1 \
                       ORDER BY p.urutan, p.id LIMIT 1), \
         jumlah_anggota = (SELECT COUNT(*) FROM persons p WHERE p.family_id = $1) \
         WHERE id = $1",
        &[family_id.into()],
    )?;
    Ok(())
}

/// Writes new values of a family if any differ; returns whether something changed.
pub fn update_family(
    conn: &mut Conn,
    changes: &mut ChangeSet,
    old: &Family,
    new_values: &Values,
    ctx: &WriteCtx,
) -> Result<bool, StorageError> {
    if &old.values == new_values {
        return Ok(false);
    }
    let mut params: Vec<SqlValue> = new_values.iter().map(to_sql).collect();
    params.push(SqlValue::Int(ctx.now_ms));
    params.push(old.id.as_str().into());
    conn.execute(&SQL.family_update, &params)?;
    let fields = changes_json(FAMILY_FIELDS, Some(&old.values), new_values);
    changes.push("family", &old.id, "update", fields);
    // Members carry the village code for sharding: keep it in step when a family moves.
    let village = village_of(new_values);
    if village_of(&old.values) != village {
        conn.execute(
            "UPDATE persons SET kode_wilayah = $1 WHERE family_id = $2",
            &[village.as_str().into(), old.id.as_str().into()],
        )?;
        conn.execute(
            "UPDATE person_names SET kode_wilayah = $1 WHERE family_id = $2",
            &[village.as_str().into(), old.id.as_str().into()],
        )?;
    }
    Ok(true)
}

/// Incoming facts of one family and its members, e.g. from one group of import rows.
#[derive(Debug, Clone)]
pub struct FamilyInput {
    pub values: Values,
    /// Which fields the source gives: absent fields keep their stored value.
    pub family_present: Vec<bool>,
    pub person_present: Vec<bool>,
    /// `(reference, values)`; the reference (a row number) comes back with a refusal.
    pub members: Vec<(u64, Values)>,
}

impl FamilyInput {
    /// A family and its members with every field given (absent values are empty, not
    /// "keep"): what a form, the demo or a test saves. Members are numbered from 0.
    pub fn whole(values: Values, members: Vec<Values>) -> FamilyInput {
        FamilyInput {
            values,
            family_present: vec![true; FAMILY_FIELDS.len()],
            person_present: vec![true; PERSON_FIELDS.len()],
            members: members
                .into_iter()
                .enumerate()
                .map(|(i, m)| (i as u64, m))
                .collect(),
        }
    }
}

/// What saving a family did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SaveOutcome {
    pub family_id: String,
    pub family_created: bool,
    pub family_updated: bool,
    pub persons_created: u64,
    pub persons_updated: u64,
    pub persons_unchanged: u64,
    /// Members refused, with the reason: `(reference, field, value, message)`.
    pub refused: Vec<(u64, &'static str, String, Message)>,
}

fn merge(present: &[bool], old: &Values, new: &Values) -> Values {
    present
        .iter()
        .zip(old.iter().zip(new))
        .map(|(p, (o, n))| if *p { n.clone() } else { o.clone() })
        .collect()
}

/// Creates or updates a family and its members by KK and NIK, leaving the history of every
/// change. Members already stored but absent from the input are kept as they are. A member whose
/// NIK belongs to a person of another family is refused, with that family named.
pub fn save_family(
    conn: &mut Conn,
    input: &FamilyInput,
    ctx: &WriteCtx,
) -> Result<SaveOutcome, StorageError> {
    save_family_in(conn, input, ctx, None)
}

/// [`save_family`], or during a bulk load (`bulk_load::BulkLoad`) with its lookups in memory and the name index left
/// for the load's end.
pub(crate) fn save_family_in(
    conn: &mut Conn,
    input: &FamilyInput,
    ctx: &WriteCtx,
    mut bulk: Option<&mut dyn LoadMemory>,
) -> Result<SaveOutcome, StorageError> {
    let kk_i = field_index(FAMILY_FIELDS, "no_kk").expect("no_kk field");
    let nik_i = field_index(PERSON_FIELDS, "nik").expect("nik field");
    let kk = input.values[kk_i]
        .as_ref()
        .and_then(Value::as_text)
        .ok_or_else(|| StorageError::Corrupt("family without KK number".into()))?
        .to_string();
    let mut out = SaveOutcome::default();
    let stored = match bulk.as_deref() {
        Some(load) => match load.family_of(&kk)? {
            Some(id) => family_by_id(conn, &id)?,
            None => None,
        },
        None => family_by_kk(conn, &kk)?,
    };
    let (family, existing, mut changes, created) = match stored {
        Some(old) => {
            if let Some(load) = bulk.as_deref_mut() {
                load.family_saved_again();
            }
            let mut changes = ChangeSet::new(&village_of(&old.values), &old.id);
            let merged = merge(&input.family_present, &old.values, &input.values);
            out.family_updated = update_family(conn, &mut changes, &old, &merged, ctx)?;
            let members = members(conn, &old.id)?;
            let family = Family {
                values: merged,
                ..old
            };
            (family, members, changes, false)
        }
        None => {
            let family = Family {
                id: new_id(),
                values: input.values.clone(),
                source: ctx.source.clone(),
            };
            let changes = ChangeSet::new(&village_of(&family.values), &family.id);
            // Written below, once its members are known.
            out.family_created = true;
            (family, Vec::new(), changes, true)
        }
    };
    let village = village_of(&family.values);
    let mut next_position = existing.len() as i64;
    let mut new_members: Vec<NewMember> = Vec::new();
    for (reference, values) in &input.members {
        let Some(nik) = values[nik_i].as_ref().and_then(Value::as_text) else {
            continue;
        };
        if let Some(old) = existing.iter().find(|p| p.text("nik") == Some(nik)) {
            let merged = merge(&input.person_present, &old.values, values);
            if update_person(conn, &mut changes, old, &merged, &village, ctx)? {
                out.persons_updated += 1;
            } else {
                out.persons_unchanged += 1;
            }
            continue;
        }
        // The input itself was checked for a NIK twice; here only other families matter.
        let holder = match bulk.as_deref() {
            Some(load) => load.holder_of(nik)?,
            None => nik_holder(conn, nik)?,
        };
        if let Some(other_kk) = holder {
            out.refused.push((
                *reference,
                "nik",
                nik.to_string(),
                Message::new("nik-taken")
                    .arg("nik", nik)
                    .arg("kk", other_kk),
            ));
            continue;
        }
        new_members.push(NewMember {
            id: new_id(),
            values,
            position: next_position,
        });
        next_position += 1;
    }
    out.persons_created = new_members.len() as u64;
    if let Some(load) = bulk.as_deref_mut() {
        load.remember_family(&kk, &family.id)?;
        for member in &new_members {
            load.remember_member(member.text("nik").unwrap_or_default(), &kk)?;
        }
        if created {
            load.remember_names(
                &village,
                &family.id,
                &mut new_members.iter().map(|m| (m.id.as_str(), m.text("nama"))),
            )?;
        }
    }
    if created {
        insert_family(conn, &mut changes, &family, &new_members, ctx)?;
    }
    insert_members(
        conn,
        &mut changes,
        &new_members,
        &family.id,
        &village,
        ctx,
        bulk.is_none(),
    )?;
    if !created && (out.persons_created > 0 || out.persons_updated > 0) {
        refresh_head(conn, &family.id)?;
    }
    changes.record(conn, ctx)?;
    out.family_id = family.id;
    Ok(out)
}
