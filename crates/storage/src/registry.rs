//! The registry repository: families and members, written only through functions that also
//! append to the change history. Nothing is deleted: a member who moves or dies is marked.

use std::sync::LazyLock;

use puskesos_domain::Message;
use puskesos_domain::model::{
    FAMILY_FIELDS, Family, Field, Kind, PERSON_FIELDS, Person, Record, Value, Values, diff,
    field_index,
};

use crate::bulk_load::BulkLoad;
use crate::db::{Conn, Param, Row, SqlValue};
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
        Some(Value::Code(c)) => SqlValue::Code(c),
    }
}

/// A value lent to a statement (bulk writes: no copy of each text).
fn lend(v: &Option<Value>) -> Param<'_> {
    match v {
        None => Param::Null,
        Some(Value::Int(i)) => Param::Int(*i),
        Some(Value::Num(n)) => Param::Real(*n),
        Some(Value::Text(s)) => Param::Text(s),
        Some(Value::Code(c)) => Param::Text(c),
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
        (SqlValue::Code(c), _) => Some(Value::Code(c)),
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
    person_select: String,
    family_by_kk: String,
    family_by_id: String,
    members: String,
    person_by_nik: String,
    family_insert: String,
    family_update: String,
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
    let family_select = format!("SELECT id, source, {fc} FROM families");
    let person_select = format!("SELECT id, source, family_id, {pc} FROM persons");
    let prefixed_pc = PERSON_FIELDS
        .iter()
        .map(|f| format!("p.{}", f.key))
        .collect::<Vec<_>>()
        .join(", ");
    Sql {
        person_select: person_select.clone(),
        family_by_kk: format!("{family_select} WHERE no_kk = $1"),
        family_by_id: format!("{family_select} WHERE id = $1"),
        members: format!("{person_select} WHERE family_id = $1 ORDER BY urutan, id"),
        person_by_nik: format!(
            "SELECT p.id, p.source, p.family_id, {prefixed_pc}, f.no_kk FROM persons p \
             JOIN families f ON f.id = p.family_id WHERE p.nik = $1"
        ),
        family_insert: format!(
            "INSERT INTO families ({fc}, id, source, created_at, updated_at, version, \
             kepala_nama, kepala_nik, jumlah_anggota) \
             VALUES ({}, ${}, ${}, ${}, ${}, 1, ${}, ${}, ${})",
            placeholders(1, nf),
            nf + 1,
            nf + 2,
            nf + 3,
            nf + 3,
            nf + 4,
            nf + 5,
            nf + 6
        ),
        family_update: format!(
            "UPDATE families SET {}, updated_at = ${}, version = version + 1 WHERE id = ${}",
            sets(FAMILY_FIELDS),
            nf + 1,
            nf + 2
        ),
        person_insert: format!(
            "INSERT INTO persons ({pc}, kode_wilayah, id, family_id, urutan, source, created_at, \
             updated_at, version) VALUES ({}, ${}, 1)",
            placeholders(1, np + 6),
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

/// The next column as text (empty when NULL).
fn next_text(it: &mut impl Iterator<Item = SqlValue>) -> String {
    it.next()
        .and_then(SqlValue::into_string)
        .unwrap_or_default()
}

fn family_from_row(row: Row) -> Family {
    let mut it = row.into_iter();
    let id = next_text(&mut it);
    let source = next_text(&mut it);
    let values = FAMILY_FIELDS
        .iter()
        .zip(it)
        .map(|(f, v)| from_sql(f, v))
        .collect();
    Family { id, values, source }
}

fn person_from_row(row: Row) -> Person {
    let mut it = row.into_iter();
    let id = next_text(&mut it);
    let source = next_text(&mut it);
    let family_id = next_text(&mut it);
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

/// Appends `text` as a JSON string: as it is when nothing in it needs escaping (names, codes,
/// dates: nearly every value), else through serde_json.
fn push_json_str(out: &mut String, text: &str) {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(text).unwrap_or_else(|_| "null".to_string()));
    }
}

/// Appends a created record's values as JSON `{"field": value}` (known values only; numbers as
/// numbers). Half the size of the `[old, new]` form, and an import writes one per record, so
/// it is written straight into the change set's text.
fn push_values_json(out: &mut String, fields: &[Field], values: &Values) {
    use std::fmt::Write;
    out.push('{');
    let mut first = true;
    for (f, v) in fields.iter().zip(values) {
        let Some(v) = v else { continue };
        if !first {
            out.push(',');
        }
        first = false;
        out.push('"');
        out.push_str(f.key);
        out.push_str("\":");
        match v {
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Num(n) => match serde_json::Number::from_f64(*n) {
                Some(n) => {
                    let _ = write!(out, "{n}");
                }
                None => out.push_str("null"),
            },
            Value::Text(_) | Value::Code(_) => push_json_str(out, v.as_text().unwrap_or_default()),
        }
    }
    out.push('}');
}

/// The changed fields as JSON `{"field": [old, new]}`.
fn changes_json(fields: &[Field], old: Option<&Values>, new: &Values) -> String {
    let empty: Values = vec![None; fields.len()];
    let changed = diff(fields, old.unwrap_or(&empty), new);
    let mut out = String::with_capacity(32 * changed.len() + 2);
    out.push('{');
    for (i, (key, o, n)) in changed.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // Keys are field names (plain ASCII); values are escaped where they need it.
        out.push('"');
        out.push_str(key);
        out.push_str("\":[");
        for (j, v) in [o, n].into_iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            match v {
                Some(text) => push_json_str(&mut out, text),
                None => out.push_str("null"),
            }
        }
        out.push(']');
    }
    out.push('}');
    out
}

