//! The registry's use cases, free of HTTP and markup: search within a reach, load a family (the
//! view is audited), assess it live, load a record for a form, and save what a form sent. The
//! pages and the JSON API call the same functions, so they give the same answers.

use puskesos_domain::access::{Reach, Role};
use puskesos_domain::assessment::{Bps14, Bps14Config, bps14};
use puskesos_domain::i18n::Message;
use puskesos_domain::model::{FAMILY_FIELDS, Family, PERSON_FIELDS, Person, Values};
use puskesos_domain::wilayah::{KodeWilayah, Level};
use puskesos_storage::audit_writer::AuditWriter;
use puskesos_storage::registry::{
    self, FamilyInput, FamilySummary, FamilyView, SearchCount, SearchQuery, WriteCtx,
};
use puskesos_storage::{Db, Engine, StorageError, cases};
use serde::Deserialize;

use crate::app::{Rules, blocking, quick};

/// Page size of the registry search.
pub const PER_PAGE: i64 = 25;

/// What a registry search asks for (the page's and the API's query string).
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// NIK, nomor KK (16 digit) atau bagian nama / NIK, KK number or part of a name
    pub q: Option<String>,
    pub rt: Option<String>,
    pub rw: Option<String>,
    /// halaman / page
    #[param(minimum = 1)]
    pub hal: Option<i64>,
}

impl SearchParams {
    pub fn query(&self) -> SearchQuery {
        let cut = |s: &Option<String>, n: usize| s.as_ref().map(|v| v.chars().take(n).collect());
        SearchQuery {
            text: cut(&self.q, 100),
            rt: cut(&self.rt, 3),
            rw: cut(&self.rw, 3),
        }
    }
    pub fn page(&self) -> i64 {
        self.hal.unwrap_or(1).clamp(1, 100_000)
    }
}

/// Index rows a name search may read on the async thread (about 2 ms) before it moves to the
/// blocking pool.
const QUICK_SEARCH_ROWS: usize = 5_000;

/// One page of the registry search within `reach` (pages and API share it).
pub async fn run_search(
    db: &Db,
    reach: &Reach,
    params: &SearchParams,
) -> Result<(Vec<FamilySummary>, SearchCount), StorageError> {
    let prefix = reach.prefix().map(str::to_string);
    let query = params.query();
    let offset = (params.page() - 1) * PER_PAGE;
    // On the async thread while it stays short (a page of a usual name search reads a few
    // hundred index rows); a search that reads more starts again on the blocking pool, so that
    // a rare combination of words never holds up the other requests.
    let budget = match db.engine() {
        Engine::Sqlite => Some(QUICK_SEARCH_ROWS),
        Engine::Postgres => None,
    };
    let (db2, prefix2, query2) = (db.clone(), prefix.clone(), query.clone());
    let found = quick(db, move || {
        let mut conn = db2.conn()?;
        registry::search_within(
            &mut conn,
            prefix2.as_deref(),
            &query2,
            PER_PAGE,
            offset,
            budget,
        )
    })
    .await?;
    match found {
        Some(found) => Ok(found),
        None => {
            let db = db.clone();
            blocking(move || {
                let mut conn = db.conn()?;
                registry::search(&mut conn, prefix.as_deref(), &query, PER_PAGE, offset)
            })
            .await
        }
    }
}

/// Who reads a family: where the account may look and the name its reads are recorded under.
pub struct Reader<'a> {
    pub reach: &'a Reach,
    pub username: &'a str,
}

