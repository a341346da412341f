//! Edits from a form: a family's or a member's facts changed, a KK number or NIK checked
//! against the rest of the registry first.

use puskesos_domain::Message;
use puskesos_domain::model::{
    FAMILY_FIELDS, PERSON_FIELDS, Person, Record, Value, Values, field_index,
};

use super::WriteCtx;
use super::families::{family_by_id, family_by_kk, refresh_head, update_family};
use super::history::ChangeSet;
use super::members::{nik_holder, update_person};
use super::rows::{SQL, person_from_row, village_of};
use crate::StorageError;
use crate::db::Conn;

/// Why a form's change was refused by the registry (the form shows it next to the field).
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub field: &'static str,
    pub message: Message,
}

fn refusal(field: &'static str, message: Message) -> Result<Result<bool, Refusal>, StorageError> {
    Ok(Err(Refusal { field, message }))
}

/// Changes a family's facts (a form edit). A new KK number must not belong to another family.
/// Returns whether anything changed.
pub fn edit_family(
    conn: &mut Conn,
    family_id: &str,
    new_values: &Values,
    ctx: &WriteCtx,
) -> Result<Result<bool, Refusal>, StorageError> {
    let Some(old) = family_by_id(conn, family_id)? else {
        return refusal("no_kk", Message::new("web-not-found"));
    };
    let new_kk = new_values[field_index(FAMILY_FIELDS, "no_kk").expect("no_kk")]
        .as_ref()
        .and_then(Value::as_text)
        .unwrap_or_default();
    if Some(new_kk) != old.text("no_kk")
        && let Some(other) = family_by_kk(conn, new_kk)?
    {
        return refusal(
            "no_kk",
            Message::new("kk-taken").arg("kk", other.text("no_kk").unwrap_or_default()),
        );
    }
    let mut changes = ChangeSet::new(&village_of(new_values), &old.id);
    let changed = update_family(conn, &mut changes, &old, new_values, ctx)?;
    changes.record(conn, ctx)?;
    Ok(Ok(changed))
}

/// Changes a member (a form edit, or marking them moved or dead). A new NIK must not belong to
/// anyone else. Returns whether anything changed.
pub fn edit_person(
    conn: &mut Conn,
    person_id: &str,
    new_values: &Values,
    ctx: &WriteCtx,
) -> Result<Result<bool, Refusal>, StorageError> {
    let Some((old, village)) = person_by_id(conn, person_id)? else {
        return refusal("nik", Message::new("web-not-found"));
    };
    let new_nik = new_values[field_index(PERSON_FIELDS, "nik").expect("nik")]
        .as_ref()
        .and_then(Value::as_text)
        .unwrap_or_default();
    if Some(new_nik) != old.text("nik")
        && let Some(kk) = nik_holder(conn, new_nik)?
    {
        return refusal(
            "nik",
            Message::new("nik-taken").arg("nik", new_nik).arg("kk", kk),
        );
    }
    let mut changes = ChangeSet::new(&village, &old.family_id);
    let changed = update_person(conn, &mut changes, &old, new_values, &village, ctx)?;
    if changed {
        refresh_head(conn, &old.family_id)?;
    }
    changes.record(conn, ctx)?;
    Ok(Ok(changed))
}

/// A member by id, with the village of their family (for the reach check).
pub fn person_by_id(conn: &mut Conn, id: &str) -> Result<Option<(Person, String)>, StorageError> {
    let sql = format!("{} WHERE id = $1", SQL.person_select);
    let Some(person) = conn.query_opt(&sql, &[id.into()])?.map(person_from_row) else {
        return Ok(None);
    };
    let village = family_by_id(conn, &person.family_id)?
        .map(|f| village_of(&f.values))
        .unwrap_or_default();
    Ok(Some((person, village)))
}
