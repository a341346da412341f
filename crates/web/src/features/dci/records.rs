//! Registry records in the standard's Group / Member / Person shapes, with only the field
//! groups the partner's agreement names (UU 27/2022: data minimisation per partner).
//!
//! Field groups: `identitas` (NIK, KK, other identifiers), `nama`, `kelamin`, `lahir` (birth
//! date, death), `alamat` (address, RT/RW, region code), `keluarga` (household size, members,
//! relation to the head), `desil` (DTSEN decile), `program` (programs received), `kelayakan`
//! (programs the assessment finds the family eligible for), `disabilitas`.

use puskesos_domain::model::Record;
use puskesos_domain::model::{Family, Person};
use puskesos_storage::dci::{self, Partner};
use puskesos_storage::{Conn, StorageError, registry};
use serde_json::{Value, json};

pub const FIELD_GROUPS: [&str; 10] = [
    "identitas",
    "nama",
    "kelamin",
    "lahir",
    "alamat",
    "keluarga",
    "desil",
    "program",
    "kelayakan",
    "disabilitas",
];

/// What a search returns: families (the standard's default) or members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Group,
    Member,
}

fn date_time(date: &str) -> String {
    format!("{date}T00:00:00Z")
}

fn codes(list: &str) -> Vec<&str> {
    list.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// A member: identifiers, demographic info, relation to the head.
pub fn member(conn: &mut Conn, p: &Person, partner: &Partner) -> Result<Value, StorageError> {
    let sees = |f| partner.may_see(f);
    let mut ids = Vec::new();
    if sees("identitas") {
        if let Some(nik) = p.text("nik") {
            ids.push(
                json!({"@type": "Identifier", "identifier_type": "NIK", "identifier_value": nik}),
            );
        }
        for (t, v) in dci::identifiers_of(conn, &p.id)? {
            ids.push(json!({"@type": "Identifier", "identifier_type": t, "identifier_value": v}));
        }
    }
    let mut person = json!({"@type": "SRPerson", "identifier": ids.clone()});
    if sees("nama")
        && let Some(n) = p.text("nama")
    {
        person["name"] = json!({"@type": "Name", "given_name": n, "surname": ""});
    }
    if sees("kelamin") {
        match p.text("jenis_kelamin") {
            Some("L") => person["sex"] = json!("male"),
            Some("P") => person["sex"] = json!("female"),
            _ => {}
        }
    }
    if sees("lahir") {
        if let Some(d) = p.text("tanggal_lahir") {
            person["birth_date"] = json!(date_time(d));
        }
        if p.text("status") == Some("meninggal")
            && let Some(d) = p.text("status_tanggal")
        {
            person["death_date"] = json!(date_time(d));
        }
    }
    let mut m = json!({
        "@type": "spdci:Member",
        "member_identifier": ids,
        "demographic_info": person,
    });
    if sees("keluarga")
        && let Some(h) = p.text("hubungan")
    {
        m["relationship_head"] = json!(h);
    }
    if sees("disabilitas") {
        let d = p.text("disabilitas").unwrap_or("tidak_ada");
        m["is_disabled"] = json!(d != "tidak_ada");
    }
    if sees("alamat")
        && let Some(s) = p.text("status")
    {
        // Present, moved away or died: where the person is is part of the address group.
        m["additional_attributes"] = json!([{"name": "status", "value": s}]);
    }
    Ok(m)
}

/// A family with its members.
pub fn group(
    conn: &mut Conn,
    f: &Family,
    members: &[Person],
    partner: &Partner,
) -> Result<Value, StorageError> {
    let sees = |g| partner.may_see(g);
    let mut g = json!({"@type": "spdci:Group", "group_type": "family"});
    if sees("identitas")
        && let Some(kk) = f.text("no_kk")
    {
        g["group_identifier"] =
            json!([{"@type": "Identifier", "identifier_type": "KK", "identifier_value": kk}]);
    }
    let mut extra = Vec::new();
    if sees("alamat") {
        let village = f.text("kode_wilayah").unwrap_or_default();
        let address = [
            f.text("alamat").map(str::to_string),
            f.text("rt").map(|rt| format!("RT {rt}")),
            f.text("rw").map(|rw| format!("RW {rw}")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        g["place"] = json!({"@type": "Place", "address": address});
        extra.push(json!({"name": "kode_wilayah", "value": village}));
        for key in ["rt", "rw"] {
            if let Some(v) = f.text(key) {
                extra.push(json!({"name": key, "value": v}));
            }
        }
    }
    let assessed = dci::assessment_of(conn, f.text("kode_wilayah").unwrap_or_default(), &f.id)?;
    if sees("desil") {
        if let Some(d) = f.int("desil") {
            g["poverty_score"] = json!(d);
            g["poverty_score_type"] = json!("DTSEN decile (1 = poorest)");
        }
        if let Some((Some(d), _, _)) = &assessed {
            extra.push(json!({"name": "effective_decile", "value": d}));
        }
    }
    if sees("program") {
        let received = assessed.as_ref().map(|a| codes(&a.2)).unwrap_or_default();
        extra.push(json!({"name": "programs_received", "value": received}));
    }
    if sees("kelayakan") {
        let eligible = assessed.as_ref().map(|a| codes(&a.1)).unwrap_or_default();
        extra.push(json!({"name": "programs_eligible", "value": eligible}));
    }
    if let Some(head) = members.first() {
        g["group_head_info"] = member(conn, head, partner)?;
    }
    if sees("keluarga") {
        g["group_size"] = json!(members.len());
        let list = members
            .iter()
            .map(|p| member(conn, p, partner))
            .collect::<Result<Vec<_>, _>>()?;
        g["member_list"] = json!(list);
    }
    if !extra.is_empty() {
        g["additional_attributes"] = json!(extra);
    }
    Ok(g)
}

/// The records of one page of search results.
pub fn records(
    conn: &mut Conn,
    hits: &[dci::Hit],
    entity: Entity,
    partner: &Partner,
) -> Result<Vec<Value>, StorageError> {
    let mut out = Vec::with_capacity(hits.len());
    for (family_id, person_id, _) in hits {
        let Some(f) = registry::family_by_id(conn, family_id)? else {
            continue;
        };
        let members = registry::members(conn, family_id)?;
        match (entity, person_id) {
            (Entity::Member, Some(pid)) => {
                if let Some(p) = members.iter().find(|p| &p.id == pid) {
                    out.push(member(conn, p, partner)?);
                }
            }
            _ => out.push(group(conn, &f, &members, partner)?),
        }
    }
    Ok(out)
}