/// The changes of one save of a family (the unit of consistency): every entity created or
/// changed, written as **one** row of `changes` with a JSON array of entries
/// `{"entity", "id", "action": "update"|"mark", "fields": {"field": [old, new]}}`, or for a new
/// record `{"entity", "id", "action": "create", "values": {"field": value}}`. Replaying a village's rows in id
/// order rebuilds its registry.
#[derive(Debug)]
pub struct ChangeSet {
    village: String,
    family_id: String,
    /// The JSON array's entries so far, comma-separated, written in place.
    entries: String,
}

impl ChangeSet {
    pub fn new(village: &str, family_id: &str) -> ChangeSet {
        ChangeSet {
            village: village.to_string(),
            family_id: family_id.to_string(),
            entries: String::new(),
        }
    }

    /// Starts an entry: `{"entity":..,"id":..,"action":..,` (the caller adds the rest).
    fn start(&mut self, entity: &str, id: &str, action: &str) {
        if !self.entries.is_empty() {
            self.entries.push(',');
        }
        for (key, value) in [
            ("{\"entity\":", entity),
            (",\"id\":", id),
            (",\"action\":", action),
        ] {
            self.entries.push_str(key);
            push_json_str(&mut self.entries, value);
        }
    }

    fn push(&mut self, entity: &str, id: &str, action: &str, fields: String) {
        self.start(entity, id, action);
        self.entries.push_str(",\"fields\":");
        self.entries.push_str(&fields);
        self.entries.push('}');
    }

    fn push_created(&mut self, entity: &str, id: &str, fields: &[Field], values: &Values) {
        self.start(entity, id, "create");
        self.entries.push_str(",\"values\":");
        push_values_json(&mut self.entries, fields, values);
        self.entries.push('}');
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Writes the set (nothing when nothing changed).
    pub fn record(self, conn: &mut Conn, ctx: &WriteCtx) -> Result<(), StorageError> {
        if self.entries.is_empty() {
            return Ok(());
        }
        let json = format!("[{}]", self.entries);
        conn.execute(
            "INSERT INTO changes (kode_wilayah, id, at, family_id, changed, actor, reason, \
             source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                self.village.into(),
                new_id().into(),
                SqlValue::Int(ctx.now_ms),
                self.family_id.into(),
                json.into(),
                ctx.actor.as_str().into(),
                ctx.reason.clone().into(),
                ctx.source.as_str().into(),
            ],
        )?;
        Ok(())
    }
}

fn village_of(values: &Values) -> String {
    field_index(FAMILY_FIELDS, "kode_wilayah")
        .and_then(|i| values[i].as_ref())
        .and_then(Value::as_text)
        .unwrap_or_default()
        .to_string()
}

/// A member a save creates: its new id and the input's values, lent rather than copied.
struct NewMember<'a> {
    id: String,
    values: &'a Values,
    /// Place on the family card.
    position: i64,
}

