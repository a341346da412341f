//! One SQL text, two engines. Queries are written once in the portable subset of SQL that
//! SQLite and PostgreSQL share, with `$1`-style placeholders, and run on an embedded SQLite file
//! (rusqlite) or a PostgreSQL server (postgres). Both drivers are synchronous and fast on bulk
//! work; async callers use `spawn_blocking`.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use r2d2::{ManageConnection, Pool, PooledConnection};
use r2d2_sqlite::SqliteConnectionManager;

use crate::StorageError;

/// A value going into or coming out of a query.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    /// Text that is one of a column's known codes, pointing into the code list instead of
    /// owning a copy (see [`Conn::for_each_coded`]).
    Code(&'static str),
}

impl SqlValue {
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            SqlValue::Int(i) => Some(*i),
            SqlValue::Real(r) => Some(*r as i64),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            SqlValue::Text(s) => Some(s),
            SqlValue::Code(c) => Some(c),
            _ => None,
        }
    }
    pub fn into_string(self) -> Option<String> {
        match self {
            SqlValue::Text(s) => Some(s),
            SqlValue::Code(c) => Some(c.to_string()),
            _ => None,
        }
    }
}

impl From<&str> for SqlValue {
    fn from(s: &str) -> Self {
        SqlValue::Text(s.to_string())
    }
}
impl From<String> for SqlValue {
    fn from(s: String) -> Self {
        SqlValue::Text(s)
    }
}
impl From<i64> for SqlValue {
    fn from(i: i64) -> Self {
        SqlValue::Int(i)
    }
}
impl<T: Into<SqlValue>> From<Option<T>> for SqlValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(SqlValue::Null, Into::into)
    }
}

/// A result row: values in select-list order.
pub type Row = Vec<SqlValue>;

/// Which engine a database runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// How long an SQLite writer waits for another's lock before giving up.
pub(crate) const BUSY_TIMEOUT_MS: u32 = 10_000;

/// A pool of connections to the registry database.
#[derive(Clone)]
pub enum Db {
    Sqlite(Pool<SqliteConnectionManager>),
    Postgres(Pool<PgManager>),
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Db({:?})", self.engine())
    }
}

impl Db {
    /// Opens `postgres://…`/`postgresql://…` on PostgreSQL, anything else (`sqlite://path` or a
    /// plain path) as an SQLite file, created with its folder on first use. Migrations are run
    /// by `Db::open` (migrate.rs), the opening everyone uses.
    pub(crate) fn connect(url: &str) -> Result<Db, StorageError> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let config: postgres::Config = url
                .parse()
                .map_err(|e: postgres::Error| StorageError::Config(e.to_string()))?;
            let pool = Pool::builder()
                .max_size(8)
                .connection_timeout(Duration::from_secs(10))
                .build(PgManager { config })?;
            Db::Postgres(pool)
        } else {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            Self::open_sqlite(Path::new(path))?
        };
        Ok(db)
    }

    fn open_sqlite(path: &Path) -> Result<Db, StorageError> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| StorageError::Config(format!("{}: {e}", dir.display())))?;
        }
        let manager = SqliteConnectionManager::file(path).with_init(|c| {
            c.set_prepared_statement_cache_capacity(64);
            // WAL lets the web server read while an import writes; NORMAL sync is safe in WAL.
            // The busy timeout comes first: turning the WAL on waits for the first load of an
            // empty registry, which writes without it (bulk_load.rs).
            // page_size only takes effect on a new file: 8 KB pages hold the change-history
            // rows (about 2 KB per family save) with less waste than the default 4 KB.
            c.execute_batch(&format!(
                "PRAGMA busy_timeout = {BUSY_TIMEOUT_MS};
                 PRAGMA page_size = 8192;
                 PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA foreign_keys = ON;
                 PRAGMA cache_size = -8000;
                 PRAGMA analysis_limit = 400;
                 PRAGMA optimize = 0x10002;"
            ))
        });
        // Connections are opened when needed, not all eight at once: a bulk load may leave
        // the WAL only while no other connection has the file open (bulk_load.rs). Once open
        // they stay (an embedded file needs no recycling), so a request never pays for one.
        let pool = Pool::builder()
            .max_size(8)
            .min_idle(Some(0))
            .idle_timeout(None)
            .max_lifetime(None)
            .connection_timeout(Duration::from_secs(10))
            .build(manager)?;
        Ok(Db::Sqlite(pool))
    }

    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    pub fn conn(&self) -> Result<Conn, StorageError> {
        Ok(match self {
            Db::Sqlite(p) => Conn::Sqlite(p.get()?),
            Db::Postgres(p) => Conn::Postgres(p.get()?),
        })
    }
}

