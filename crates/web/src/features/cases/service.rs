//! The use cases of SLRT cases, apart from HTTP: what each page loads, intake, steps, the
//! referral with its letter, attachments and the provider's answer. Functions take the database
//! and domain values and return domain rows or a [`CaseError`]; the handlers turn that into
//! statuses, so every rule here can be read (and changed) without reading a response.

use std::path::Path;

use puskesos_domain::Lang;
use puskesos_domain::access::Role;
use puskesos_domain::cases::{Sector, State, Step, StepError, may_refer};
use puskesos_domain::model::{Family, Person, Record};
use puskesos_storage::audit::{self, AuditAction, AuditEntity, AuditEvent};
use puskesos_storage::cases::{
    self, Attachment, Case, CaseEvent, CaseFilter, IntakeError, NewCase,
};
use puskesos_storage::complaints::{self, Complaint};
use puskesos_storage::referrals::{self, Provider, Referral};
use puskesos_storage::{Conn, Db, StorageError, now_ms, registry};

use crate::features::cases::letter::{self, Letter, LetterLabels};

/// Why a use case of this feature did not happen.
#[derive(Debug)]
pub enum CaseError {
    /// The database failed.
    Storage(StorageError),
    /// The state machine refused the step (recorded in the audit log by storage).
    Refused(StepError),
    /// The referral names a provider outside the village's directory, or a due date outside
    /// 1..=365 days.
    BadReferral,
    /// No such case in the village.
    NotFound,
    /// An attachment over [`cases::MAX_ATTACHMENT`] (recorded).
    TooLarge,
    /// An attachment that is not a JPEG, PNG or PDF by content (recorded).
    NotImageOrPdf,
    /// A stored file (letter, attachment) that should exist and could not be read.
    File(std::io::Error),
    /// A file (letter, attachment) that could not be written.
    NotStored(std::io::Error),
}

impl std::fmt::Display for CaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CaseError::Storage(e) => write!(f, "{e}"),
            CaseError::Refused(e) => write!(f, "step refused: {e:?}"),
            CaseError::BadReferral => f.write_str("unknown provider or due date out of range"),
            CaseError::NotFound => f.write_str("no such case"),
            CaseError::TooLarge => f.write_str("attachment too large"),
            CaseError::NotImageOrPdf => f.write_str("attachment is not an image or PDF"),
            CaseError::File(e) => write!(f, "reading a stored file: {e}"),
            CaseError::NotStored(e) => write!(f, "storing a file: {e}"),
        }
    }
}

impl std::error::Error for CaseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CaseError::Storage(e) => Some(e),
            CaseError::File(e) | CaseError::NotStored(e) => Some(e),
            _ => None,
        }
    }
}

impl From<StorageError> for CaseError {
    fn from(e: StorageError) -> CaseError {
        CaseError::Storage(e)
    }
}

impl From<StepError> for CaseError {
    fn from(e: StepError) -> CaseError {
        CaseError::Refused(e)
    }
}

/// Who acts, and in which village: the actor as the audit log names it (`user:<name>`) and the
/// role the state machine checks.
#[derive(Debug, Clone)]
pub struct Staff {
    pub village: String,
    pub actor: String,
    pub role: Role,
}

/// A step by the code a form or a stored event carries (`Step::code`).
pub fn step_from_code(code: &str) -> Option<Step> {
    Step::ALL.into_iter().find(|s| s.code() == code)
}

/// The step a stored event records (events store the step's code).
fn step_of(e: &CaseEvent) -> Option<Step> {
    step_from_code(&e.step)
}

/// The cases waiting for `role` (the longest waiting first), and the village's cases that match
/// the search (open ones by default; closed ones too for the archive).
pub fn queues(
    db: &Db,
    village: &str,
    role: Role,
    filter: &CaseFilter,
) -> Result<(Vec<Case>, Vec<Case>), StorageError> {
    let mut conn = db.conn()?;
    Ok((
        cases::open_cases(&mut conn, village, Some(role))?,
        cases::search(&mut conn, village, filter)?,
    ))
}