impl Record for NewMember<'_> {
    fn fields() -> &'static [Field] {
        PERSON_FIELDS
    }
    fn values(&self) -> &Values {
        self.values
    }
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
fn refresh_head(conn: &mut Conn, family_id: &str) -> Result<(), StorageError> {
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

/// Creates members of one family. One single-row statement each: a multi-row `INSERT` makes
/// SQLite keep a statement journal, which measured slower (48k vs 62k rows/s on import).
/// `index_names` is false during a bulk load, which indexes all names at its end.
fn insert_members(
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

/// [`save_family`], or during a [`BulkLoad`] with its lookups in memory and the name index left
/// for the load's end.
pub(crate) fn save_family_in(
    conn: &mut Conn,
    input: &FamilyInput,
    ctx: &WriteCtx,
    mut bulk: Option<&mut BulkLoad>,
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
                new_members.iter().map(|m| (m.id.as_str(), m.text("nama"))),
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

/// The whole history of a family and its members, oldest first, one entry per entity changed.
pub fn family_history(conn: &mut Conn, family_id: &str) -> Result<Vec<ChangeEntry>, StorageError> {
    let rows = conn.query(
        "SELECT id, at, changed, actor, reason, source FROM changes \
         WHERE family_id = $1 ORDER BY id",
        &[family_id.into()],
    )?;
    let mut out = Vec::new();
    for row in rows {
        let [id, at, changed, actor, reason, source]: [SqlValue; 6] = row
            .try_into()
            .map_err(|_| StorageError::Corrupt("change row has the wrong width".into()))?;
        let id = id.into_string().unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(changed.as_str().unwrap_or("[]"))
            .map_err(|e| StorageError::Corrupt(format!("change {id}: {e}")))?;
        let actor = actor.into_string().unwrap_or_default();
        let reason = reason.into_string();
        let source = source.into_string().unwrap_or_default();
        for entry in json.as_array().into_iter().flatten() {
            let text = |k: &str| {
                entry
                    .get(k)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let changed = if let Some(created) = entry.get("values").and_then(|v| v.as_object()) {
                created
                    .iter()
                    .map(|(k, v)| (k.clone(), None, Some(json_text(k, v))))
                    .collect()
            } else {
                entry
                    .get("fields")
                    .and_then(|f| f.as_object())
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| {
                                let s = |i: usize| {
                                    v.get(i).and_then(|x| x.as_str()).map(str::to_string)
                                };
                                (k.clone(), s(0), s(1))
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            };
            out.push(ChangeEntry {
                id: id.clone(),
                at_ms: at.as_i64().unwrap_or(0),
                entity: text("entity"),
                entity_id: text("id"),
                action: text("action"),
                changed,
                actor: actor.clone(),
                reason: reason.clone(),
                source: source.clone(),
            });
        }
    }
    Ok(out)
}

/// A stored JSON value in the canonical text of its field (as `[old, new]` entries hold it).
fn json_text(key: &str, v: &serde_json::Value) -> String {
    // A family page's history holds a few hundred values: find each field's kind by key.
    static KINDS: LazyLock<std::collections::HashMap<&'static str, Kind>> = LazyLock::new(|| {
        FAMILY_FIELDS
            .iter()
            .chain(PERSON_FIELDS)
            .map(|f| (f.key, f.kind))
            .collect()
    });
    let kind = KINDS.get(key).copied();
    match (v, kind) {
        (serde_json::Value::String(s), _) => s.clone(),
        (serde_json::Value::Number(n), Some(kind)) => match n.as_i64() {
            Some(i) => Value::Int(i).to_text(kind),
            None => Value::Num(n.as_f64().unwrap_or(0.0)).to_text(kind),
        },
        (other, _) => other.to_string(),
    }
}

/// Numbers of families and of persons in the whole database.
pub fn counts(conn: &mut Conn) -> Result<(i64, i64), StorageError> {
    Ok((
        conn.query_i64("SELECT COUNT(*) FROM families", &[])?,
        conn.query_i64("SELECT COUNT(*) FROM persons", &[])?,
    ))
}

static AUDIT_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

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
    // SQLite has one writer. Many readers each writing one audit row would otherwise collide
    // and back off in SQLite's busy handler (sleeps of 5-25 ms); queueing them here instead
    // keeps the page that triggered the write fast.
    let _turn = (conn.engine() == crate::Engine::Sqlite)
        .then(|| AUDIT_WRITER.lock().unwrap_or_else(|e| e.into_inner()));
    insert_audit(conn, village, actor, action, entity, entity_id, detail)
}

/// [`audit`] without taking a turn: for a caller already inside its own write transaction.
pub(crate) fn insert_audit(
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
    Ok(conn
        .query(
            "SELECT DISTINCT kode_wilayah FROM families ORDER BY kode_wilayah",
            &[],
        )?
        .into_iter()
        .filter_map(|r| r.into_iter().next().and_then(SqlValue::into_string))
        .collect())
}

/// The words of a name as the search index keeps them: lower case, letters and digits only,
/// each once.
pub fn name_tokens(name: &str) -> Vec<String> {
    let mut out: Vec<String> = name
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Adds (or removes) a member's name words in the search index. Each word's row also carries
/// all the words of the name, so that a search for several words checks them on the row itself.
fn index_name(
    conn: &mut Conn,
    village: &str,
    person_id: &str,
    family_id: &str,
    name: Option<&str>,
    add: bool,
) -> Result<(), StorageError> {
    if add {
        return insert_name_words(conn, NameTable::Index, village, family_id, person_id, name);
    }
    for token in name.map(name_tokens).unwrap_or_default() {
        conn.execute(
            "DELETE FROM person_names WHERE token = $1 AND kode_wilayah = $2 \
             AND family_id = $3 AND person_id = $4",
            &[
                token.into(),
                village.into(),
                family_id.into(),
                person_id.into(),
            ],
        )?;
    }
    Ok(())
}

/// Where name words go: the search index, or the staging table of [`rebuild_name_index`].
#[derive(Clone, Copy)]
enum NameTable {
    Index,
    Staging,
}

/// Writes one row per word of a member's name, each carrying all the words of the name.
fn insert_name_words(
    conn: &mut Conn,
    table: NameTable,
    village: &str,
    family_id: &str,
    person_id: &str,
    name: Option<&str>,
) -> Result<(), StorageError> {
    let sql = match table {
        NameTable::Index => {
            "INSERT INTO person_names (token, kode_wilayah, family_id, person_id, words) \
             VALUES ($1, $2, $3, $4, $5)"
        }
        NameTable::Staging => {
            "INSERT INTO name_words (token, kode_wilayah, family_id, person_id, words) \
             VALUES ($1, $2, $3, $4, $5)"
        }
    };
    let tokens = name.map(name_tokens).unwrap_or_default();
    let words = tokens.join(" ");
    for token in tokens {
        conn.execute(
            sql,
            &[
                token.into(),
                village.into(),
                family_id.into(),
                person_id.into(),
                words.as_str().into(),
            ],
        )?;
    }
    Ok(())
}

/// Fills the name index from the stored members (at the end of a bulk load, and in the
/// migration that created the index). The words go to a staging table in member order and
/// then into the index in its key order: sorted inserts append to the index's b-tree instead
/// of seeking once per word (2.3 million words for a 280,000-family village).
pub fn rebuild_name_index(conn: &mut Conn) -> Result<(), StorageError> {
    const CHUNK: usize = 20_000;
    conn.batch(
        "DELETE FROM person_names; DROP TABLE IF EXISTS name_words; \
         CREATE TEMP TABLE name_words (token TEXT NOT NULL, kode_wilayah TEXT NOT NULL, \
         family_id TEXT NOT NULL, person_id TEXT NOT NULL, words TEXT NOT NULL)",
    )?;
    // Members in key order, a chunk at a time: the words are written between two reads.
    let mut after: Option<[SqlValue; 2]> = None;
    loop {
        let mut rows = Vec::with_capacity(CHUNK);
        let sql = format!(
            "SELECT kode_wilayah, id, family_id, nama FROM persons {} \
             ORDER BY kode_wilayah, id LIMIT {CHUNK}",
            if after.is_some() {
                "WHERE (kode_wilayah, id) > ($1, $2)"
            } else {
                ""
            }
        );
        conn.for_each(&sql, after.as_ref().map_or(&[][..], |a| &a[..]), |r| {
            rows.push(r);
            Ok(())
        })?;
        for r in &rows {
            let text = |i: usize| r[i].as_str().unwrap_or_default();
            insert_name_words(
                conn,
                NameTable::Staging,
                text(0),
                text(2),
                text(1),
                r[3].as_str(),
            )?;
        }
        let full = rows.len() == CHUNK;
        after = rows.pop().map(|r| {
            let mut key = r.into_iter();
            let village = key.next().unwrap_or(SqlValue::Null);
            [village, key.next().unwrap_or(SqlValue::Null)]
        });
        if !full {
            break;
        }
    }
    conn.batch(
        "INSERT INTO person_names (token, kode_wilayah, family_id, person_id, words) \
         SELECT token, kode_wilayah, family_id, person_id, words FROM name_words \
         ORDER BY token, kode_wilayah, family_id, person_id; \
         DROP TABLE name_words",
    )
}

/// The exclusive upper bound of a prefix range (`pur` → `pus`), when one is safe in every
/// collation: only for a last character `a`-`y` or `0`-`8`.
fn prefix_upper(word: &str) -> Option<String> {
    let last = word.chars().last()?;
    if !(('a'..='y').contains(&last) || ('0'..='8').contains(&last)) {
        return None;
    }
    let mut out: String = word.chars().take(word.chars().count() - 1).collect();
    out.push((last as u8 + 1) as char);
    Some(out)
}

/// What the registry search asks for: free text (a NIK, a KK number or part of a name), RT, RW.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: Option<String>,
    pub rt: Option<String>,
    pub rw: Option<String>,
}

/// One family in a list of search results.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilySummary {
    pub id: String,
    pub no_kk: String,
    pub village: String,
    pub rt: Option<String>,
    pub rw: Option<String>,
    pub address: Option<String>,
    pub head_name: Option<String>,
    pub head_nik: Option<String>,
    pub members: i64,
}

/// Search counts stop here (the page then says "at least").
pub const SEARCH_COUNT_CAP: i64 = 200;

/// How many families a search found: `total`, and whether more may exist beyond it (the count
/// stopped at [`SEARCH_COUNT_CAP`], or a name search stopped after the page asked for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchCount {
    pub total: i64,
    pub more: bool,
}