/// A PostgreSQL connection with its prepared statements kept for reuse.
pub struct PgConn {
    client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
    /// Inside `BEGIN`..`COMMIT`/`ROLLBACK` (the client does not say).
    in_transaction: bool,
}

/// Pools [`PgConn`]s.
#[derive(Debug)]
pub struct PgManager {
    config: postgres::Config,
}

impl ManageConnection for PgManager {
    type Connection = PgConn;
    type Error = postgres::Error;

    fn connect(&self) -> Result<PgConn, postgres::Error> {
        Ok(PgConn {
            client: self.config.connect(postgres::NoTls)?,
            statements: HashMap::new(),
            in_transaction: false,
        })
    }
    fn is_valid(&self, conn: &mut PgConn) -> Result<(), postgres::Error> {
        conn.client.simple_query("").map(|_| ())
    }
    fn has_broken(&self, conn: &mut PgConn) -> bool {
        conn.client.is_closed()
    }
}

/// One connection, for a sequence of queries or a transaction.
// One lives per request or job, on the stack: the size difference costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Conn {
    Sqlite(PooledConnection<SqliteConnectionManager>),
    Postgres(PooledConnection<PgManager>),
}

/// A connection handed back with its transaction still open (a panic inside
/// [`Conn::transaction`], a caller that forgot to end it) is rolled back before the pool
/// lends it again: otherwise the next request on it fails ("cannot start a transaction
/// within a transaction") or, worse, commits someone else's half-done work.
impl Drop for Conn {
    fn drop(&mut self) {
        if self.in_transaction() {
            let _ = self.rollback();
        }
    }
}

/// SQLite reads PostgreSQL's `$N` as named parameters numbered in order of first appearance,
/// so the shared SQL runs unchanged as long as `$1, $2, ...` first appear in ascending order.
/// Debug builds (and so every test) check that rule on each statement.
fn check_sqlite_placeholders(stmt: &rusqlite::CachedStatement<'_>, sql: &str) {
    if cfg!(debug_assertions) {
        for i in 1..=stmt.parameter_count() {
            assert_eq!(
                stmt.parameter_name(i),
                Some(format!("${i}").as_str()),
                "placeholders must first appear as $1, $2, ... in order: {sql}"
            );
        }
    }
}

/// Binds without copying: text is lent to SQLite for the duration of the call.
impl rusqlite::ToSql for SqlValue {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(Param::from(self).sqlite())
    }
}

/// The code lists of a query's columns (`None` for a column without one), for
/// [`Conn::for_each_coded`].
pub type ColumnCodes<'a> = &'a [Option<&'static [&'static str]>];

/// A text value: a pointer into its column's code list when it is one of the codes, else an
/// owned copy.
fn text_value(s: &str, codes: Option<&'static [&'static str]>) -> SqlValue {
    match codes.and_then(|list| list.iter().find(|c| **c == s)) {
        Some(code) => SqlValue::Code(code),
        None => SqlValue::Text(s.to_owned()),
    }
}

fn sqlite_row(row: &rusqlite::Row<'_>, n: usize, codes: ColumnCodes<'_>) -> rusqlite::Result<Row> {
    (0..n)
        .map(|i| {
            Ok(match row.get_ref(i)? {
                rusqlite::types::ValueRef::Null => SqlValue::Null,
                rusqlite::types::ValueRef::Integer(v) => SqlValue::Int(v),
                rusqlite::types::ValueRef::Real(v) => SqlValue::Real(v),
                // Text SQLite hands back is what was written, valid UTF-8 in practice: the
                // plain check is much faster than the lossy decoder, which stays as a fallback.
                rusqlite::types::ValueRef::Text(t) => match std::str::from_utf8(t) {
                    Ok(s) => text_value(s, codes.get(i).copied().flatten()),
                    Err(_) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
                },
                rusqlite::types::ValueRef::Blob(b) => {
                    SqlValue::Text(String::from_utf8_lossy(b).into_owned())
                }
            })
        })
        .collect()
}

