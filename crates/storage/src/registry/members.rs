//! Members: found by NIK, created with their family, updated (a form, an import, marking them
//! moved or dead), with their name words kept in the search index.

use puskesos_domain::model::{Field, PERSON_FIELDS, Person, Record, Value, Values, field_index};

use super::WriteCtx;
use super::history::{ChangeSet, changes_json};
use super::names::index_name;
use super::rows::{SQL, lend, person_from_row, to_sql};
use crate::StorageError;
use crate::db::{Conn, Param, SqlValue};

/// The person holding a NIK, with the KK number of their family.
pub fn person_by_nik(conn: &mut Conn, nik: &str) -> Result<Option<(Person, String)>, StorageError> {
    Ok(conn
        .query_opt(&SQL.person_by_nik, &[nik.into()])?
        .map(|mut row| {
            let kk = row
                .pop()
                .and_then(SqlValue::into_string)
                .unwrap_or_default();
            (person_from_row(row), kk)
        }))
}

/// The KK number of the family holding a NIK, if any (the cheap check before a new member).
pub fn nik_holder(conn: &mut Conn, nik: &str) -> Result<Option<String>, StorageError> {
    Ok(conn
        .query_opt(
            "SELECT f.no_kk FROM persons p JOIN families f ON f.id = p.family_id WHERE p.nik = $1",
            &[nik.into()],
        )?
        .and_then(|r| r.into_iter().next())
        .and_then(SqlValue::into_string))
}

/// A member a save creates: its new id and the input's values, lent rather than copied.
pub(super) struct NewMember<'a> {
    pub(super) id: String,
    pub(super) values: &'a Values,
    /// Place on the family card.
    pub(super) position: i64,
}

impl Record for NewMember<'_> {
    fn fields() -> &'static [Field] {
        PERSON_FIELDS
    }
    fn values(&self) -> &Values {
        self.values
    }
}

/// Creates members of one family. One single-row statement each: a multi-row `INSERT` makes
/// SQLite keep a statement journal, which measured slower (48k vs 62k rows/s on import).
/// `index_names` is false during a bulk load, which indexes all names at its end.
pub(super) fn insert_members(
    conn: &mut Conn,
    changes: &mut ChangeSet,
    members: &[NewMember],
    family_id: &str,
    village: &str,
    ctx: &WriteCtx,
    index_names: bool,
) -> Result<(), StorageError> {
    let mut params: Vec<Param> = Vec::with_capacity(PERSON_FIELDS.len() + 6);
    for member in members {
        params.clear();
        params.extend(member.values.iter().map(lend));
        params.push(village.into());
        params.push(member.id.as_str().into());
        params.push(family_id.into());
        params.push(Param::Int(member.position));
        params.push(ctx.source.as_str().into());
        params.push(Param::Int(ctx.now_ms));
        conn.execute_lent(&SQL.person_insert, &params)?;
        if index_names {
            index_name(
                conn,
                village,
                &member.id,
                family_id,
                member.text("nama"),
                true,
            )?;
        }
        changes.push_created("person", &member.id, PERSON_FIELDS, member.values);
    }
    Ok(())
}

/// Writes new values of a member if any differ; returns whether something changed.
pub fn update_person(
    conn: &mut Conn,
    changes: &mut ChangeSet,
    old: &Person,
    new_values: &Values,
    village: &str,
    ctx: &WriteCtx,
) -> Result<bool, StorageError> {
    if &old.values == new_values {
        return Ok(false);
    }
    let mut params: Vec<SqlValue> = new_values.iter().map(to_sql).collect();
    params.push(village.into());
    params.push(SqlValue::Int(ctx.now_ms));
    params.push(old.id.as_str().into());
    conn.execute(&SQL.person_update, &params)?;
    let name_i = field_index(PERSON_FIELDS, "nama").expect("nama field");
    if old.values[name_i] != new_values[name_i] {
        // The member's village is the family's, kept in step by `update_family`.
        index_name(
            conn,
            village,
            &old.id,
            &old.family_id,
            old.text("nama"),
            false,
        )?;
        let new_name = new_values[name_i].as_ref().and_then(Value::as_text);
        index_name(conn, village, &old.id, &old.family_id, new_name, true)?;
    }
    let fields = changes_json(PERSON_FIELDS, Some(&old.values), new_values);
    // Marking a member moved or dead is its own kind of change, easy to find in the history.
    let status_i = field_index(PERSON_FIELDS, "status");
    let action = match status_i {
        Some(i) if old.values[i] != new_values[i] => "mark",
        _ => "update",
    };
    changes.push("person", &old.id, action, fields);
    Ok(true)
}