impl SearchCount {
    fn capped(n: i64) -> SearchCount {
        SearchCount {
            total: n.min(SEARCH_COUNT_CAP),
            more: n >= SEARCH_COUNT_CAP,
        }
    }
}

/// Searches families within a region prefix (`None` = everywhere): by NIK or KK when the text
/// is 16 digits, otherwise by the beginnings of the words of a member's name. Returns one page
/// in order of registration (the primary key's order: the database can stop after one page
/// instead of sorting every match) and the count, capped at [`SEARCH_COUNT_CAP`].
pub fn search(
    conn: &mut Conn,
    region_prefix: Option<&str>,
    q: &SearchQuery,
    limit: i64,
    offset: i64,
) -> Result<(Vec<FamilySummary>, SearchCount), StorageError> {
    search_within(conn, region_prefix, q, limit, offset, None)?
        .ok_or_else(|| StorageError::Corrupt("a search without a row budget stopped".into()))
}

/// [`search`], giving up (`None`) once a name search has read `max_rows` index rows: the web
/// server runs a search on its async thread while it stays short and hands a longer one to its
/// blocking pool.
pub fn search_within(
    conn: &mut Conn,
    region_prefix: Option<&str>,
    q: &SearchQuery,
    limit: i64,
    offset: i64,
    max_rows: Option<usize>,
) -> Result<Option<(Vec<FamilySummary>, SearchCount)>, StorageError> {
    let mut conds: Vec<String> = Vec::new();
    let mut b = Binds::default();
    if let Some(prefix) = region_prefix {
        conds.push(region_condition("f.kode_wilayah", prefix, &mut b));
    }
    if let Some(text) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == 16 && digits.bytes().all(|b| b.is_ascii_digit()) {
            // Two index lookups; an OR across the tables would scan every family.
            let kk = b.bind(digits.clone().into());
            let nik = b.bind(digits.into());
            conds.push(format!(
                "f.id IN (SELECT id FROM families WHERE no_kk = {kk} \
                 UNION SELECT family_id FROM persons WHERE nik = {nik})"
            ));
        } else {
            return search_names(
                conn,
                region_prefix,
                &name_tokens(text),
                q,
                (limit, offset),
                max_rows.unwrap_or(usize::MAX),
            );
        }
    }
    conds.extend(rt_rw_conditions(q, &mut b));
    let params = b.0;
    let narrowed = conds.len() > usize::from(region_prefix.is_some());
    let where_sql = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    if narrowed {
        // A number or an RT/RW narrows the families to a few thousand at most: fetch their
        // keys through the selective index and sort them here. Asked to sort, SQLite walks the
        // whole village in key order instead, testing every family (50-60 ms at 280,000).
        let keys = conn.query(
            &format!(
                "SELECT f.kode_wilayah, f.id FROM families f{where_sql} LIMIT {}",
                SORT_IN_MEMORY + 1
            ),
            &params,
        )?;
        if keys.len() as i64 <= SORT_IN_MEMORY {
            let mut keys: Vec<(String, String)> = keys
                .into_iter()
                .filter_map(|r| {
                    let mut it = r.into_iter();
                    Some((it.next()?.into_string()?, it.next()?.into_string()?))
                })
                .collect();
            keys.sort();
            let total = SearchCount::capped(keys.len() as i64);
            let start = (offset.max(0) as usize).min(keys.len());
            let end = (start + limit.clamp(1, 500) as usize).min(keys.len());
            let page: Vec<SqlValue> = keys[start..end]
                .iter()
                .map(|(_, id)| SqlValue::from(id.as_str()))
                .collect();
            let mut list = summaries_of(conn, &page)?;
            let pos = |id: &str| keys[start..end].iter().position(|(_, k)| k == id);
            list.sort_by_key(|f| pos(&f.id));
            return Ok(Some((list, total)));
        }
    }
    // Counting stops at a cap: "1.000+" is as useful to a user as the exact number, and
    // counting every match of a common name in a large district costs far more.
    let total = conn.query_i64(
        &format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM families f{where_sql} LIMIT {SEARCH_COUNT_CAP}) c"
        ),
        &params,
    )?;
    let mut b = Binds(params);
    let l = b.bind(SqlValue::Int(limit.clamp(1, 500)));
    let o = b.bind(SqlValue::Int(offset.max(0)));
    let params = b.0;
    let rows = conn.query(
        &format!(
            "SELECT {SUMMARY_SELECT} FROM families f{where_sql} ORDER BY f.kode_wilayah, f.id \
             LIMIT {l} OFFSET {o}"
        ),
        &params,
    )?;
    Ok(Some((
        rows.into_iter().map(summary_from_row).collect(),
        SearchCount::capped(total),
    )))
}