fn pg_row(row: &postgres::Row, codes: ColumnCodes<'_>) -> Result<Row, StorageError> {
    (0..row.len())
        .map(|i| {
            let ty = row.columns()[i].type_();
            Ok(match *ty {
                Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map(SqlValue::Int),
                Type::INT4 => row
                    .try_get::<_, Option<i32>>(i)?
                    .map(|v| SqlValue::Int(v.into())),
                Type::INT2 => row
                    .try_get::<_, Option<i16>>(i)?
                    .map(|v| SqlValue::Int(v.into())),
                Type::BOOL => row
                    .try_get::<_, Option<bool>>(i)?
                    .map(|v| SqlValue::Int(v.into())),
                Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.map(SqlValue::Real),
                Type::FLOAT4 => row
                    .try_get::<_, Option<f32>>(i)?
                    .map(|v| SqlValue::Real(v.into())),
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => row
                    .try_get::<_, Option<&str>>(i)?
                    .map(|t| text_value(t, codes.get(i).copied().flatten())),
                _ => {
                    return Err(StorageError::Config(format!(
                        "unsupported column type {ty} (cast it to BIGINT, DOUBLE PRECISION or TEXT)"
                    )));
                }
            }
            .unwrap_or(SqlValue::Null))
        })
        .collect()
}

/// A statement parameter that lends its text instead of owning it: the registry's bulk writes
/// bind values already in memory without copying each text (see [`Conn::execute_lent`]).
#[derive(Debug, Clone, Copy)]
pub enum Param<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
}

impl<'a> From<&'a SqlValue> for Param<'a> {
    fn from(v: &'a SqlValue) -> Param<'a> {
        match v {
            SqlValue::Null => Param::Null,
            SqlValue::Int(i) => Param::Int(*i),
            SqlValue::Real(r) => Param::Real(*r),
            SqlValue::Text(s) => Param::Text(s),
            SqlValue::Code(c) => Param::Text(c),
        }
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(v: Option<&'a str>) -> Param<'a> {
        v.map_or(Param::Null, Param::Text)
    }
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(v: &'a str) -> Param<'a> {
        Param::Text(v)
    }
}

impl<'a> Param<'a> {
    /// The value as SQLite binds it, text lent for the duration of the call.
    fn sqlite(self) -> rusqlite::types::ToSqlOutput<'a> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        ToSqlOutput::Borrowed(match self {
            Param::Null => ValueRef::Null,
            Param::Int(i) => ValueRef::Integer(i),
            Param::Real(r) => ValueRef::Real(r),
            Param::Text(s) => ValueRef::Text(s.as_bytes()),
        })
    }
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.sqlite())
    }
}

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match (self, ty) {
            (Param::Null, _) => Ok(IsNull::Yes),
            (Param::Int(i), &Type::INT8) => i.to_sql(ty, out),
            (Param::Int(i), &Type::INT4) => i32::try_from(*i)?.to_sql(ty, out),
            (Param::Int(i), &Type::INT2) => i16::try_from(*i)?.to_sql(ty, out),
            (Param::Int(i), &Type::FLOAT8) => (*i as f64).to_sql(ty, out),
            (Param::Int(i), &Type::BOOL) => (*i != 0).to_sql(ty, out),
            (Param::Int(i), _) => i.to_string().to_sql(ty, out),
            (Param::Real(r), &Type::FLOAT8) => r.to_sql(ty, out),
            (Param::Real(r), &Type::FLOAT4) => (*r as f32).to_sql(ty, out),
            (Param::Real(r), _) => r.to_string().to_sql(ty, out),
            (Param::Text(s), _) => s.to_sql(ty, out),
        }
    }
    fn accepts(_: &Type) -> bool {
        true
    }
    to_sql_checked!();
}

impl ToSql for SqlValue {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        Param::from(self).to_sql(ty, out)
    }
    fn accepts(_: &Type) -> bool {
        true
    }
    to_sql_checked!();
}

impl PgConn {
    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, StorageError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql)?;
        self.statements.insert(sql.to_string(), s.clone());
        Ok(s)
    }
}