/// Where a role starts its day.
pub struct Worklist {
    /// Cases waiting for the role.
    pub mine: Vec<Case>,
    /// Referrals past their due date, with their case.
    pub late: Vec<(Referral, Option<Case>)>,
    /// Open complaints whose deadline is less than three days away (or past).
    pub soon: Vec<Complaint>,
    /// Complaints the district decided in the last fortnight: the centre tells the resident.
    pub decided: Vec<Complaint>,
}

const DAY_MS: i64 = 86_400_000;

pub fn worklist(db: &Db, village: &str, role: Role, now: i64) -> Result<Worklist, StorageError> {
    let mut conn = db.conn()?;
    let mine = cases::open_cases(&mut conn, village, Some(role))?;
    let late = referrals::overdue(&mut conn, village, now)?
        .into_iter()
        .map(|r| {
            let case = cases::by_id(&mut conn, village, &r.case_id)?;
            Ok((r, case))
        })
        .collect::<Result<_, StorageError>>()?;
    let soon = complaints::open_list(&mut conn, village)?
        .into_iter()
        .filter(|c| c.deadline_at < now + 3 * DAY_MS)
        .collect();
    let decided = complaints::decided_by_district(&mut conn, village, now - 14 * DAY_MS)?;
    Ok(Worklist {
        mine,
        late,
        soon,
        decided,
    })
}

/// The district's desk: complaints escalated to it and referrals addressed to its providers
/// (kind `dinas_sosial`) in the villages under `prefix`, the oldest first.
pub struct Desk {
    pub escalated: Vec<Complaint>,
    pub referred: Vec<(Referral, Option<Case>)>,
}

pub fn district_desk(db: &Db, prefix: Option<&str>) -> Result<Desk, StorageError> {
    let mut conn = db.conn()?;
    let escalated = complaints::escalated(&mut conn, prefix)?;
    let referred = referrals::for_district(&mut conn, prefix)?
        .into_iter()
        .map(|r| {
            let case = cases::by_id(&mut conn, &r.village, &r.case_id)?;
            Ok((r, case))
        })
        .collect::<Result<_, StorageError>>()?;
    Ok(Desk {
        escalated,
        referred,
    })
}

/// What the intake form asks, trimmed (empty answers are `None`).
#[derive(Debug, Clone, Default)]
pub struct Intake {
    /// A resident's NIK or their family's KK number, or someone unregistered's NIK.
    pub number: Option<String>,
    pub channel: String,
    pub sector: Option<Sector>,
    /// As typed (not trimmed).
    pub summary: String,
    pub contact_name: Option<String>,
    pub contact_address: Option<String>,
    pub contact_phone: Option<String>,
    pub consent_purpose: String,
}

/// Opens a case. The number links the case to a resident or a family only when they are
/// registered in this village (nothing of another village's is linked); otherwise it is kept
/// as the contact's NIK. Returns the case, or the field the storage layer refused.
pub fn intake(
    db: &Db,
    staff: &Staff,
    form: Intake,
) -> Result<Result<Case, IntakeError>, StorageError> {
    let mut conn = db.conn()?;
    let refuse = |field, key| Ok(Err(IntakeError { field, key }));
    let number = form.number.as_deref().map(|n| {
        n.chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect::<String>()
    });
    // A number that is neither a NIK nor a KK is a typing mistake, not "not registered".
    if let Some(n) = &number
        && puskesos_domain::identity::Nik::parse(n).is_err()
        && puskesos_domain::identity::NomorKk::parse(n).is_err()
    {
        return refuse("nik", "case-new-nik-invalid");
    }
    let (person_id, family_id) = match &number {
        Some(n) => registered(&mut conn, &staff.village, n)?,
        None => (None, None),
    };
    let unlinked = person_id.is_none() && family_id.is_none();
    let named = form
        .contact_name
        .as_deref()
        .is_some_and(|n| !n.trim().is_empty());
    if number.is_some() && unlinked && !named {
        // A valid number this village's registry does not hold: the person is new here.
        return refuse("contact_name", "case-new-nik-unregistered");
    }
    let new = NewCase {
        village: staff.village.clone(),
        channel: form.channel,
        sector: form.sector,
        summary: form.summary,
        person_id,
        family_id,
        contact_name: form.contact_name,
        contact_nik: number.filter(|_| unlinked),
        contact_address: form.contact_address,
        contact_phone: form.contact_phone,
        consent_purpose: form.consent_purpose,
    };
    cases::open(&mut conn, &new, &staff.actor, staff.role, now_ms())
}

