//! A search request's criteria in the standard's three query types (`idtype-value`,
//! `expression`, `predicate`) turned into the storage's [`Criteria`], checked against the
//! partner's agreement: attributes it may query, regions it may see, page sizes it may ask.

use puskesos_domain::{Lang, tr};
use puskesos_storage::db::SqlValue;
use puskesos_storage::dci::{Attr, Cmp, Cond, Criteria, IdMatch, Partner};
use serde_json::Value;

use super::records::Entity;

/// The largest page a partner may ask for.
pub const MAX_PAGE_SIZE: i64 = 1000;
/// The page size when the request names none.
pub const DEFAULT_PAGE_SIZE: i64 = 100;

/// Why one search request is rejected: the standard's reason code and a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub code: &'static str,
    pub message: String,
}

fn rejected(code: &'static str, lang: Lang, key: &str, args: &[(&str, &str)]) -> Rejected {
    Rejected {
        code,
        message: tr(lang, key, args),
    }
}

fn invalid(lang: Lang, key: &str, args: &[(&str, &str)]) -> Rejected {
    rejected("rjct.search_criteria.invalid", lang, key, args)
}

/// A parsed search request: what to look for and what to return.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    pub criteria: Criteria,
    pub entity: Entity,
}

/// Identifier types that name a person's NIK, and a family's KK number.
const NIK_TYPES: [&str; 3] = ["NIK", "NIN", "NATIONAL_ID"];
const KK_TYPES: [&str; 4] = ["KK", "NO_KK", "HOUSEHOLD_ID", "FAMILY_CARD"];

/// The attribute a query names, in the vocabulary the API documents (docs/dci.md).
pub fn attribute(name: &str) -> Option<Attr> {
    Some(match name.to_ascii_lowercase().as_str() {
        "poverty_score" | "desil" | "decile" => Attr::Decile,
        "location" | "kode_wilayah" | "region" | "district" | "village" => Attr::Region,
        "group_size" | "household_size" | "jumlah_anggota" => Attr::GroupSize,
        "rt" => Attr::Rt,
        "rw" => Attr::Rw,
        "age" | "umur" => Attr::Age,
        "gender" | "sex" | "jenis_kelamin" => Attr::Sex,
        "birth_date" | "date_of_birth" | "tanggal_lahir" => Attr::BirthDate,
        _ => return None,
    })
}

/// Parses one `search_request` item's `search_criteria`. `known_type` says whether another
/// system's identifier type is recorded in the registry.
pub fn parse(
    criteria: &Value,
    partner: &Partner,
    today: chrono::NaiveDate,
    lang: Lang,
    known_type: &mut dyn FnMut(&str) -> bool,
) -> Result<Search, Rejected> {
    let (page_size, page_number) = pagination(&criteria["pagination"], lang)?;
    let query = &criteria["query"];
    let mut entity = match criteria["response_entity"].as_str() {
        None | Some("Group") => Entity::Group,
        Some("Member") => Entity::Member,
        Some(other) => return Err(invalid(lang, "dci-entity-unknown", &[("entity", other)])),
    };
    let mut id = None;
    let mut cond = None;
    let p = Parser { partner, lang };
    match criteria["query_type"].as_str() {
        Some("idtype-value") => {
            let id_type = query["type"].as_str().unwrap_or_default().trim();
            let value = match &query["value"] {
                Value::String(s) => s.trim().to_string(),
                Value::Number(n) => n.to_string(),
                _ => String::new(),
            };
            if id_type.is_empty() || value.is_empty() {
                return Err(invalid(lang, "dci-identifier-missing", &[]));
            }
            let upper = id_type.to_ascii_uppercase();
            id = Some(if NIK_TYPES.contains(&upper.as_str()) {
                IdMatch::Nik(value)
            } else if KK_TYPES.contains(&upper.as_str()) {
                IdMatch::Kk(value)
            } else if known_type(id_type) {
                IdMatch::Other(id_type.to_string(), value)
            } else {
                return Err(invalid(lang, "dci-identifier-type", &[("type", id_type)]));
            });
        }
        Some("expression") => {
            // `{collection, query}` as the suite and OpenSPP send it, or the bare expression.
            let (inner, collection) = match query.get("query") {
                Some(q) => (q, query["collection"].as_str()),
                None => (query, None),
            };
            if criteria["response_entity"].is_null() && collection == Some("Member") {
                entity = Entity::Member;
            }
            cond = Some(p.expression(inner)?);
        }
        Some("predicate") => cond = Some(p.predicates(query)?),
        Some(other) => return Err(invalid(lang, "dci-query-type", &[("type", other)])),
        None => return Err(invalid(lang, "dci-query-type", &[("type", "")])),
    }
    Ok(Search {
        criteria: Criteria {
            id,
            cond,
            regions: partner.villages.clone(),
            members: entity == Entity::Member,
            page_size,
            page_number,
            today,
        },
        entity,
    })
}