fn pg_params<P: ToSql + Sync>(params: &[P]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

impl Conn {
    pub fn engine(&self) -> Engine {
        match self {
            Conn::Sqlite(_) => Engine::Sqlite,
            Conn::Postgres(_) => Engine::Postgres,
        }
    }

    /// Runs a statement; returns the number of rows changed.
    pub fn execute(&mut self, sql: &str, params: &[SqlValue]) -> Result<u64, StorageError> {
        self.run(sql, params)
    }

    /// [`Conn::execute`] with parameters that lend their text (no copy per value).
    pub fn execute_lent(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StorageError> {
        self.run(sql, params)
    }

    fn run<P: rusqlite::ToSql + ToSql + Sync>(
        &mut self,
        sql: &str,
        params: &[P],
    ) -> Result<u64, StorageError> {
        match self {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                check_sqlite_placeholders(&stmt, sql);
                let n = stmt.execute(rusqlite::params_from_iter(params.iter()))?;
                Ok(n as u64)
            }
            Conn::Postgres(c) => {
                let stmt = c.statement(sql)?;
                Ok(c.client.execute(&stmt, &pg_params(params))?)
            }
        }
    }

    /// Inserts rows given as one flat list of `width` parameters each: `{head} VALUES (...)
    /// {tail}`. SQLite: one statement per row, prepared once (with many rows per statement it
    /// keeps a statement journal, which measured slower). PostgreSQL: 100 rows per statement,
    /// since there each statement is a round trip to the server (1 M families took 3 minutes
    /// one row at a time). `P` is [`SqlValue`] or, to lend texts instead of copying them,
    /// [`Param`].
    pub fn insert_rows<P: rusqlite::ToSql + ToSql + Sync>(
        &mut self,
        head: &str,
        width: usize,
        params: &[P],
        tail: &str,
    ) -> Result<(), StorageError> {
        const PER_STATEMENT: usize = 100;
        let width = width.max(1);
        let row_sql = |first: usize| {
            let p: Vec<String> = (first..first + width).map(|i| format!("${i}")).collect();
            format!("({})", p.join(", "))
        };
        let one_row = format!("{head} VALUES {} {tail}", row_sql(1));
        let mut rows = params.chunks_exact(width);
        if self.engine() == Engine::Postgres {
            // Full chunks share one statement text (prepared once on the server); the rest
            // go one by one below.
            let values: Vec<String> = (0..PER_STATEMENT).map(|r| row_sql(1 + r * width)).collect();
            let chunk_sql = format!("{head} VALUES {} {tail}", values.join(", "));
            let mut chunks = params.chunks_exact(PER_STATEMENT * width);
            for chunk in &mut chunks {
                self.run(&chunk_sql, chunk)?;
            }
            rows = chunks.remainder().chunks_exact(width);
        }
        match self {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare_cached(&one_row)?;
                check_sqlite_placeholders(&stmt, &one_row);
                for row in rows {
                    stmt.execute(rusqlite::params_from_iter(row.iter()))?;
                }
            }
            Conn::Postgres(c) => {
                let stmt = c.statement(&one_row)?;
                for row in rows {
                    c.client.execute(&stmt, &pg_params(row))?;
                }
            }
        }
        Ok(())
    }

    /// Runs a query and collects its rows.
    pub fn query(&mut self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StorageError> {
        let mut rows = Vec::new();
        self.for_each(sql, params, |r| {
            rows.push(r);
            Ok(())
        })?;
        Ok(rows)
    }

    /// The first row, if any.
    pub fn query_opt(
        &mut self,
        sql: &str,
        params: &[SqlValue],
    ) -> Result<Option<Row>, StorageError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// A single integer (a count): 0 when the query returns no row or NULL.
    pub fn query_i64(&mut self, sql: &str, params: &[SqlValue]) -> Result<i64, StorageError> {
        Ok(self
            .query_opt(sql, params)?
            .and_then(|r| r.into_iter().next())
            .and_then(|v| v.as_i64())
            .unwrap_or(0))
    }

    /// Streams rows to `f` without holding them all in memory.
    pub fn for_each(
        &mut self,
        sql: &str,
        params: &[SqlValue],
        f: impl FnMut(Row) -> Result<(), StorageError>,
    ) -> Result<(), StorageError> {
        self.for_each_coded(sql, params, &[], f)
    }

    /// [`Conn::for_each`] for whole-registry passes: text in a column with a code list comes
    /// back as [`SqlValue::Code`], without an allocation per value.
    pub fn for_each_coded(
        &mut self,
        sql: &str,
        params: &[SqlValue],
        codes: ColumnCodes<'_>,
        mut f: impl FnMut(Row) -> Result<(), StorageError>,
    ) -> Result<(), StorageError> {
        self.for_each_while(sql, params, codes, |r| f(r).map(|()| true))
    }

    /// Streams rows to `f` until it returns `false`. SQLite then reads no further row; a
    /// PostgreSQL query should carry a LIMIT, as the server sends every row it selected.
    pub fn for_each_while(
        &mut self,
        sql: &str,
        params: &[SqlValue],
        codes: ColumnCodes<'_>,
        mut f: impl FnMut(Row) -> Result<bool, StorageError>,
    ) -> Result<(), StorageError> {
        match self {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                check_sqlite_placeholders(&stmt, sql);
                let n = stmt.column_count();
                let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
                while let Some(row) = rows.next()? {
                    if !f(sqlite_row(row, n, codes)?)? {
                        break;
                    }
                }
                Ok(())
            }
            Conn::Postgres(c) => {
                let stmt = c.statement(sql)?;
                let mut it = c.client.query_raw(&stmt, pg_params(params))?;
                while let Some(row) = postgres::fallible_iterator::FallibleIterator::next(&mut it)?
                {
                    if !f(pg_row(&row, codes)?)? {
                        break;
                    }
                }
                Ok(())
            }
        }
    }

    /// Runs several statements without parameters (DDL, pragmas).
    pub fn batch(&mut self, sql: &str) -> Result<(), StorageError> {
        match self {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Postgres(c) => Ok(c.client.batch_execute(sql)?),
        }
    }

    /// Settings for one long bulk job on this connection (import): an 8 MB SQLite page cache,
    /// fewer WAL checkpoints, sorts in temporary files; on PostgreSQL, commits that do not wait
    /// for the disk (a crash loses the last batches, never half of one).
    pub fn tune_for_bulk(&mut self) -> Result<(), StorageError> {
        match self.engine() {
            Engine::Sqlite => {
                // The cache: a load appends, so only the right-most pages are hot; 8-64 MB
                // measured alike and 128 MB slower (more to spill and look through); lookups
                // elsewhere in the file come from the OS's cache. SQLite also gives each sort
                // thread an in-memory run as large as the cache (with 128 MB the final index
                // builds of a load took 490 MB). temp_store FILE: those sorts can hold hundreds
                // of MB; in files they stay out of the process's memory. threads: the sorts may
                // use the second core.
                self.batch(
                    "PRAGMA cache_size = -8192; PRAGMA wal_autocheckpoint = 10000; \
                     PRAGMA temp_store = FILE; PRAGMA threads = 1;",
                )
            }
            Engine::Postgres => self.batch("SET synchronous_commit = off"),
        }
    }

    /// Refreshes the planner's statistics after a bulk change (import, demo): without them
    /// SQLite may walk a whole village to satisfy an ORDER BY instead of using a selective index.
    pub fn analyze(&mut self) -> Result<(), StorageError> {
        match self.engine() {
            Engine::Sqlite => self.batch("PRAGMA analysis_limit = 1000; ANALYZE;"),
            Engine::Postgres => self.batch("ANALYZE"),
        }
    }

    /// Undoes [`Conn::tune_for_bulk`] before the connection goes back to the pool.
    pub fn untune(&mut self) -> Result<(), StorageError> {
        match self.engine() {
            Engine::Sqlite => self.batch(
                "PRAGMA cache_size = -8000; PRAGMA wal_autocheckpoint = 1000; \
                     PRAGMA temp_store = DEFAULT; PRAGMA threads = 0;",
            ),
            Engine::Postgres => self.batch("SET synchronous_commit = on"),
        }
    }

    /// Starts a transaction. SQLite takes the write lock at once so that two writers wait for
    /// each other instead of failing half-way.
    pub fn begin(&mut self) -> Result<(), StorageError> {
        match self.engine() {
            Engine::Sqlite => self.control("BEGIN IMMEDIATE"),
            Engine::Postgres => {
                self.batch("BEGIN")?;
                self.set_in_transaction(true);
                Ok(())
            }
        }
    }

    fn set_in_transaction(&mut self, on: bool) {
        if let Conn::Postgres(c) = self {
            c.in_transaction = on;
        }
    }

    /// Whether a transaction begun by [`Conn::begin`] is open on this connection.
    pub fn in_transaction(&self) -> bool {
        match self {
            Conn::Sqlite(c) => !c.is_autocommit(),
            Conn::Postgres(c) => c.in_transaction,
        }
    }

    /// A transaction statement through the statement cache on SQLite: the audit writer opens
    /// and commits thousands of short transactions a second, and parsing `BEGIN`/`COMMIT`
    /// each time was a visible part of its work.
    fn control(&mut self, sql: &str) -> Result<(), StorageError> {
        match self {
            Conn::Sqlite(c) => {
                c.prepare_cached(sql)?.execute([])?;
                Ok(())
            }
            Conn::Postgres(_) => self.batch(sql),
        }
    }
    pub fn commit(&mut self) -> Result<(), StorageError> {
        let result = self.control("COMMIT");
        self.set_in_transaction(false);
        result
    }
    pub fn rollback(&mut self) -> Result<(), StorageError> {
        let result = self.batch("ROLLBACK");
        self.set_in_transaction(false);
        result
    }

    /// Runs `f` in a transaction: committed on `Ok`, rolled back on `Err`.
    pub fn transaction<T, E: From<StorageError>>(
        &mut self,
        f: impl FnOnce(&mut Conn) -> Result<T, E>,
    ) -> Result<T, E> {
        self.begin()?;
        match f(self) {
            Ok(v) => {
                self.commit()?;
                Ok(v)
            }
            Err(e) => {
                // The original error matters more than a failed rollback.
                let _ = self.rollback();
                Err(e)
            }
        }
    }
}