/// The resident (and their family) whose NIK this is, else the family whose KK this is, when
/// registered in `village`.
fn registered(
    conn: &mut Conn,
    village: &str,
    number: &str,
) -> Result<(Option<String>, Option<String>), StorageError> {
    let in_village = |f: &Family| f.text("kode_wilayah") == Some(village);
    if let Some((p, _)) = registry::person_by_nik(conn, number)? {
        if registry::family_by_id(conn, &p.family_id)?.is_some_and(|f| in_village(&f)) {
            return Ok((Some(p.id), Some(p.family_id)));
        }
    } else if let Some(f) = registry::family_by_kk(conn, number)?.filter(|f| in_village(f)) {
        return Ok((None, Some(f.id)));
    }
    Ok((None, None))
}

/// Everything the case page shows.
pub struct CaseFile {
    pub case: Case,
    pub events: Vec<CaseEvent>,
    pub person: Option<Person>,
    pub sent: Vec<Referral>,
    /// The provider's link of each referral still waiting for its answer, for the roles that
    /// may send referrals (empty for the others): `(referral id, token or None when it must be
    /// renewed)`.
    pub links: Vec<(String, Option<String>)>,
    pub directory: Vec<Provider>,
    pub files: Vec<Attachment>,
    /// The names of the accounts in the history.
    pub actors: crate::app::actors::Actors,
}

/// Records a record asked for that is not the village's (another village's, or none): who
/// tried is part of the processing record too.
fn refused(
    conn: &mut puskesos_storage::Conn,
    staff: &Staff,
    entity: AuditEntity,
    id: &str,
) -> Result<(), StorageError> {
    audit::record(
        conn,
        &AuditEvent::new(AuditAction::ViewRefused, entity, id)
            .by(&staff.actor)
            .in_village(&staff.village),
    )
}

/// Loads a case of the village for its page (the view is audited; so is a refused one), or
/// `None`.
pub fn case_file(db: &Db, staff: &Staff, id: &str) -> Result<Option<CaseFile>, StorageError> {
    let v = staff.village.as_str();
    let mut conn = db.conn()?;
    let Some(case) = cases::by_id(&mut conn, v, id)? else {
        refused(&mut conn, staff, AuditEntity::Case, id)?;
        return Ok(None);
    };
    let events = cases::events(&mut conn, v, id)?;
    let person = match &case.person_id {
        Some(pid) => registry::person_by_id(&mut conn, pid)?.map(|(p, _)| p),
        None => None,
    };
    let sent = referrals::of_case(&mut conn, v, id)?;
    let mut links = Vec::new();
    if may_refer(staff.role, case.sector) {
        for r in sent.iter().filter(|r| !r.is_final()) {
            links.push((r.id.clone(), referrals::token_of(&mut conn, v, &r.id)?));
        }
    }
    let files = cases::attachments(&mut conn, v, id)?;
    let directory = referrals::providers(&mut conn, v)?;
    audit::record(
        &mut conn,
        &AuditEvent::new(AuditAction::View, AuditEntity::Case, id)
            .by(&staff.actor)
            .in_village(v),
    )?;
    let actors = crate::app::actors::Actors::load(&mut conn)?;
    Ok(Some(CaseFile {
        case,
        events,
        person,
        sent,
        links,
        directory,
        files,
        actors,
    }))
}