/// A search by the beginnings of name words: every word must start a word of the same member's
/// name. Walks the name index from the first match of the longest word (likely the rarest) in
/// its key order (word, village, family), checks the other words on each row, and stops once it
/// has the page and the capped count: a common name costs a few hundred index rows, not all of
/// its matches. Families come in that order: by the matched word, then as registered. The count
/// goes to the end of the page, with `more` when a next page exists.
fn search_names(
    conn: &mut Conn,
    region_prefix: Option<&str>,
    words: &[String],
    q: &SearchQuery,
    (limit, offset): (i64, i64),
    max_rows: usize,
) -> Result<Option<(Vec<FamilySummary>, SearchCount)>, StorageError> {
    let words = &words[..words.len().min(5)];
    let Some(lead) = words
        .iter()
        .enumerate()
        .max_by_key(|(i, w)| (w.chars().count(), std::cmp::Reverse(*i)))
        .map(|(i, _)| i)
    else {
        return Ok(Some((Vec::new(), SearchCount::capped(0))));
    };
    let others: Vec<&str> = (words.iter().enumerate())
        .filter(|(i, _)| *i != lead)
        .map(|(_, w)| w.as_str())
        .collect();
    let mut conds = Vec::new();
    let mut b = Binds::default();
    match prefix_upper(&words[lead]) {
        Some(upper) => {
            let lo = b.bind(words[lead].as_str().into());
            let hi = b.bind(upper.into());
            conds.push(format!("token >= {lo} AND token < {hi}"));
        }
        None => {
            let eq = b.bind(words[lead].as_str().into());
            conds.push(format!("token = {eq}"));
        }
    }
    if let Some(prefix) = region_prefix {
        // A range even for one village: given `kode_wilayah = ?`, SQLite no longer sees that
        // the key already gives the ORDER BY below and sorts every match.
        conds.push(region_range("kode_wilayah", prefix, &mut b));
    }
    // The other words are tested on the row's words inside the database (a word starting
    // "sri" starts the words or follows a space), so that only matching rows come back; the
    // tokens hold letters and digits only, never a LIKE wildcard. Two patterns instead of one
    // on `' ' || words`: building that text for every row read made the scan a third slower.
    for w in &others {
        let first = b.bind(format!("{w}%").into());
        let later = b.bind(format!("% {w}%").into());
        conds.push(format!("(words LIKE {first} OR words LIKE {later})"));
    }
    let params = b.0;
    // An RT or RW as well: the families there, through their own index (a few thousand at most).
    let mut fb = Binds::default();
    let rt_rw = rt_rw_conditions(q, &mut fb);
    let in_rt_rw: Option<std::collections::HashSet<String>> = if rt_rw.is_empty() {
        None
    } else {
        let mut fam_conds = rt_rw;
        if let Some(prefix) = region_prefix {
            fam_conds.push(region_condition("f.kode_wilayah", prefix, &mut fb));
        }
        let ids = conn.query(
            &format!(
                "SELECT f.id FROM families f WHERE {}",
                fam_conds.join(" AND ")
            ),
            &fb.0,
        )?;
        Some(
            ids.into_iter()
                .filter_map(|r| r.into_iter().next()?.into_string())
                .collect(),
        )
    };
    // One family past the page tells whether there is a next page. Counting every match of a
    // common name would read all of its rows: the page says "25+" instead.
    let need = (offset.max(0) + limit.clamp(1, 500) + 1) as usize;
    let mut families: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // Read in key order and stop once enough families are found. The LIMIT only bounds what
    // PostgreSQL sends (SQLite stops reading when told); a search past it shows what it found.
    let sql = format!(
        "SELECT family_id FROM person_names WHERE {} \
         ORDER BY token, kode_wilayah, family_id, person_id LIMIT {NAME_ROWS_READ}",
        conds.join(" AND ")
    );
    let mut rows_read = 0usize;
    conn.for_each_while(&sql, &params, &[], |r| {
        rows_read += 1;
        if rows_read > max_rows {
            return Ok(false);
        }
        // The other words were matched by the query itself.
        let Some(SqlValue::Text(family)) = r.into_iter().next() else {
            return Ok(true);
        };
        if in_rt_rw.as_ref().is_none_or(|set| set.contains(&family)) && seen.insert(family.clone())
        {
            families.push(family);
        }
        Ok(families.len() < need)
    })?;
    if rows_read > max_rows {
        return Ok(None);
    }
    let start = (offset.max(0) as usize).min(families.len());
    let end = (start + limit.clamp(1, 500) as usize).min(families.len());
    let total = SearchCount {
        total: end as i64,
        more: families.len() > end,
    };
    let page = &families[start..end];
    let ids: Vec<SqlValue> = page.iter().map(|id| SqlValue::from(id.as_str())).collect();
    let mut list = summaries_of(conn, &ids)?;
    list.sort_by_key(|f| page.iter().position(|id| *id == f.id));
    Ok(Some((list, total)))
}

