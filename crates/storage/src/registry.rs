//! The registry repository: families and members, written only through functions that also
//! append to the change history. Nothing is deleted: a member who moves or dies is marked.

use std::sync::LazyLock;

use puskesos_domain::Message;
use puskesos_domain::model::{
    FAMILY_FIELDS, Family, Field, Kind, PERSON_FIELDS, Person, Record, Value, Values, diff,
    field_index,
};

use crate::db::{Conn, Row, SqlValue};
use crate::{StorageError, new_id};

/// Who writes, why, and where the data came from: stored with every change.
#[derive(Debug, Clone)]
pub struct WriteCtx {
    pub actor: String,
    pub reason: Option<String>,
    /// Origin of the data, e.g. `import:dtks.csv`, `demo`, `form`.
    pub source: String,
    pub now_ms: i64,
}

fn to_sql(v: &Option<Value>) -> SqlValue {
    match v {
        None => SqlValue::Null,
        Some(Value::Int(i)) => SqlValue::Int(*i),
        Some(Value::Num(n)) => SqlValue::Real(*n),
        Some(Value::Text(s)) => SqlValue::Text(s.clone()),
    }
}

fn from_sql(field: &Field, v: SqlValue) -> Option<Value> {
    match (v, field.kind) {
        (SqlValue::Null, _) => None,
        (SqlValue::Int(i), Kind::Num { .. }) => Some(Value::Num(i as f64)),
        (SqlValue::Real(r), Kind::Num { .. }) => Some(Value::Num(r)),
        (SqlValue::Int(i), _) => Some(Value::Int(i)),
        (SqlValue::Real(r), _) => Some(Value::Int(r as i64)),
        (SqlValue::Text(s), _) => Some(Value::Text(s)),
    }
}