/// Takes one step other than `refer` (which sends a referral: [`refer`]).
pub fn take_step(
    db: &Db,
    staff: &Staff,
    case_id: &str,
    step: Step,
    note: &str,
) -> Result<State, CaseError> {
    let mut conn = db.conn()?;
    Ok(cases::take_step(
        &mut conn,
        &staff.village,
        case_id,
        step,
        staff.role,
        &staff.actor,
        note,
        now_ms(),
    )??)
}

/// Where a referral goes.
#[derive(Debug, Clone)]
pub struct ReferTo {
    pub provider_id: String,
    pub due_days: i64,
}

/// The `refer` step: checks the provider against the village's directory, then refers (the
/// case moves and the referral is sent in one transaction). A case may be referred again (to
/// another provider, or after a refusal). The letter and the provider's link are drawn on
/// demand from the case page ([`letter_pdf`]).
pub fn refer(
    db: &Db,
    staff: &Staff,
    case_id: &str,
    note: &str,
    to: &ReferTo,
) -> Result<Referral, CaseError> {
    let village = staff.village.as_str();
    let mut conn = db.conn()?;
    let known = referrals::providers(&mut conn, village)?
        .iter()
        .any(|p| p.id == to.provider_id);
    if !known || !(1..=365).contains(&to.due_days) {
        return Err(CaseError::BadReferral);
    }
    let (sent, _token) = cases::refer(
        &mut conn,
        village,
        case_id,
        staff.role,
        &staff.actor,
        note,
        &to.provider_id,
        to.due_days,
        now_ms(),
    )??;
    Ok(sent)
}

/// Replaces the provider's link of a referral still waiting for its answer ("buat tautan
/// baru"), for the roles that may send referrals; `false` when there is nothing to renew.
pub fn renew_link(
    db: &Db,
    staff: &Staff,
    case_id: &str,
    referral_id: &str,
) -> Result<bool, CaseError> {
    let mut conn = db.conn()?;
    let case = cases::by_id(&mut conn, &staff.village, case_id)?.ok_or(CaseError::NotFound)?;
    if !may_refer(staff.role, case.sector) {
        return Err(CaseError::Refused(StepError::NotPermitted));
    }
    if referrals::by_id(&mut conn, &staff.village, referral_id)?
        .is_none_or(|r| r.case_id != case_id)
    {
        return Err(CaseError::NotFound);
    }
    Ok(referrals::renew_token(
        &mut conn,
        &staff.village,
        referral_id,
        &staff.actor,
        now_ms(),
    )?
    .is_some())
}

