//! Staff accounts and login sessions: Argon2id password hashes, lockout after repeated failures,
//! random session tokens stored only as their SHA-256.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Argon2, password_hash::rand_core::OsRng};
use puskesos_domain::Message;
use puskesos_domain::access::{Reach, Role};
use puskesos_domain::wilayah::{KodeWilayah, Wilayah};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::{Conn, Decode, Row, SqlValue};
use crate::{StorageError, new_id};

/// Failed logins in a row before the account is locked.
pub const MAX_FAILED_LOGINS: i64 = 5;
/// How long a lock lasts.
pub const LOCK_MS: i64 = 15 * 60 * 1000;
/// How long a session lives without a new login.
pub const SESSION_MS: i64 = 12 * 60 * 60 * 1000;

#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub region: Option<KodeWilayah>,
    pub disabled: bool,
}

impl Account {
    /// Where this account may act; `None` for an account whose region does not fit its role.
    pub fn reach(&self) -> Option<Reach> {
        Reach::for_account(self.role, self.region.as_ref())
    }
}

/// A new account's details.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub region: Option<&'a str>,
    pub password: &'a str,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{}", .0.key)]
    Invalid(Message),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

fn invalid(key: &str) -> AccountError {
    AccountError::Invalid(Message::new(key))
}