fn column_list(fields: &[Field]) -> String {
    fields.iter().map(|f| f.key).collect::<Vec<_>>().join(", ")
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// SQL texts built once from the field tables.
struct Sql {
    family_select: String,
    family_insert: String,
    family_update: String,
    person_select: String,
    person_insert: String,
    person_update: String,
}

static SQL: LazyLock<Sql> = LazyLock::new(|| {
    let fc = column_list(FAMILY_FIELDS);
    let pc = column_list(PERSON_FIELDS);
    let nf = FAMILY_FIELDS.len();
    let np = PERSON_FIELDS.len();
    let sets = |fields: &[Field]| {
        fields
            .iter()
            .enumerate()
            .map(|(i, f)| format!("{} = ${}", f.key, i + 1))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Sql {
        family_select: format!("SELECT id, source, {fc} FROM families"),
        family_insert: format!(
            "INSERT INTO families ({fc}, id, source, created_at, updated_at, version) \
             VALUES ({}, ${}, ${}, ${}, ${}, 1)",
            placeholders(1, nf),
            nf + 1,
            nf + 2,
            nf + 3,
            nf + 3
        ),
        family_update: format!(
            "UPDATE families SET {}, updated_at = ${}, version = version + 1 WHERE id = ${}",
            sets(FAMILY_FIELDS),
            nf + 1,
            nf + 2
        ),
        person_select: format!("SELECT id, source, family_id, {pc} FROM persons"),
        person_insert: format!(
            "INSERT INTO persons ({pc}, kode_wilayah, id, family_id, urutan, source, created_at, \
             updated_at, version) VALUES ({}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, 1)",
            placeholders(1, np),
            np + 1,
            np + 2,
            np + 3,
            np + 4,
            np + 5,
            np + 6,
            np + 6
        ),
        person_update: format!(
            "UPDATE persons SET {}, kode_wilayah = ${}, updated_at = ${}, version = version + 1 \
             WHERE id = ${}",
            sets(PERSON_FIELDS),
            np + 1,
            np + 2,
            np + 3
        ),
    }
});

fn family_from_row(row: Row) -> Family {
    let mut it = row.into_iter();
    let id = it
        .next()
        .and_then(SqlValue::into_string)
        .unwrap_or_default();
    let source = it
        .next()
        .and_then(SqlValue::into_string)
        .unwrap_or_default();
    let values = FAMILY_FIELDS
        .iter()
        .zip(it)
        .map(|(f, v)| from_sql(f, v))
        .collect();
    Family { id, values, source }
}

fn person_from_row(row: Row) -> Person {
    let mut it = row.into_iter();
    let id = it
        .next()
        .and_then(SqlValue::into_string)
        .unwrap_or_default();
    let source = it
        .next()
        .and_then(SqlValue::into_string)
        .unwrap_or_default();
    let family_id = it
        .next()
        .and_then(SqlValue::into_string)
        .unwrap_or_default();
    let values = PERSON_FIELDS
        .iter()
        .zip(it)
        .map(|(f, v)| from_sql(f, v))
        .collect();
    Person {
        id,
        family_id,
        values,
        source,
    }
}

pub fn family_by_kk(conn: &mut Conn, no_kk: &str) -> Result<Option<Family>, StorageError> {
    let sql = format!("{} WHERE no_kk = $1", SQL.family_select);
    Ok(conn.query_opt(&sql, &[no_kk.into()])?.map(family_from_row))
}

pub fn family_by_id(conn: &mut Conn, id: &str) -> Result<Option<Family>, StorageError> {
    let sql = format!("{} WHERE id = $1", SQL.family_select);
    Ok(conn.query_opt(&sql, &[id.into()])?.map(family_from_row))
}

/// Members of a family in their order on the family card.
pub fn members(conn: &mut Conn, family_id: &str) -> Result<Vec<Person>, StorageError> {
    let sql = format!(
        "{} WHERE family_id = $1 ORDER BY urutan, id",
        SQL.person_select
    );
    Ok(conn
        .query(&sql, &[family_id.into()])?
        .into_iter()
        .map(person_from_row)
        .collect())
}

/// The person holding a NIK, with the KK number of their family.
pub fn person_by_nik(conn: &mut Conn, nik: &str) -> Result<Option<(Person, String)>, StorageError> {
    let sql = format!(
        "SELECT p.id, p.source, p.family_id, {}, f.no_kk FROM persons p \
         JOIN families f ON f.id = p.family_id WHERE p.nik = $1",
        PERSON_FIELDS
            .iter()
            .map(|f| format!("p.{}", f.key))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(conn.query_opt(&sql, &[nik.into()])?.map(|mut row| {
        let kk = row
            .pop()
            .and_then(SqlValue::into_string)
            .unwrap_or_default();
        (person_from_row(row), kk)
    }))
}

fn changes_json(fields: &[Field], old: Option<&Values>, new: &Values) -> String {
    let empty: Values = vec![None; fields.len()];
    let changed = diff(fields, old.unwrap_or(&empty), new);
    let map: serde_json::Map<String, serde_json::Value> = changed
        .into_iter()
        .map(|(k, o, n)| (k.to_string(), serde_json::json!([o, n])))
        .collect();
    serde_json::Value::Object(map).to_string()
}

#[allow(clippy::too_many_arguments)]
fn record_change(
    conn: &mut Conn,
    village: &str,
    entity: &str,
    entity_id: &str,
    family_id: &str,
    action: &str,
    changed: String,
    ctx: &WriteCtx,
) -> Result<(), StorageError> {
    conn.execute(
        "INSERT INTO changes (kode_wilayah, id, at, entity, entity_id, family_id, action, \
         changed, actor, reason, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            village.into(),
            new_id().into(),
            SqlValue::Int(ctx.now_ms),
            entity.into(),
            entity_id.into(),
            family_id.into(),
            action.into(),
            changed.into(),
            ctx.actor.as_str().into(),
            ctx.reason.clone().into(),
            ctx.source.as_str().into(),
        ],
    )?;
    Ok(())
}

fn village_of(values: &Values) -> String {
    field_index(FAMILY_FIELDS, "kode_wilayah")
        .and_then(|i| values[i].as_ref())
        .and_then(Value::as_text)
        .unwrap_or_default()
        .to_string()
}

/// Creates a family (its `id` must be new) and records the creation.
pub fn insert_family(conn: &mut Conn, family: &Family, ctx: &WriteCtx) -> Result<(), StorageError> {
    let mut params: Vec<SqlValue> = family.values.iter().map(to_sql).collect();
    params.push(family.id.as_str().into());
    params.push(ctx.source.as_str().into());
    params.push(SqlValue::Int(ctx.now_ms));
    conn.execute(&SQL.family_insert, &params)?;
    let village = village_of(&family.values);
    let changed = changes_json(FAMILY_FIELDS, None, &family.values);
    record_change(
        conn, &village, "family", &family.id, &family.id, "create", changed, ctx,
    )
}

/// Writes new values of a family if any differ; returns whether something changed.
pub fn update_family(
    conn: &mut Conn,
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
    let changed = changes_json(FAMILY_FIELDS, Some(&old.values), new_values);
    let village = village_of(new_values);
    record_change(
        conn, &village, "family", &old.id, &old.id, "update", changed, ctx,
    )?;
    // Members carry the village code for sharding: keep it in step when a family moves.
    if village_of(&old.values) != village {
        conn.execute(
            "UPDATE persons SET kode_wilayah = $1 WHERE family_id = $2",
            &[village.as_str().into(), old.id.as_str().into()],
        )?;
    }
    Ok(true)
}

/// Creates a member of a family and records the creation.
pub fn insert_person(
    conn: &mut Conn,
    person: &Person,
    village: &str,
    position: i64,
    ctx: &WriteCtx,
) -> Result<(), StorageError> {
    let mut params: Vec<SqlValue> = person.values.iter().map(to_sql).collect();
    params.push(village.into());
    params.push(person.id.as_str().into());
    params.push(person.family_id.as_str().into());
    params.push(SqlValue::Int(position));
    params.push(ctx.source.as_str().into());
    params.push(SqlValue::Int(ctx.now_ms));
    conn.execute(&SQL.person_insert, &params)?;
    let changed = changes_json(PERSON_FIELDS, None, &person.values);
    record_change(
        conn,
        village,
        "person",
        &person.id,
        &person.family_id,
        "create",
        changed,
        ctx,
    )
}

/// Writes new values of a member if any differ; returns whether something changed.
pub fn update_person(
    conn: &mut Conn,
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
    let changed = changes_json(PERSON_FIELDS, Some(&old.values), new_values);
    // Marking a member moved or dead is its own kind of change, easy to find in the history.
    let status_i = field_index(PERSON_FIELDS, "status");
    let action = match status_i {
        Some(i) if old.values[i] != new_values[i] => "mark",
        _ => "update",
    };
    record_change(
        conn,
        village,
        "person",
        &old.id,
        &old.family_id,
        action,
        changed,
        ctx,
    )?;
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
    let kk_i = field_index(FAMILY_FIELDS, "no_kk").expect("no_kk field");
    let nik_i = field_index(PERSON_FIELDS, "nik").expect("nik field");
    let kk = input.values[kk_i]
        .as_ref()
        .and_then(Value::as_text)
        .ok_or_else(|| StorageError::Corrupt("family without KK number".into()))?
        .to_string();
    let mut out = SaveOutcome::default();
    let (family, existing) = match family_by_kk(conn, &kk)? {
        Some(old) => {
            let merged = merge(&input.family_present, &old.values, &input.values);
            out.family_updated = update_family(conn, &old, &merged, ctx)?;
            let members = members(conn, &old.id)?;
            (
                Family {
                    values: merged,
                    ..old
                },
                members,
            )
        }
        None => {
            let family = Family {
                id: new_id(),
                values: input.values.clone(),
                source: ctx.source.clone(),
            };
            insert_family(conn, &family, ctx)?;
            out.family_created = true;
            (family, Vec::new())
        }
    };
    let village = village_of(&family.values);
    let mut next_position = existing.len() as i64;
    for (reference, values) in &input.members {
        let Some(nik) = values[nik_i].as_ref().and_then(Value::as_text) else {
            continue;
        };
        if let Some(old) = existing.iter().find(|p| p.text("nik") == Some(nik)) {
            let merged = merge(&input.person_present, &old.values, values);
            if update_person(conn, old, &merged, &village, ctx)? {
                out.persons_updated += 1;
            } else {
                out.persons_unchanged += 1;
            }
            continue;
        }
        if let Some((_, other_kk)) = person_by_nik(conn, nik)? {
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
        let person = Person {
            id: new_id(),
            family_id: family.id.clone(),
            values: values.clone(),
            source: ctx.source.clone(),
        };
        insert_person(conn, &person, &village, next_position, ctx)?;
        next_position += 1;
        out.persons_created += 1;
    }
    out.family_id = family.id;
    Ok(out)
}

/// One entry of the change history.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeEntry {
    pub id: String,
    pub at_ms: i64,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    /// `(field, old, new)`.
    pub changed: Vec<(String, Option<String>, Option<String>)>,
    pub actor: String,
    pub reason: Option<String>,
    pub source: String,
}

/// The whole history of a family and its members, oldest first.
pub fn family_history(conn: &mut Conn, family_id: &str) -> Result<Vec<ChangeEntry>, StorageError> {
    let rows = conn.query(
        "SELECT id, at, entity, entity_id, action, changed, actor, reason, source FROM changes \
         WHERE family_id = $1 ORDER BY id",
        &[family_id.into()],
    )?;
    rows.into_iter().map(change_from_row).collect()
}

fn change_from_row(row: Row) -> Result<ChangeEntry, StorageError> {
    let [
        id,
        at,
        entity,
        entity_id,
        action,
        changed,
        actor,
        reason,
        source,
    ]: [SqlValue; 9] = row
        .try_into()
        .map_err(|_| StorageError::Corrupt("change row has the wrong width".into()))?;
    let json: serde_json::Value = serde_json::from_str(changed.as_str().unwrap_or("{}"))
        .map_err(|e| StorageError::Corrupt(format!("change {id:?}: {e}")))?;
    let changed = json
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let s = |i: usize| v.get(i).and_then(|x| x.as_str()).map(str::to_string);
                    (k.clone(), s(0), s(1))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(ChangeEntry {
        id: id.into_string().unwrap_or_default(),
        at_ms: at.as_i64().unwrap_or(0),
        entity: entity.into_string().unwrap_or_default(),
        entity_id: entity_id.into_string().unwrap_or_default(),
        action: action.into_string().unwrap_or_default(),
        changed,
        actor: actor.into_string().unwrap_or_default(),
        reason: reason.into_string(),
        source: source.into_string().unwrap_or_default(),
    })
}

/// Numbers of families and of persons in the whole database.
pub fn counts(conn: &mut Conn) -> Result<(i64, i64), StorageError> {
    Ok((
        conn.query_i64("SELECT COUNT(*) FROM families", &[])?,
        conn.query_i64("SELECT COUNT(*) FROM persons", &[])?,
    ))
}

/// Records one processing of personal data in the audit log (UU 27/2022 Ps 31).
pub fn audit(
    conn: &mut Conn,
    village: &str,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    detail: Option<&str>,
) -> Result<(), StorageError> {
    conn.execute(
        "INSERT INTO audit_log (kode_wilayah, id, at, actor, action, entity, entity_id, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            village.into(),
            new_id().into(),
            SqlValue::Int(crate::now_ms()),
            actor.into(),
            action.into(),
            entity.into(),
            entity_id.into(),
            detail.map(str::to_string).into(),
        ],
    )?;
    Ok(())
}

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