/// What the letter of a referral just sent says: the person by name, masked NIK and their
/// family's address (RT/RW), the decision and who took it, the officer who referred. Its QR
/// code opens the provider's answer page with the token.
fn letter_of(
    conn: &mut Conn,
    village: &str,
    case_id: &str,
    sent: &Referral,
    token: &str,
    origin: &str,
) -> Result<Letter, StorageError> {
    let case = cases::by_id(conn, village, case_id)?.ok_or_else(|| {
        StorageError::Corrupt(format!("case {case_id} missing right after its referral"))
    })?;
    let events = cases::events(conn, village, case_id)?;
    // Days in WIB, as the village reads them (a UTC day is the day before after 17:00 UTC).
    let day = crate::app::format::format_day;
    let decided = events
        .iter()
        .rev()
        .find(|e| step_of(e) == Some(Step::Decide));
    let referred_by = events
        .iter()
        .rev()
        .find(|e| step_of(e) == Some(Step::Refer));
    let person = match &case.person_id {
        Some(p) => registry::person_by_id(conn, p)?.map(|(p, _)| p),
        None => None,
    };
    let family_id = case
        .family_id
        .clone()
        .or_else(|| person.as_ref().map(|p| p.family_id.clone()));
    let family = match &family_id {
        Some(f) => registry::family_by_id(conn, f)?,
        None => None,
    };
    let name = person
        .as_ref()
        .and_then(|p| p.text("nama").map(str::to_string))
        .or_else(|| case.contact_name.clone());
    let nik = person
        .as_ref()
        .and_then(|p| p.text("nik").map(str::to_string))
        .or_else(|| case.contact_nik.clone())
        .map(|n| puskesos_domain::identity::mask(&n))
        .unwrap_or_default();
    let address = match &family {
        Some(f) => {
            let mut parts: Vec<String> = f.text("alamat").map(str::to_string).into_iter().collect();
            if let (Some(rt), Some(rw)) = (f.text("rt"), f.text("rw")) {
                parts.push(format!("RT {rt}/RW {rw}"));
            }
            parts.join(", ")
        }
        None => String::new(),
    };
    let address = if address.is_empty() {
        case.contact_address.clone().unwrap_or_default()
    } else {
        address
    };
    // The officer by the name on their account (the event keeps the login name).
    let (officer, officer_role) = match referred_by {
        Some(e) => {
            let username = e.actor.strip_prefix("user:").unwrap_or(&e.actor);
            let shown = puskesos_storage::accounts::list(
                conn,
                &puskesos_domain::access::Reach::Everywhere,
            )?
            .into_iter()
            .find(|a| a.username == username)
            .map_or_else(|| username.to_string(), |a| a.display_name);
            (shown, e.role.clone())
        }
        None => (String::new(), String::new()),
    };
    let count = referrals::of_case(conn, village, case_id)?.len();
    Ok(Letter {
        village_code: village.to_string(),
        village: crate::app::format::region_name(village),
        letter_number: format!("{}/R-{count:02}", case.nomor),
        case_number: case.nomor.clone(),
        date: day(sent.sent_at),
        provider: sent.provider.clone(),
        person: name.unwrap_or_default(),
        nik_masked: nik,
        address,
        need: case.summary,
        decision: decided.and_then(|e| e.note.clone()).unwrap_or_default(),
        decided_on: decided.map(|e| day(e.at)).unwrap_or_default(),
        officer,
        officer_role,
        due: day(sent.due_at),
        qr_target: format!("{origin}/rujukan/{}/jawab?t={token}", sent.id),
    })
}

/// The letter of a referral of the village's case, drawn now from the database (the download
/// is audited), for the roles that may send referrals: it carries the provider's link. `None`
/// for a referral that is not the case's; refused (and recorded) for other roles and for a
/// referral without a kept link (renew it first).
pub fn letter_pdf(
    db: &Db,
    staff: &Staff,
    case_id: &str,
    referral_id: &str,
    origin: &str,
    lang: Lang,
) -> Result<Option<Vec<u8>>, CaseError> {
    let mut conn = db.conn()?;
    let found =
        referrals::by_id(&mut conn, &staff.village, referral_id)?.filter(|r| r.case_id == case_id);
    let case = cases::by_id(&mut conn, &staff.village, case_id)?;
    let (Some(r), Some(case)) = (found, case) else {
        refused(&mut conn, staff, AuditEntity::ReferralLetter, referral_id)?;
        return Ok(None);
    };
    let token = referrals::token_of(&mut conn, &staff.village, &r.id)?;
    let Some(token) = token.filter(|_| may_refer(staff.role, case.sector)) else {
        refused(&mut conn, staff, AuditEntity::ReferralLetter, referral_id)?;
        return Err(CaseError::Refused(StepError::NotPermitted));
    };
    let letter = letter_of(&mut conn, &staff.village, case_id, &r, &token, origin)?;
    let pdf = letter::render(&letter, &LetterLabels::new(lang));
    audit::record(
        &mut conn,
        &AuditEvent::new(AuditAction::Read, AuditEntity::ReferralLetter, &r.id)
            .by(&staff.actor)
            .in_village(&staff.village),
    )?;
    Ok(Some(pdf))
}