/// The most name-index rows one search reads (a search for a very common word in a very large
/// district shows the families found within them).
const NAME_ROWS_READ: i64 = 200_000;

/// Query parameters collected while the SQL text is built: `bind` returns the next placeholder.
#[derive(Default)]
struct Binds(Vec<SqlValue>);

impl Binds {
    fn bind(&mut self, v: SqlValue) -> String {
        self.0.push(v);
        format!("${}", self.0.len())
    }
}

/// Rows of a region (`33.12` or a whole village code) in `col`. A range on the code keeps the
/// primary key usable: "33.12." <= code < "33.12/". A village is an equality, so that the
/// columns after the code in an index (`families_rt_rw`: village, RW, RT) can still be used.
fn region_condition(col: &str, prefix: &str, b: &mut Binds) -> String {
    if prefix.len() == 13 {
        let p = b.bind(prefix.into());
        format!("{col} = {p}")
    } else {
        region_range(col, prefix, b)
    }
}

/// [`region_condition`] as a range even for one village (`v <= code <= v`), for a query whose
/// ORDER BY follows an index with the code in the middle.
fn region_range(col: &str, prefix: &str, b: &mut Binds) -> String {
    let (lo, hi, op) = match prefix.len() {
        13 => (prefix.to_string(), prefix.to_string(), "<="),
        _ => (format!("{prefix}."), format!("{prefix}/"), "<"),
    };
    let lo = b.bind(lo.into());
    let hi = b.bind(hi.into());
    format!("{col} >= {lo} AND {col} {op} {hi}")
}