/// A family within the reader's reach: its facts, members and history. Recorded in the audit
/// log: nothing is returned before the view's audit row is committed. `via` says where from
/// (`web`, `api`, `api:kelayakan`): repeats fold per place. The reads run like [`quick`] ones
/// and the wait for the commit holds no thread (the group-commit writer answers through a
/// channel this task awaits).
pub async fn load_family(
    db: &Db,
    audit: &AuditWriter,
    reader: Reader<'_>,
    id: String,
    via: &'static str,
) -> Result<Option<FamilyView>, StorageError> {
    let conn_db = db.clone();
    let reach = reader.reach.clone();
    let actor = puskesos_storage::accounts::actor(reader.username);
    let writer = audit.clone();
    let (view, committed) = quick(db, move || {
        let mut conn = conn_db.conn()?;
        let mut committed = None;
        let view = registry::family_view_with(
            &mut conn,
            &id,
            |village| KodeWilayah::parse(village).is_some_and(|v| reach.covers(&v)),
            &actor,
            via,
            |_, record| {
                let (done, wait) = tokio::sync::oneshot::channel();
                // Repeated views of one family by one account within a minute fold into one
                // row with their count (issue 21: a client reloading a family page had grown
                // the log by 2.3 GB an hour).
                writer.submit_folded(
                    record,
                    puskesos_storage::now_ms(),
                    Box::new(move |result| {
                        let _ = done.send(result);
                    }),
                )?;
                committed = Some(wait);
                Ok(())
            },
        )?;
        Ok((view, committed))
    })
    .await?;
    if let Some(wait) = committed {
        let stopped = || StorageError::Config("audit writer stopped".into());
        wait.await
            .map_err(|_| stopped())?
            .map_err(|e| StorageError::Config(format!("audit: {e}")))?;
    }
    Ok(view)
}

/// A family assessed for a reference date (the eligibility feature's use case).
pub use crate::features::eligibility::service::FamilyAssessment;

/// Assesses a loaded family for `on`, or the date of its stored assessment (see
/// [`crate::features::eligibility::service::assess_family`]).
pub async fn assess_family(
    db: &Db,
    rules: &Rules,
    view: &FamilyView,
    on: Option<chrono::NaiveDate>,
) -> Result<FamilyAssessment, StorageError> {
    crate::features::eligibility::service::assess_family(db, rules, &view.family, &view.members, on)
        .await
}

/// What the family page shows: the family, its live assessment when the rules and deciles
/// could be loaded, and the 14 BPS criteria (with the shipped thresholds when they could not).
pub struct FamilyPage {
    pub view: FamilyView,
    pub assessed: Option<FamilyAssessment>,
    pub bps: Bps14,
    pub bps_cfg: Bps14Config,
    /// What the centre did with the family: cases, complaints, referrals, activities (read
    /// under the family view's audit row).
    pub record: puskesos_storage::family_links::FamilyRecord,
    /// The names of the accounts in the history.
    pub actors: crate::app::actors::Actors,
}

/// The family page's content, or `None` when the family is absent or outside the reach (the
/// two look the same: nothing about another village leaks). A failed assessment leaves its
/// section out rather than the whole page.
pub async fn family_page(
    db: &Db,
    audit: &AuditWriter,
    rules: &Rules,
    reader: Reader<'_>,
    id: String,
    on: Option<chrono::NaiveDate>,
) -> Result<Option<FamilyPage>, StorageError> {
    let Some(view) = load_family(db, audit, reader, id, "web").await? else {
        return Ok(None);
    };
    let assessed = match assess_family(db, rules, &view, on).await {
        Ok(a) => Some(a),
        Err(e) => {
            tracing::warn!(error = %e, family = %view.family.id, "family page without its assessment");
            None
        }
    };
    let bps_cfg = assessed
        .as_ref()
        .map(|a| a.assessor.bps14.clone())
        .unwrap_or_default();
    let bps = bps14(&view.family, &view.members, &bps_cfg);
    let (conn_db, village, family) = (
        db.clone(),
        village_of(&view.family.values),
        view.family.id.clone(),
    );
    let (record, actors) = quick(db, move || {
        let mut conn = conn_db.conn()?;
        Ok((
            puskesos_storage::family_links::of_family(&mut conn, &village, &family)?,
            crate::app::actors::Actors::load(&mut conn)?,
        ))
    })
    .await?;
    Ok(Some(FamilyPage {
        view,
        assessed,
        bps,
        bps_cfg,
        record,
        actors,
    }))
}