/// Adds an attachment to a case of the village, stored as `dir/<id>.<ext>`: JPEG, PNG or PDF
/// by content, at most [`cases::MAX_ATTACHMENT`]. A refused file stores nothing and is recorded
/// in the audit log. Returns the attachment's id.
pub fn attach(
    db: &Db,
    staff: &Staff,
    case_id: &str,
    file_name: &str,
    bytes: &[u8],
    dir: &Path,
) -> Result<String, CaseError> {
    let village = staff.village.as_str();
    let mut conn = db.conn()?;
    if cases::by_id(&mut conn, village, case_id)?.is_none() {
        return Err(CaseError::NotFound);
    }
    let refused = |conn: &mut Conn, why: &str| {
        audit::record(
            conn,
            &AuditEvent::new(AuditAction::UploadRefused, AuditEntity::Case, case_id)
                .by(&staff.actor)
                .in_village(village)
                .detail(why),
        )
    };
    if bytes.len() > cases::MAX_ATTACHMENT {
        refused(&mut conn, "too large")?;
        return Err(CaseError::TooLarge);
    }
    let Some((media_type, ext)) = cases::sniff(bytes) else {
        refused(&mut conn, "not an image or PDF")?;
        return Err(CaseError::NotImageOrPdf);
    };
    std::fs::create_dir_all(dir).map_err(CaseError::NotStored)?;
    conn.transaction(|c| {
        let aid = cases::add_attachment(
            c,
            village,
            case_id,
            file_name,
            media_type,
            bytes.len(),
            &staff.actor,
            now_ms(),
        )?;
        // Written inside the transaction: a file that cannot be stored leaves no row.
        std::fs::write(dir.join(format!("{aid}.{ext}")), bytes).map_err(CaseError::NotStored)?;
        Ok(aid)
    })
}

/// An attachment of the village's case with its bytes (the download is audited), or `None`.
pub fn attachment(
    db: &Db,
    staff: &Staff,
    case_id: &str,
    attachment_id: &str,
    dir: &Path,
) -> Result<Option<(Attachment, Vec<u8>)>, CaseError> {
    let mut conn = db.conn()?;
    let Some(a) = cases::attachments(&mut conn, &staff.village, case_id)?
        .into_iter()
        .find(|a| a.id == attachment_id)
    else {
        refused(&mut conn, staff, AuditEntity::Attachment, attachment_id)?;
        return Ok(None);
    };
    let ext = match a.media_type.as_str() {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        _ => "pdf",
    };
    let bytes = std::fs::read(dir.join(format!("{}.{ext}", a.id))).map_err(CaseError::File)?;
    audit::record(
        &mut conn,
        &AuditEvent::new(AuditAction::Read, AuditEntity::Attachment, &a.id)
            .by(&staff.actor)
            .in_village(&staff.village)
            .detail(case_id),
    )?;
    Ok(Some((a, bytes)))
}

/// The referral and its case for the provider's link, when the token is valid. Both a view and
/// a refused view are audited (the refused one without a village).
pub fn for_provider(
    db: &Db,
    referral_id: &str,
    token: &str,
    now: i64,
) -> Result<Option<(Referral, Case)>, StorageError> {
    let mut conn = db.conn()?;
    let Some(r) = referrals::by_token(&mut conn, referral_id, token, now)? else {
        audit::record(
            &mut conn,
            &AuditEvent::new(AuditAction::ViewRefused, AuditEntity::Referral, referral_id)
                .by("provider-link")
                .in_village(""),
        )?;
        return Ok(None);
    };
    let case = cases::by_id(&mut conn, &r.village, &r.case_id)?;
    audit::record(
        &mut conn,
        &AuditEvent::new(AuditAction::View, AuditEntity::Referral, referral_id)
            .by("provider-link")
            .in_village(&r.village),
    )?;
    Ok(case.map(|c| (r, c)))
}

/// The provider's answer; `false` when the link is not (or no longer) valid.
pub fn answer(
    db: &Db,
    referral_id: &str,
    token: &str,
    status: &str,
    note: &str,
) -> Result<bool, StorageError> {
    referrals::answer(&mut db.conn()?, referral_id, token, status, note, now_ms())
}

pub fn providers(db: &Db, village: &str) -> Result<Vec<Provider>, StorageError> {
    referrals::providers(&mut db.conn()?, village)
}