/// The columns of one stored row read by position, for turning it into a record: a value that
/// is missing, of the wrong type or not a known code is a [`StorageError::Corrupt`] naming the
/// table and the row's id, never a row silently left out.
pub(crate) struct Decode<'a> {
    table: &'a str,
    id: &'a str,
    row: &'a [SqlValue],
}

impl<'a> Decode<'a> {
    /// A row whose id is its column `id_col`.
    pub(crate) fn new(table: &'a str, row: &'a [SqlValue], id_col: usize) -> Decode<'a> {
        let id = row.get(id_col).and_then(SqlValue::as_str).unwrap_or("?");
        Decode { table, id, row }
    }

    /// A row named by an id given by the caller (e.g. its parent's, when the select has none).
    pub(crate) fn named(table: &'a str, id: &'a str, row: &'a [SqlValue]) -> Decode<'a> {
        Decode { table, id, row }
    }

    pub(crate) fn corrupt(&self, what: impl std::fmt::Display) -> StorageError {
        StorageError::Corrupt(format!("{} {}: {what}", self.table, self.id))
    }

    /// Column `i` as text; NULL or another type is corrupt.
    pub(crate) fn text(&self, i: usize) -> Result<String, StorageError> {
        self.opt_text(i)
            .ok_or_else(|| self.corrupt(format_args!("column {} is not text", i + 1)))
    }

    /// Column `i` as text, `None` when NULL.
    pub(crate) fn opt_text(&self, i: usize) -> Option<String> {
        self.row
            .get(i)
            .and_then(SqlValue::as_str)
            .map(str::to_string)
    }

    /// Column `i` as an integer; NULL or another type is corrupt.
    pub(crate) fn int(&self, i: usize) -> Result<i64, StorageError> {
        self.opt_int(i)
            .ok_or_else(|| self.corrupt(format_args!("column {} is not an integer", i + 1)))
    }

    /// Column `i` as an integer, `None` when NULL.
    pub(crate) fn opt_int(&self, i: usize) -> Option<i64> {
        self.row.get(i).and_then(SqlValue::as_i64)
    }

    /// Column `i` read by `parse` (a code of a closed list), which must know it: `what` names
    /// the list in the error (`state`, `sector`).
    pub(crate) fn code<T>(
        &self,
        i: usize,
        what: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, StorageError> {
        let text = self.text(i)?;
        parse(&text).ok_or_else(|| self.corrupt(format_args!("unknown {what} {text:?}")))
    }
}