fn pagination(v: &Value, lang: Lang) -> Result<(i64, i64), Rejected> {
    if v.is_null() {
        return Ok((DEFAULT_PAGE_SIZE, 1));
    }
    let whole = |x: &Value| x.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64);
    let size = whole(&v["page_size"]);
    let number = if v["page_number"].is_null() {
        Some(1)
    } else {
        whole(&v["page_number"])
    };
    let max = MAX_PAGE_SIZE.to_string();
    match (size, number) {
        (Some(s), Some(n)) if (1..=MAX_PAGE_SIZE).contains(&s) && n >= 1 => Ok((s, n)),
        _ => Err(rejected(
            "rjct.pagination.invalid",
            lang,
            "dci-pagination",
            &[("max", &max)],
        )),
    }
}

struct Parser<'a> {
    partner: &'a Partner,
    lang: Lang,
}

impl Parser<'_> {
    fn attr(&self, name: &str) -> Result<Attr, Rejected> {
        let Some(a) = attribute(name) else {
            return Err(invalid(
                self.lang,
                "dci-attribute-unknown",
                &[("name", name)],
            ));
        };
        if !self.partner.may_see(a.field_group()) {
            return Err(invalid(
                self.lang,
                "dci-attribute-outside",
                &[("name", name), ("group", a.field_group())],
            ));
        }
        Ok(a)
    }

    /// A value for an attribute, as the column holds it. Numbers may come as text (`"25"`);
    /// a decile or a size compared with a fraction is compared with the whole numbers around
    /// it (`< 2.5` is `< 3`).
    fn value(&self, a: Attr, cmp: Cmp, v: &Value, name: &str) -> Result<(Cmp, SqlValue), Rejected> {
        let text = match v {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => String::new(),
        };
        let wrong = || {
            invalid(
                self.lang,
                "dci-value-invalid",
                &[("name", name), ("value", &text)],
            )
        };
        match a {
            Attr::Decile | Attr::GroupSize | Attr::Age => {
                let f: f64 = text.parse().map_err(|_| wrong())?;
                if !f.is_finite() {
                    return Err(wrong());
                }
                let whole = |x: f64| SqlValue::Int(x as i64);
                if f.fract() == 0.0 {
                    return Ok((cmp, whole(f)));
                }
                Ok(match cmp {
                    Cmp::Lt | Cmp::Ge => (cmp, whole(f.ceil())),
                    Cmp::Le | Cmp::Gt => (cmp, whole(f.floor())),
                    // No whole number equals a fraction: `= 2.5` matches nothing.
                    Cmp::Eq => (Cmp::Eq, SqlValue::Int(-1)),
                    Cmp::Ne => (Cmp::Ne, SqlValue::Int(-1)),
                })
            }
            Attr::Region => {
                let code = puskesos_domain::wilayah::KodeWilayah::parse(&text).ok_or_else(wrong)?;
                let inside = self.partner.covers(code.as_str())
                    || self
                        .partner
                        .villages
                        .iter()
                        .any(|r| r.starts_with(&format!("{}.", code.as_str())));
                if !inside {
                    return Err(invalid(
                        self.lang,
                        "dci-region-outside",
                        &[("code", code.as_str())],
                    ));
                }
                Ok((cmp, code.as_str().into()))
            }
            Attr::Rt | Attr::Rw => {
                let n: u32 = text.parse().map_err(|_| wrong())?;
                Ok((cmp, format!("{n:03}").into()))
            }
            Attr::Sex => {
                let code = match text.to_ascii_lowercase().as_str() {
                    "male" | "m" | "l" | "laki-laki" => "L",
                    "female" | "f" | "p" | "perempuan" => "P",
                    _ => return Err(wrong()),
                };
                Ok((cmp, code.into()))
            }
            Attr::BirthDate => {
                let day = text.get(..10).unwrap_or_default();
                chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| wrong())?;
                Ok((cmp, day.into()))
            }
        }
    }

    fn test(&self, name: &str, op: &str, v: &Value) -> Result<Cond, Rejected> {
        let a = self.attr(name)?;
        let cmp = match op.trim_start_matches('$') {
            "eq" => Cmp::Eq,
            "ne" => Cmp::Ne,
            "lt" => Cmp::Lt,
            "lte" | "le" => Cmp::Le,
            "gt" => Cmp::Gt,
            "gte" | "ge" => Cmp::Ge,
            "in" => {
                let items = match v {
                    Value::Array(items) => items.clone(),
                    Value::String(s) => s
                        .split(',')
                        .map(|x| Value::String(x.trim().into()))
                        .collect(),
                    other => vec![other.clone()],
                };
                let values = items
                    .iter()
                    .map(|i| self.value(a, Cmp::Eq, i, name).map(|(_, v)| v))
                    .collect::<Result<Vec<_>, _>>()?;
                return Ok(Cond::In(a, values));
            }
            _ => return Err(invalid(self.lang, "dci-operator-unknown", &[("op", op)])),
        };
        let (cmp, value) = self.value(a, cmp, v, name)?;
        Ok(Cond::Test(a, cmp, value))
    }

    /// A MongoDB-style expression: `{"$and": [...]}`, `{"$or": [...]}`, `{"$not": {...}}`,
    /// `{attr: {"$lt": 5}}`, `{attr: value}` (equality); several keys are all required.
    fn expression(&self, e: &Value) -> Result<Cond, Rejected> {
        let Value::Object(map) = e else {
            return Err(invalid(self.lang, "dci-expression-invalid", &[]));
        };
        if map.is_empty() {
            return Err(invalid(self.lang, "dci-expression-invalid", &[]));
        }
        let mut all = Vec::new();
        for (key, v) in map {
            all.push(match key.as_str() {
                "$and" | "$or" => {
                    let Value::Array(items) = v else {
                        return Err(invalid(self.lang, "dci-expression-invalid", &[]));
                    };
                    let parts = items
                        .iter()
                        .map(|i| self.expression(i))
                        .collect::<Result<Vec<_>, _>>()?;
                    if key == "$and" {
                        Cond::And(parts)
                    } else {
                        Cond::Or(parts)
                    }
                }
                "$not" => Cond::Not(Box::new(self.expression(v)?)),
                name => match v {
                    Value::Object(ops) => {
                        let parts = ops
                            .iter()
                            .map(|(op, x)| self.test(name, op, x))
                            .collect::<Result<Vec<_>, _>>()?;
                        Cond::And(parts)
                    }
                    other => self.test(name, "eq", other)?,
                },
            });
        }
        Ok(if all.len() == 1 {
            all.remove(0)
        } else {
            Cond::And(all)
        })
    }

    fn predicate_test(&self, e: &Value) -> Result<Cond, Rejected> {
        let name = e["attribute_name"].as_str().unwrap_or_default();
        let op = e["operator"].as_str().unwrap_or_default();
        if name.is_empty() || op.is_empty() {
            return Err(invalid(self.lang, "dci-expression-invalid", &[]));
        }
        self.test(name, op, &e["attribute_value"])
    }

    /// Predicates in `seq_num` order, all required; each is `expression1`, or `expression1`
    /// `and`/`or`/`not` (and not) `expression2`.
    fn predicates(&self, q: &Value) -> Result<Cond, Rejected> {
        let Value::Array(items) = q else {
            return Err(invalid(self.lang, "dci-expression-invalid", &[]));
        };
        if items.is_empty() {
            return Err(invalid(self.lang, "dci-expression-invalid", &[]));
        }
        let mut sorted: Vec<&Value> = items.iter().collect();
        sorted.sort_by(|a, b| {
            let n = |v: &Value| v["seq_num"].as_f64().unwrap_or(0.0);
            n(a).total_cmp(&n(b))
        });
        let mut all = Vec::new();
        for item in sorted {
            let first = self.predicate_test(&item["expression1"])?;
            let second = if item["expression2"].is_object() {
                Some(self.predicate_test(&item["expression2"])?)
            } else {
                None
            };
            all.push(match (item["condition"].as_str(), second) {
                (None, None) => first,
                (Some("not"), None) => Cond::Not(Box::new(first)),
                (Some("and") | None, Some(s)) => Cond::And(vec![first, s]),
                (Some("or"), Some(s)) => Cond::Or(vec![first, s]),
                (Some("not"), Some(s)) => Cond::And(vec![first, Cond::Not(Box::new(s))]),
                (Some(c), _) => {
                    return Err(invalid(self.lang, "dci-operator-unknown", &[("op", c)]));
                }
            });
        }
        Ok(Cond::And(all))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn partner(fields: &[&str]) -> Partner {
        Partner {
            id: "p".into(),
            name: "p".into(),
            villages: vec!["33.12.01".into()],
            fields: fields.iter().map(|f| f.to_string()).collect(),
            callback_url: None,
            public_key: None,
            revoked: false,
        }
    }

    fn run(c: Value, p: &Partner) -> Result<Search, Rejected> {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        parse(&c, p, today, Lang::En, &mut |t| t == "UIN")
    }

    #[test]
    fn the_three_query_types_parse() {
        let p = partner(&["desil", "alamat", "keluarga", "lahir"]);
        let s = run(json!({"query_type": "idtype-value", "query": {"type": "NIK", "value": "3312014101900001"}}), &p).unwrap();
        assert_eq!(s.criteria.id, Some(IdMatch::Nik("3312014101900001".into())));
        let s = run(
            json!({"query_type": "idtype-value", "query": {"type": "UIN", "value": "TEST-001"}}),
            &p,
        )
        .unwrap();
        assert_eq!(
            s.criteria.id,
            Some(IdMatch::Other("UIN".into(), "TEST-001".into()))
        );
        let s = run(json!({"query_type": "expression", "query": {"collection": "Group", "query": {"$and": [{"poverty_score": {"$lt": 5}}, {"group_size": {"$lt": 5}}]}}}), &p).unwrap();
        assert_eq!(
            s.criteria.cond,
            Some(Cond::And(vec![
                Cond::And(vec![Cond::Test(Attr::Decile, Cmp::Lt, SqlValue::Int(5))]),
                Cond::And(vec![Cond::Test(Attr::GroupSize, Cmp::Lt, SqlValue::Int(5))]),
            ]))
        );
        let s = run(json!({"query_type": "predicate", "query": [{"seq_num": 1, "expression1": {"attribute_name": "age", "operator": "lt", "attribute_value": "25"}, "condition": "and", "expression2": {"attribute_name": "poverty_score", "operator": "lt", "attribute_value": "2.5"}}]}), &p).unwrap();
        assert_eq!(
            s.criteria.cond,
            Some(Cond::And(vec![Cond::And(vec![
                Cond::Test(Attr::Age, Cmp::Lt, SqlValue::Int(25)),
                Cond::Test(Attr::Decile, Cmp::Lt, SqlValue::Int(3)),
            ])]))
        );
    }

    #[test]
    fn what_the_agreement_does_not_name_is_rejected_with_a_reason() {
        let p = partner(&["desil"]);
        let age = json!({"query_type": "predicate", "query": [{"expression1": {"attribute_name": "age", "operator": "lt", "attribute_value": 5}}]});
        let r = run(age, &p).unwrap_err();
        assert_eq!(r.code, "rjct.search_criteria.invalid");
        assert!(r.message.contains("age"), "{}", r.message);
        let unknown = json!({"query_type": "expression", "query": {"shoe_size": 3}});
        assert!(run(unknown, &p).unwrap_err().message.contains("shoe_size"));
        let id = json!({"query_type": "idtype-value", "query": {"type": "PASSPORT", "value": "X"}});
        assert!(run(id, &p).unwrap_err().message.contains("PASSPORT"));
        let big = json!({"query_type": "idtype-value", "query": {"type": "NIK", "value": "1"}, "pagination": {"page_size": 5000}});
        assert_eq!(run(big, &p).unwrap_err().code, "rjct.pagination.invalid");
        let p = partner(&["alamat"]);
        let elsewhere =
            json!({"query_type": "expression", "query": {"location": {"$eq": "33.13"}}});
        assert!(run(elsewhere, &p).unwrap_err().message.contains("33.13"));
        // A region that holds the partner's is allowed (the search stays inside the agreement).
        let wider = json!({"query_type": "expression", "query": {"location": "33.12"}});
        assert!(run(wider, &p).is_ok());
    }
}