/// Adds a provider to the village's directory; `None` when the name or kind is not acceptable.
pub fn add_provider(
    db: &Db,
    staff: &Staff,
    name: &str,
    kind: &str,
    contact: Option<&str>,
) -> Result<Option<Provider>, StorageError> {
    referrals::add_provider(
        &mut db.conn()?,
        &staff.village,
        name,
        kind,
        contact,
        &staff.actor,
        now_ms(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use puskesos_storage::testing;

    const VILLAGE: &str = "33.12.01.2003";

    fn staff(role: Role) -> Staff {
        Staff {
            village: VILLAGE.into(),
            actor: format!("user:{}", role.code()),
            role,
        }
    }

    /// A case taken to "decided", with a provider in the directory.
    fn decided_case(db: &Db) -> (String, String) {
        let front = staff(Role::PenerimaInformasi);
        let case = intake(
            db,
            &front,
            Intake {
                channel: "datang".into(),
                sector: Some(Sector::Kesehatan),
                summary: "Anak demam tinggi".into(),
                contact_name: Some("Wagiyem".into()),
                consent_purpose: "Layanan kesehatan".into(),
                ..Intake::default()
            },
        )
        .unwrap()
        .unwrap();
        let ketua = staff(Role::Ketua);
        take_step(db, &ketua, &case.id, Step::Assign, "").unwrap();
        take_step(
            db,
            &staff(Role::ReviewAnalisis),
            &case.id,
            Step::Recommend,
            "",
        )
        .unwrap();
        take_step(db, &ketua, &case.id, Step::Decide, "Disetujui dirujuk").unwrap();
        let p = add_provider(db, &ketua, "Puskesmas", "puskesmas", None)
            .unwrap()
            .unwrap();
        (case.id, p.id)
    }

    #[test]
    fn every_step_is_found_by_its_code_and_nothing_else() {
        for s in Step::ALL {
            assert_eq!(step_from_code(s.code()), Some(s));
        }
        assert_eq!(step_from_code("return_for_correction"), None);
        assert_eq!(step_from_code(""), None);
    }

    #[test]
    fn a_letter_is_drawn_on_demand_for_the_roles_that_send_referrals_only() {
        let t = testing::sqlite();
        let (case_id, provider_id) = decided_case(&t.db);
        let ketua = staff(Role::Ketua);
        let mut to = ReferTo {
            provider_id: "nobody".into(),
            due_days: 14,
        };
        assert!(matches!(
            refer(&t.db, &ketua, &case_id, "", &to),
            Err(CaseError::BadReferral)
        ));
        to.provider_id = provider_id;
        let sent = refer(&t.db, &ketua, &case_id, "", &to).unwrap();
        let pdf = letter_pdf(
            &t.db,
            &ketua,
            &case_id,
            &sent.id,
            "https://desa.id",
            Lang::Id,
        )
        .unwrap()
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(matches!(
            letter_pdf(
                &t.db,
                &ketua,
                "another case",
                &sent.id,
                "https://desa.id",
                Lang::Id
            ),
            Ok(None)
        ));
        // The front office reads the case but may not send referrals: no letter, no link.
        assert!(matches!(
            letter_pdf(
                &t.db,
                &staff(Role::PenerimaInformasi),
                &case_id,
                &sent.id,
                "https://desa.id",
                Lang::Id
            ),
            Err(CaseError::Refused(StepError::NotPermitted))
        ));
        // Referred: it may go to a second provider while the first is pending.
        let second = refer(&t.db, &ketua, &case_id, "", &to).unwrap();
        assert_ne!(second.id, sent.id);
        let file = case_file(&t.db, &ketua, &case_id).unwrap().unwrap();
        assert_eq!(file.sent.len(), 2);
        assert!(file.links.iter().all(|(_, token)| token.is_some()));
        let front = case_file(&t.db, &staff(Role::PenerimaInformasi), &case_id)
            .unwrap()
            .unwrap();
        assert!(front.links.is_empty());
    }
}
