//! The registry search: by NIK or KK number, by the beginnings of the words of a member's name
//! (through the name index), by RT and RW, within a region.

use super::names::name_tokens;
use super::rows::placeholders;
use crate::StorageError;
use crate::db::{Conn, Decode, Row, SqlValue};

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
                .map(|r| {
                    let d = Decode::new("families", &r, 1);
                    Ok((d.text(0)?, d.text(1)?))
                })
                .collect::<Result<_, StorageError>>()?;
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
                .map(|r| Decode::new("families", &r, 0).text(0))
                .collect::<Result<_, _>>()?,
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
            return Err(StorageError::Corrupt(
                "person_names: a row without a family id".into(),
            ));
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