// --- Records for the forms -----------------------------------------------------------------

/// Whether a village code lies within the reach (a form may not move a family out of it).
pub fn in_reach(reach: &Reach, village: &str) -> bool {
    KodeWilayah::parse(village).is_some_and(|v| reach.covers(&v))
}

/// The village code of a family's values (the second family field).
pub fn village_of(values: &Values) -> String {
    values
        .get(1)
        .and_then(Option::as_ref)
        .map(|v| v.to_text(FAMILY_FIELDS[1].kind))
        .unwrap_or_default()
}

/// The KK number of a family's values (the first family field).
fn kk_of(values: &Values) -> String {
    values
        .first()
        .and_then(Option::as_ref)
        .map(|v| v.to_text(FAMILY_FIELDS[0].kind))
        .unwrap_or_default()
}

/// A family by id when it lies within the reach (absent and outside look the same).
pub async fn family_in_reach(
    db: &Db,
    reach: &Reach,
    id: &str,
) -> Result<Option<Family>, StorageError> {
    let db = db.clone();
    let fid = id.to_string();
    let found = blocking(move || registry::family_by_id(&mut db.conn()?, &fid)).await?;
    Ok(found.filter(|f| in_reach(reach, &village_of(&f.values))))
}

/// A person by id when their family lies within the reach.
pub async fn person_in_reach(
    db: &Db,
    reach: &Reach,
    id: &str,
) -> Result<Option<Person>, StorageError> {
    let db = db.clone();
    let pid = id.to_string();
    let found = blocking(move || registry::person_by_id(&mut db.conn()?, &pid)).await?;
    Ok(found
        .filter(|(_, village)| in_reach(reach, village))
        .map(|(p, _)| p))
}

/// The village a new family starts with: the node's own, else a village account's.
pub fn starting_village(node: Option<&KodeWilayah>, reach: &Reach) -> Option<String> {
    node.or(match reach {
        Reach::Within(r) if r.level() == Level::DesaKelurahan => Some(r),
        _ => None,
    })
    .map(|v| v.to_string())
}

/// The contact of a case not yet linked to a registered person, to fill in the registration of
/// its short profile: `(form field, text)`. A case that cannot be read fills in nothing (the
/// officer types it), and the cause is logged.
pub async fn case_contact(db: &Db, village: &str, case_id: &str) -> Vec<(&'static str, String)> {
    let (db, village, cid) = (db.clone(), village.to_string(), case_id.to_string());
    let found = match blocking(move || cases::by_id(&mut db.conn()?, &village, &cid)).await {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(error = %e, "case contact for a registration could not be read");
            None
        }
    };
    let Some(c) = found.filter(|c| c.person_id.is_none()) else {
        return Vec::new();
    };
    [
        ("p.nama", c.contact_name),
        ("f.alamat", c.contact_address),
        ("p.nik", c.contact_nik),
    ]
    .into_iter()
    .filter_map(|(key, v)| v.map(|v| (key, v)))
    .collect()
}

// --- Saving what a form sent ---------------------------------------------------------------

/// Why a save did not happen.
#[derive(Debug)]
pub enum SaveError {
    /// The store refused values: `(form field, message)`, each shown next to its field.
    Refused(Vec<(String, Message)>),
    Storage(StorageError),
}

impl From<StorageError> for SaveError {
    fn from(e: StorageError) -> SaveError {
        SaveError::Storage(e)
    }
}

fn refused(field: &str, message: Message) -> SaveError {
    SaveError::Refused(vec![(field.to_string(), message)])
}

/// Who saves, why, and from where.
pub fn write_ctx(username: &str, reason: &str) -> WriteCtx {
    WriteCtx {
        actor: puskesos_storage::accounts::actor(username),
        reason: Some(reason.to_string()),
        source: "form".into(),
        now_ms: puskesos_storage::now_ms(),
    }
}