/// The RT and RW a search asks for, on the families `f`. Stored as three digits ("001"); "1"
/// finds it too.
fn rt_rw_conditions(q: &SearchQuery, b: &mut Binds) -> Vec<String> {
    let mut conds = Vec::new();
    for (col, v) in [("f.rt", &q.rt), ("f.rw", &q.rw)] {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            let padded = match v.parse::<u32>() {
                Ok(n) => format!("{n:03}"),
                Err(_) => v.to_string(),
            };
            let p = b.bind(padded.into());
            conds.push(format!("{col} = {p}"));
        }
    }
    conds
}

/// Searches narrowed this far sort their matches in memory (see [`search`]).
const SORT_IN_MEMORY: i64 = 20_000;

/// The columns of a search result line.
const SUMMARY_SELECT: &str = "f.id, f.no_kk, f.kode_wilayah, f.rt, f.rw, f.alamat, \
     f.kepala_nama, f.kepala_nik, f.jumlah_anggota";

/// Result lines of the families with these ids (in no particular order), head and member
/// count as stored on the family row.
fn summaries_of(conn: &mut Conn, ids: &[SqlValue]) -> Result<Vec<FamilySummary>, StorageError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(1, ids.len());
    Ok(conn
        .query(
            &format!("SELECT {SUMMARY_SELECT} FROM families f WHERE f.id IN ({list})"),
            ids,
        )?
        .into_iter()
        .map(summary_from_row)
        .collect())
}

fn summary_from_row(r: Row) -> FamilySummary {
    let mut it = r.into_iter();
    let mut next = || it.next().unwrap_or(SqlValue::Null);
    FamilySummary {
        id: next().into_string().unwrap_or_default(),
        no_kk: next().into_string().unwrap_or_default(),
        village: next().into_string().unwrap_or_default(),
        rt: next().into_string(),
        rw: next().into_string(),
        address: next().into_string(),
        head_name: next().into_string(),
        head_nik: next().into_string(),
        members: next().as_i64().unwrap_or(0),
    }
}

/// One processing of personal data, as the audit log keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub detail: Option<String>,
}

/// Audit entries about one entity (a family or person id), newest first.
pub fn audit_of(conn: &mut Conn, entity_id: &str) -> Result<Vec<AuditEntry>, StorageError> {
    let rows = conn.query(
        "SELECT at, actor, action, entity, entity_id, detail FROM audit_log \
         WHERE entity_id = $1 ORDER BY at DESC, id DESC",
        &[entity_id.into()],
    )?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut it = r.into_iter();
            let mut next = || it.next().unwrap_or(SqlValue::Null);
            AuditEntry {
                at_ms: next().as_i64().unwrap_or(0),
                actor: next().into_string().unwrap_or_default(),
                action: next().into_string().unwrap_or_default(),
                entity: next().into_string().unwrap_or_default(),
                entity_id: next().into_string().unwrap_or_default(),
                detail: next().into_string(),
            }
        })
        .collect())
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
    family_view_with(
        conn,
        id,
        in_reach,
        actor,
        via,
        |conn, record| match writer {
            // Through the group-commit writer when the caller has one, else here.
            Some(w) => w.record(record),
            None => audit(
                conn,
                &record.village,
                &record.actor,
                &record.action,
                &record.entity,
                &record.entity_id,
                record.detail.as_deref(),
            ),
        },
    )
}

