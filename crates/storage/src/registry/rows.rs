//! The SQL texts built from the field tables, and the mapping between stored rows and records.

use std::sync::LazyLock;

use puskesos_domain::model::{
    FAMILY_FIELDS, Family, Field, Kind, PERSON_FIELDS, Person, Value, Values, field_index,
};

use crate::db::{Param, Row, SqlValue};

pub(super) fn to_sql(v: &Option<Value>) -> SqlValue {
    match v {
        None => SqlValue::Null,
        Some(Value::Int(i)) => SqlValue::Int(*i),
        Some(Value::Num(n)) => SqlValue::Real(*n),
        Some(Value::Text(s)) => SqlValue::Text(s.clone()),
        Some(Value::Code(c)) => SqlValue::Code(c),
    }
}

/// A value lent to a statement (bulk writes: no copy of each text).
pub(super) fn lend(v: &Option<Value>) -> Param<'_> {
    match v {
        None => Param::Null,
        Some(Value::Int(i)) => Param::Int(*i),
        Some(Value::Num(n)) => Param::Real(*n),
        Some(Value::Text(s)) => Param::Text(s),
        Some(Value::Code(c)) => Param::Text(c),
    }
}

pub(super) fn from_sql(field: &Field, v: SqlValue) -> Option<Value> {
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

pub(super) fn column_list(fields: &[Field]) -> String {
    fields.iter().map(|f| f.key).collect::<Vec<_>>().join(", ")
}

pub(super) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// SQL texts built once from the field tables.
pub(super) struct Sql {
    pub(super) person_select: String,
    pub(super) family_by_kk: String,
    pub(super) family_by_id: String,
    pub(super) members: String,
    pub(super) person_by_nik: String,
    pub(super) family_insert: String,
    pub(super) family_update: String,
    pub(super) person_insert: String,
    pub(super) person_update: String,
}

pub(super) static SQL: LazyLock<Sql> = LazyLock::new(|| {
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
pub(super) fn next_text(it: &mut impl Iterator<Item = SqlValue>) -> String {
    it.next()
        .and_then(SqlValue::into_string)
        .unwrap_or_default()
}

pub(super) fn family_from_row(row: Row) -> Family {
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

pub(super) fn person_from_row(row: Row) -> Person {
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

pub(super) fn village_of(values: &Values) -> String {
    field_index(FAMILY_FIELDS, "kode_wilayah")
        .and_then(|i| values[i].as_ref())
        .and_then(Value::as_text)
        .unwrap_or_default()
        .to_string()
}