/// Registers a family with its head (checked values). From a case's short profile (`case`),
/// the record is marked as the centre's proposal and the case is linked to it. Nothing is
/// half-saved: a refused head rolls the family back. Returns the new family's id.
pub async fn register_family(
    db: &Db,
    rules: &Rules,
    family: Values,
    head: Values,
    case: Option<String>,
    mut write: WriteCtx,
    role: Role,
) -> Result<String, SaveError> {
    if case.is_some() {
        // Where the record came from: a proposal of the centre for the welfare data.
        write.source = "usulan-kasus".into();
    }
    let village = village_of(&family);
    let kk = kk_of(&family);
    let conn_db = db.clone();
    let id = blocking(move || {
        let mut conn = conn_db.conn()?;
        Ok(conn.transaction(|c| {
            if registry::family_by_kk(c, &kk)?.is_some() {
                return Err(refused("f.no_kk", Message::new("kk-taken").arg("kk", &kk)));
            }
            let input = FamilyInput {
                values: family,
                family_present: vec![true; FAMILY_FIELDS.len()],
                person_present: vec![true; PERSON_FIELDS.len()],
                members: vec![(0, head)],
            };
            let out = registry::save_family(c, &input, &write)?;
            if let Some((_, _, _, m)) = out.refused.first() {
                // Roll back the family too: nothing half-saved.
                return Err(refused("p.nik", m.clone()));
            }
            if let Some(cid) = &case {
                let person = registry::members(c, &out.family_id)?
                    .first()
                    .map(|p| p.id.clone());
                cases::link_registered(
                    c,
                    &village,
                    cid,
                    &out.family_id,
                    person.as_deref(),
                    &write.actor,
                    role,
                    write.now_ms,
                )?;
            }
            Ok(out.family_id)
        }))
    })
    .await??;
    rules.reassess(db, vec![id.clone()]).await;
    Ok(id)
}

/// Saves a family's facts (checked values).
pub async fn edit_family(
    db: &Db,
    rules: &Rules,
    id: &str,
    values: Values,
    write: WriteCtx,
) -> Result<(), SaveError> {
    let (conn_db, fid) = (db.clone(), id.to_string());
    blocking(move || {
        let mut conn = conn_db.conn()?;
        conn.transaction(|c| registry::edit_family(c, &fid, &values, &write))
    })
    .await?
    .map_err(|r| refused(&format!("f.{}", r.field), r.message))?;
    rules.reassess(db, vec![id.to_string()]).await;
    Ok(())
}

/// Adds a member to a family (checked values). Every refusal of the store is returned, by
/// field.
pub async fn add_member(
    db: &Db,
    rules: &Rules,
    family: Family,
    member: Values,
    write: WriteCtx,
) -> Result<(), SaveError> {
    let (conn_db, family_id) = (db.clone(), family.id.clone());
    let out = blocking(move || {
        let mut conn = conn_db.conn()?;
        conn.transaction(|c| {
            let input = FamilyInput {
                values: family.values,
                family_present: vec![false; FAMILY_FIELDS.len()],
                person_present: vec![true; PERSON_FIELDS.len()],
                members: vec![(0, member)],
            };
            registry::save_family(c, &input, &write)
        })
    })
    .await?;
    if !out.refused.is_empty() {
        return Err(SaveError::Refused(
            out.refused
                .into_iter()
                .map(|(_, field, _, m)| (format!("p.{field}"), m))
                .collect(),
        ));
    }
    rules.reassess(db, vec![family_id]).await;
    Ok(())
}

/// Saves a member's fields (checked values); the family is reassessed.
pub async fn edit_member(
    db: &Db,
    rules: &Rules,
    person: &Person,
    values: Values,
    write: WriteCtx,
) -> Result<(), SaveError> {
    let (conn_db, pid) = (db.clone(), person.id.clone());
    blocking(move || {
        let mut conn = conn_db.conn()?;
        conn.transaction(|c| registry::edit_person(c, &pid, &values, &write))
    })
    .await?
    .map_err(|r| refused(&format!("p.{}", r.field), r.message))?;
    rules.reassess(db, vec![person.family_id.clone()]).await;
    Ok(())
}