fn hash_password(password: &str) -> Result<String, StorageError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StorageError::Config(format!("password hashing: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// How an account is named in the audit log and the change history (`user:siti`): one
/// spelling for the web, the services and the CLI.
pub fn actor(username: &str) -> String {
    format!("user:{username}")
}

/// Checks a new password: 8 to 128 characters.
pub fn check_password(password: &str) -> Result<(), AccountError> {
    let n = password.chars().count();
    if !(8..=128).contains(&n) {
        return Err(invalid("account-password-length"));
    }
    Ok(())
}

const SELECT: &str = "SELECT id, username, display_name, role, region_code, disabled, password_hash, failed_logins, \
     locked_until FROM accounts";

fn account_from_row(row: &Row) -> Result<Account, StorageError> {
    let d = Decode::new("accounts", row, 0);
    Ok(Account {
        id: d.text(0)?,
        username: d.text(1)?,
        display_name: d.text(2)?,
        role: d.code(3, "role", Role::from_code)?,
        region: match d.opt_text(4) {
            None => None,
            Some(_) => Some(d.code(4, "region code", KodeWilayah::parse)?),
        },
        disabled: d.int(5)? != 0,
    })
}

/// Creates an account after checking the name, the password and that the region fits the role.
pub fn create(
    conn: &mut Conn,
    new: &NewAccount<'_>,
    created_by: &str,
    now_ms: i64,
) -> Result<Account, AccountError> {
    let username = new.username.trim().to_lowercase();
    let name_ok = (3..=32).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !name_ok {
        return Err(invalid("account-username-format"));
    }
    let display = new.display_name.trim();
    if display.is_empty() || display.chars().count() > 100 {
        return Err(invalid("account-display-name"));
    }
    check_password(new.password)?;
    let region = match (new.role.region_level(), new.region) {
        (None, _) => None,
        (Some(level), Some(raw)) => {
            let code = KodeWilayah::parse(raw)
                .filter(|c| c.level() == level && Wilayah::master().contains(c))
                .ok_or_else(|| {
                    AccountError::Invalid(Message::new("account-region").arg("code", raw))
                })?;
            Some(code)
        }
        (Some(_), None) => return Err(invalid("account-region-missing")),
    };
    if conn.query_i64(
        "SELECT COUNT(*) FROM accounts WHERE username = $1",
        &[username.as_str().into()],
    )? > 0
    {
        return Err(AccountError::Invalid(
            Message::new("account-username-taken").arg("username", &username),
        ));
    }
    let id = new_id();
    conn.execute(
        "INSERT INTO accounts (id, username, display_name, role, region_code, password_hash, \
         disabled, failed_logins, locked_until, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, 0, 0, $7, $8)",
        &[
            id.as_str().into(),
            username.as_str().into(),
            display.into(),
            new.role.code().into(),
            region.as_ref().map(|r| r.as_str().to_string()).into(),
            hash_password(new.password)?.into(),
            SqlValue::Int(now_ms),
            created_by.into(),
        ],
    )?;
    Ok(Account {
        id,
        username,
        display_name: display.to_string(),
        role: new.role,
        region,
        disabled: false,
    })
}

/// A logged-in session: the secret token for the cookie and the CSRF token for forms.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub csrf_token: String,
    pub account: Account,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Wrong name or password (never says which).
    #[error("invalid credentials")]
    Invalid,
    #[error("locked until {0}")]
    Locked(i64),
    #[error("account disabled")]
    Disabled,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A hash of a password nobody has, verified when the user does not exist so that a wrong
/// name costs the same time as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("tidak-ada-akun-ini").unwrap_or_default())
}

/// Checks a password; after [`MAX_FAILED_LOGINS`] failures in a row the account is locked for
/// [`LOCK_MS`].
pub fn login(
    conn: &mut Conn,
    username: &str,
    password: &str,
    now_ms: i64,
) -> Result<Session, LoginError> {
    let username = username.trim().to_lowercase();
    let row = conn.query_opt(
        &format!("{SELECT} WHERE username = $1"),
        &[username.as_str().into()],
    )?;
    let Some(row) = row else {
        verify_password(password, dummy_hash());
        return Err(LoginError::Invalid);
    };
    let account = account_from_row(&row)?;
    let hash = row[6].as_str().unwrap_or_default().to_string();
    let locked_until = row[8].as_i64().unwrap_or(0);
    if locked_until > now_ms {
        return Err(LoginError::Locked(locked_until));
    }
    // The attempt is taken before the (slow) password check, in one statement: requests in
    // parallel each take their own, so no more than MAX_FAILED_LOGINS passwords are checked
    // before the lock, however many arrive at once (read-then-write let 27 of 32 through).
    let attempt = conn
        .query_opt(
            "UPDATE accounts SET failed_logins = failed_logins + 1 \
             WHERE id = $1 AND COALESCE(locked_until, 0) <= $2 RETURNING failed_logins",
            &[account.id.as_str().into(), SqlValue::Int(now_ms)],
        )?
        .and_then(|r| r.first().and_then(SqlValue::as_i64));
    let lock = |conn: &mut Conn| -> Result<LoginError, StorageError> {
        let until = now_ms + LOCK_MS;
        conn.execute(
            "UPDATE accounts SET failed_logins = 0, locked_until = $1 WHERE id = $2",
            &[SqlValue::Int(until), account.id.as_str().into()],
        )?;
        Ok(LoginError::Locked(until))
    };
    let attempt = match attempt {
        // Locked by a parallel request since the account was read.
        None => return Err(LoginError::Locked(now_ms + LOCK_MS)),
        Some(n) if n > MAX_FAILED_LOGINS => return Err(lock(conn)?),
        Some(n) => n,
    };
    if !verify_password(password, &hash) {
        return Err(if attempt >= MAX_FAILED_LOGINS {
            lock(conn)?
        } else {
            LoginError::Invalid
        });
    }
    if account.disabled {
        return Err(LoginError::Disabled);
    }
    conn.execute(
        "UPDATE accounts SET failed_logins = 0, locked_until = 0 WHERE id = $1",
        &[account.id.as_str().into()],
    )?;
    let token = random_token();
    let csrf_token = random_token();
    conn.execute(
        "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
        &[
            token_hash(&token).into(),
            account.id.as_str().into(),
            csrf_token.as_str().into(),
            SqlValue::Int(now_ms),
            SqlValue::Int(now_ms + SESSION_MS),
        ],
    )?;
    Ok(Session {
        token,
        csrf_token,
        account,
    })
}

/// The account and CSRF token of a live session; `None` for an unknown, expired or tampered
/// token, or a disabled account.
pub fn session(
    conn: &mut Conn,
    token: &str,
    now_ms: i64,
) -> Result<Option<(Account, String)>, StorageError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let row = conn.query_opt(
        "SELECT a.id, a.username, a.display_name, a.role, a.region_code, a.disabled, \
         s.csrf_token, s.expires_at FROM sessions s JOIN accounts a ON a.id = s.account_id \
         WHERE s.token_hash = $1",
        &[token_hash(token).into()],
    )?;
    let Some(r) = row else {
        return Ok(None);
    };
    let account = account_from_row(&r)?;
    let expires = Decode::named("sessions of account", &account.id, &r).int(7)?;
    Ok((expires > now_ms && !account.disabled)
        .then(|| (account, r[6].as_str().unwrap_or_default().to_string())))
}

