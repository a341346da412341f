//! What the centre did with a family: the cases, complaints, referrals and activities of the
//! family and its members, for the family page (read with the family view, which is audited).

use crate::audit::{self, AuditAction, AuditEntity, AuditEvent};
use crate::db::Decode;
use crate::{Conn, SqlValue, StorageError};

/// One line of the family page's record: what it is, its number, state and date.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Line {
    pub id: String,
    /// The case number, complaint ticket, the referral's case number, the activity's title.
    pub number: String,
    pub state: String,
    /// Milliseconds (cases, complaints, referrals) or `None` with `day` set (activities).
    pub at: Option<i64>,
    pub day: Option<String>,
    /// The case a referral belongs to (its page is the case's).
    pub case_id: Option<String>,
    /// The provider a referral went to.
    pub provider: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct FamilyRecord {
    pub cases: Vec<Line>,
    pub complaints: Vec<Line>,
    pub referrals: Vec<Line>,
    pub activities: Vec<Line>,
}

const MEMBERS: &str = "SELECT id FROM persons WHERE family_id = $2";

fn lines(
    conn: &mut Conn,
    table: &str,
    sql: &str,
    village: &str,
    family: &str,
    f: impl Fn(&Decode) -> Result<Line, StorageError>,
) -> Result<Vec<Line>, StorageError> {
    conn.query(sql, &[village.into(), family.into()])?
        .into_iter()
        .map(|r: Vec<SqlValue>| f(&Decode::new(table, &r, 0)))
        .collect()
}

/// The family's record in its village, the latest first (at most 100 of each).
pub fn of_family(
    conn: &mut Conn,
    village: &str,
    family: &str,
) -> Result<FamilyRecord, StorageError> {
    let cases = lines(
        conn,
        "cases",
        &format!(
            "SELECT id, nomor, state, opened_at FROM cases WHERE kode_wilayah = $1 \
             AND (family_id = $2 OR person_id IN ({MEMBERS})) ORDER BY opened_at DESC, id DESC LIMIT 100"
        ),
        village,
        family,
        |d| {
            Ok(Line {
                id: d.text(0)?,
                number: d.text(1)?,
                state: d.text(2)?,
                at: Some(d.int(3)?),
                day: None,
                case_id: None,
                provider: None,
            })
        },
    )?;
    let complaints = lines(
        conn,
        "complaints",
        "SELECT id, ticket, status, opened_at FROM complaints WHERE kode_wilayah = $1 \
         AND family_id = $2 ORDER BY opened_at DESC, id DESC LIMIT 100",
        village,
        family,
        |d| {
            Ok(Line {
                id: d.text(0)?,
                number: d.text(1)?,
                state: d.text(2)?,
                at: Some(d.int(3)?),
                day: None,
                case_id: None,
                provider: None,
            })
        },
    )?;
    let referrals = lines(
        conn,
        "referrals",
        &format!(
            "SELECT r.id, c.nomor, r.status, r.sent_at, r.case_id, p.name FROM referrals r \
             JOIN cases c ON c.kode_wilayah = r.kode_wilayah AND c.id = r.case_id \
             JOIN providers p ON p.kode_wilayah = r.kode_wilayah AND p.id = r.provider_id \
             WHERE r.kode_wilayah = $1 AND (c.family_id = $2 OR c.person_id IN ({MEMBERS})) \
             ORDER BY r.sent_at DESC, r.id DESC LIMIT 100"
        ),
        village,
        family,
        |d| {
            Ok(Line {
                id: d.text(0)?,
                number: d.text(1)?,
                state: d.text(2)?,
                at: Some(d.int(3)?),
                day: None,
                case_id: Some(d.text(4)?),
                provider: Some(d.text(5)?),
            })
        },
    )?;
    let activities = lines(
        conn,
        "activities",
        &format!(
            "SELECT a.id, a.title, a.status, a.held_on FROM activities a WHERE a.kode_wilayah = $1 \
             AND a.id IN (SELECT activity_id FROM activity_participants WHERE kode_wilayah = $1 \
             AND person_id IN ({MEMBERS})) ORDER BY a.held_on DESC, a.id DESC LIMIT 100"
        ),
        village,
        family,
        |d| {
            Ok(Line {
                id: d.text(0)?,
                number: d.text(1)?,
                state: d.text(2)?,
                at: None,
                day: Some(d.text(3)?),
                case_id: None,
                provider: None,
            })
        },
    )?;
    Ok(FamilyRecord {
        cases,
        complaints,
        referrals,
        activities,
    })
}

/// Names the registered family a complaint is about (the family must be of the complaint's
/// village). Returns whether it was linked.
pub fn link_complaint(
    conn: &mut Conn,
    village: &str,
    complaint: &str,
    family: &str,
    actor: &str,
) -> Result<bool, StorageError> {
    conn.transaction(|c| {
        let n = c.execute(
            "UPDATE complaints SET family_id = $1 WHERE kode_wilayah = $2 AND id = $3 \
             AND EXISTS (SELECT 1 FROM families WHERE id = $1 AND kode_wilayah = $2)",
            &[family.into(), village.into(), complaint.into()],
        )?;
        if n == 0 {
            return Ok(false);
        }
        audit::record(
            c,
            &AuditEvent::new(AuditAction::Update, AuditEntity::Complaint, complaint)
                .by(actor)
                .in_village(village)
                .detail(family),
        )?;
        Ok(true)
    })
}
