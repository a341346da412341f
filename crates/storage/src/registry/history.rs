//! The change history: every save of a family writes one change set (a row of `changes` with a
//! JSON array of what was created or changed), and the family page reads it back.

use std::sync::LazyLock;

use puskesos_domain::model::{FAMILY_FIELDS, Field, Kind, PERSON_FIELDS, Value, Values, diff};

use super::WriteCtx;
use crate::db::{Conn, SqlValue};
use crate::{StorageError, new_id};

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
pub(super) fn changes_json(fields: &[Field], old: Option<&Values>, new: &Values) -> String {
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

    pub(super) fn push(&mut self, entity: &str, id: &str, action: &str, fields: String) {
        self.start(entity, id, action);
        self.entries.push_str(",\"fields\":");
        self.entries.push_str(&fields);
        self.entries.push('}');
    }

    pub(super) fn push_created(
        &mut self,
        entity: &str,
        id: &str,
        fields: &[Field],
        values: &Values,
    ) {
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
        // Subscribers of the DCI API hear of the change in the same transaction.
        crate::dci::on_change(conn, &self.village, &self.family_id, &json)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use puskesos_domain::model::field_index;

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
}