/// Keeps the language (`id`, `en`) chosen by the account of a session; an unknown session
/// changes nothing.
pub fn set_lang_of_session(conn: &mut Conn, token: &str, lang: &str) -> Result<(), StorageError> {
    conn.execute(
        "UPDATE accounts SET lang = $1 WHERE id = \
         (SELECT account_id FROM sessions WHERE token_hash = $2)",
        &[lang.into(), token_hash(token).into()],
    )?;
    Ok(())
}

/// The language an account chose last, if any.
pub fn preferred_lang(conn: &mut Conn, account_id: &str) -> Result<Option<String>, StorageError> {
    Ok(conn
        .query_opt(
            "SELECT lang FROM accounts WHERE id = $1",
            &[account_id.into()],
        )?
        .and_then(|r| r.into_iter().next())
        .and_then(|v| v.into_string()))
}

pub fn logout(conn: &mut Conn, token: &str) -> Result<(), StorageError> {
    conn.execute(
        "DELETE FROM sessions WHERE token_hash = $1",
        &[token_hash(token).into()],
    )?;
    Ok(())
}

/// Changes a password after checking the current one; ends the account's other sessions.
pub fn change_password(
    conn: &mut Conn,
    account_id: &str,
    current: &str,
    new: &str,
) -> Result<(), AccountError> {
    let hash = conn
        .query_opt(
            "SELECT password_hash FROM accounts WHERE id = $1",
            &[account_id.into()],
        )?
        .and_then(|r| r.into_iter().next())
        .and_then(SqlValue::into_string)
        .unwrap_or_default();
    if !verify_password(current, &hash) {
        return Err(invalid("account-password-wrong"));
    }
    check_password(new)?;
    conn.execute(
        "UPDATE accounts SET password_hash = $1 WHERE id = $2",
        &[hash_password(new)?.into(), account_id.into()],
    )?;
    conn.execute(
        "DELETE FROM sessions WHERE account_id = $1",
        &[account_id.into()],
    )?;
    Ok(())
}

/// Disables or enables an account; disabling ends its sessions.
pub fn set_disabled(conn: &mut Conn, account_id: &str, disabled: bool) -> Result<(), StorageError> {
    conn.execute(
        "UPDATE accounts SET disabled = $1 WHERE id = $2",
        &[SqlValue::Int(disabled.into()), account_id.into()],
    )?;
    if disabled {
        conn.execute(
            "DELETE FROM sessions WHERE account_id = $1",
            &[account_id.into()],
        )?;
    }
    Ok(())
}

/// Accounts whose region lies within `reach` (all for `Everywhere`), by name.
pub fn list(conn: &mut Conn, reach: &Reach) -> Result<Vec<Account>, StorageError> {
    let rows = conn.query(&format!("{SELECT} ORDER BY username"), &[])?;
    let mut out = Vec::new();
    for row in &rows {
        let a = account_from_row(row)?;
        let within = match (reach, &a.region) {
            (Reach::Everywhere, _) => true,
            (Reach::Within(r), Some(region)) => region.is_within(r),
            (Reach::Within(_), None) => false,
        };
        if within {
            out.push(a);
        }
    }
    Ok(out)
}

pub fn count(conn: &mut Conn) -> Result<i64, StorageError> {
    conn.query_i64("SELECT COUNT(*) FROM accounts", &[])
}