/// [`family_view`] with the audit row handed to `record` (which writes it, or queues it for a
/// caller that waits for its commit before showing the view).
pub fn family_view_with(
    conn: &mut Conn,
    id: &str,
    in_reach: impl Fn(&str) -> bool,
    actor: &str,
    via: &str,
    mut record: impl FnMut(&mut Conn, crate::audit_writer::AuditRecord) -> Result<(), StorageError>,
) -> Result<Option<FamilyView>, StorageError> {
    let Some(family) = family_by_id(conn, id)? else {
        return Ok(None);
    };
    let village = family.text("kode_wilayah").unwrap_or_default().to_string();
    let row = |action: &str| crate::audit_writer::AuditRecord {
        village: village.clone(),
        actor: actor.to_string(),
        action: action.to_string(),
        entity: "family".into(),
        entity_id: id.to_string(),
        detail: Some(via.to_string()),
    };
    if !in_reach(&village) {
        record(conn, row("view-refused"))?;
        return Ok(None);
    }
    let members = members(conn, id)?;
    let history = family_history(conn, id)?;
    record(conn, row("view"))?;
    Ok(Some(FamilyView {
        family,
        members,
        history,
    }))
}

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

/// One page of the audit log within a region prefix (`None` = all), newest first, with the
/// total count.
pub fn audit_page(
    conn: &mut Conn,
    region_prefix: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<(String, AuditEntry)>, i64), StorageError> {
    let (cond, mut params): (String, Vec<SqlValue>) = match region_prefix {
        None => (String::new(), Vec::new()),
        Some(p) if p.len() == 13 => (" WHERE kode_wilayah = $1".into(), vec![p.into()]),
        Some(p) => (
            " WHERE kode_wilayah >= $1 AND kode_wilayah < $2".into(),
            vec![format!("{p}.").into(), format!("{p}/").into()],
        ),
    };
    let total = conn.query_i64(&format!("SELECT COUNT(*) FROM audit_log{cond}"), &params)?;
    let n = params.len();
    params.push(SqlValue::Int(limit.clamp(1, 500)));
    params.push(SqlValue::Int(offset.max(0)));
    let rows = conn.query(
        &format!(
            "SELECT kode_wilayah, at, actor, action, entity, entity_id, detail FROM audit_log{cond} \
             ORDER BY at DESC, id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        ),
        &params,
    )?;
    let list = rows
        .into_iter()
        .map(|r| {
            let mut it = r.into_iter();
            let village = next_text(&mut it);
            let mut next = || it.next().unwrap_or(SqlValue::Null);
            let entry = AuditEntry {
                at_ms: next().as_i64().unwrap_or(0),
                actor: next().into_string().unwrap_or_default(),
                action: next().into_string().unwrap_or_default(),
                entity: next().into_string().unwrap_or_default(),
                entity_id: next().into_string().unwrap_or_default(),
                detail: next().into_string(),
            };
            (village, entry)
        })
        .collect();
    Ok((list, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    /// History text written by hand reads back as serde_json writes it: texts that need
    /// escaping (quotes, backslashes, control characters) and texts that do not.
    #[test]
    fn history_json_escapes_as_serde_json() {
        for text in [
            "Siti Purwanti",
            "Jl. \"Mawar\" No. 5",
            "C:\\data",
            "baris\nbaru\tdan\u{1}",
            "Ngatmi ꦔꦠ꧀ꦩꦶ é",
            "",
        ] {
            let mut out = String::new();
            push_json_str(&mut out, text);
            assert_eq!(out, serde_json::to_string(text).unwrap(), "{text:?}");
        }
        let mut values: Values = vec![None; PERSON_FIELDS.len()];
        let set = |values: &mut Values, key: &str, v: Value| {
            values[field_index(PERSON_FIELDS, key).unwrap()] = Some(v);
        };
        set(&mut values, "nama", Value::Text("Budi \"Gareng\"".into()));
        set(&mut values, "kelas", Value::Int(3));
        set(&mut values, "hubungan", Value::Code("anak"));
        let mut out = String::new();
        push_values_json(&mut out, PERSON_FIELDS, &values);
        let read: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            read,
            serde_json::json!({"nama": "Budi \"Gareng\"", "kelas": 3, "hubungan": "anak"})
        );
    }

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
