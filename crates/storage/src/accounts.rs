//! Staff accounts and login sessions: Argon2id password hashes, a password policy (zxcvbn and
//! the account's own details), a wait after failed logins that doubles per username (known or
//! not) instead of a lock, random session tokens stored only as their SHA-256.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Argon2, password_hash::rand_core::OsRng};
use puskesos_domain::Message;
use puskesos_domain::access::{Reach, Role};
use puskesos_domain::wilayah::{KodeWilayah, Wilayah};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::{Conn, Decode, Row, SqlValue};
use crate::{StorageError, new_id};

/// The wait after the first failed login of a username; each further failure doubles it.
pub const FIRST_DELAY_MS: i64 = 1000;
/// The longest wait: the right password always gets in after at most this long, while a
/// guesser gets two tries a minute (under three thousand a day against a password the policy
/// let through, which zxcvbn puts at 10^8 guesses or more).
pub const MAX_DELAY_MS: i64 = 30_000;
/// A username with no failure for this long starts again at [`FIRST_DELAY_MS`] (its row is
/// pruned).
pub const DELAY_FORGOTTEN_MS: i64 = 15 * 60 * 1000;
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
    /// A temporary password set by a manager: the account must choose its own before anything
    /// else.
    pub must_change_password: bool,
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

/// Who a new password belongs to: what it must not be made of.
#[derive(Debug, Clone, Copy, Default)]
pub struct PasswordContext<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub region: Option<&'a KodeWilayah>,
    /// The password being replaced, on a change.
    pub current: Option<&'a str>,
}

/// Words Indonesian staff reach for that zxcvbn's (English) dictionaries do not know: passed to
/// it as known words, so a password made of them scores as weak as "password".
const LOCAL_WORDS: &[&str] = &[
    "rahasia",
    "sandi",
    "katasandi",
    "indonesia",
    "puskesos",
    "slrt",
    "desa",
    "kelurahan",
    "kecamatan",
    "merdeka",
    "bismillah",
    "sayang",
    "cinta",
    "sejahtera",
    "sosial",
    "dinsos",
    "kemensos",
    "admin",
    "ketua",
    "kepala",
    "garuda",
    "pancasila",
    "jakarta",
    "rahasiaku",
    "masuk",
    "bersama",
    "selamat",
    "aman",
];

/// Lower case letters and digits only, for comparing a password with names.
fn folded(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Checks a new password: 8 to 128 characters, not the current one, not made of the account's
/// name, display name or region, and strong enough by zxcvbn (score 3 of 4: about 10^8 guesses
/// or more), which also knows the common passwords (`12345678`, `password`, ...).
pub fn check_password(password: &str, ctx: &PasswordContext<'_>) -> Result<(), AccountError> {
    let n = password.chars().count();
    if !(8..=128).contains(&n) {
        return Err(invalid("account-password-length"));
    }
    if ctx.current == Some(password) {
        return Err(invalid("account-password-same"));
    }
    let mut personal: Vec<String> = vec![ctx.username.to_string(), ctx.display_name.to_string()];
    personal.extend(ctx.display_name.split_whitespace().map(str::to_string));
    if let Some(code) = ctx.region {
        for r in puskesos_domain::wilayah::Wilayah::master().path(code) {
            personal.push(r.name.to_string());
            personal.extend(r.name.split_whitespace().map(str::to_string));
        }
    }
    let pw = folded(password);
    let whole = [ctx.username, ctx.display_name]
        .into_iter()
        .map(folded)
        .chain(ctx.region.and_then(|c| {
            puskesos_domain::wilayah::Wilayah::master()
                .get(c.as_str())
                .map(|r| folded(r.name))
        }));
    for name in whole {
        if name.chars().count() >= 3 && pw.contains(&name) {
            return Err(invalid("account-password-personal"));
        }
    }
    let mut inputs: Vec<&str> = personal.iter().map(String::as_str).collect();
    inputs.extend_from_slice(LOCAL_WORDS);
    if let Some(current) = ctx.current {
        inputs.push(current);
    }
    let entropy = zxcvbn::zxcvbn(password, &inputs);
    if entropy.score() < zxcvbn::Score::Three {
        return Err(invalid("account-password-weak"));
    }
    Ok(())
}

const SELECT: &str = "SELECT id, username, display_name, role, region_code, disabled, \
     must_change_password, password_hash FROM accounts";

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
        must_change_password: d.int(6)? != 0,
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
    check_password(
        new.password,
        &PasswordContext {
            username: &username,
            display_name: display,
            region: region.as_ref(),
            current: None,
        },
    )?;
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
        must_change_password: false,
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
    /// Too soon after a failed login of this username: try again at this time (ms). Known and
    /// unknown usernames wait alike.
    #[error("wait until {0}")]
    Wait(i64),
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

/// Takes a login attempt for `username` (known or not) before the slow password check, in one
/// statement: the row's `not_before` is moved to the wait a failure would earn, so parallel
/// requests get one attempt between them and the others wait. `Err(until)` when it is too soon.
fn take_attempt(
    conn: &mut Conn,
    username: &str,
    now_ms: i64,
) -> Result<Result<(), i64>, StorageError> {
    conn.execute(
        "DELETE FROM login_delays WHERE not_before < $1",
        &[SqlValue::Int(now_ms - DELAY_FORGOTTEN_MS)],
    )?;
    let next =
        "CASE WHEN login_delays.delay_ms * 2 > $4 THEN $4 ELSE login_delays.delay_ms * 2 END";
    let taken = conn.query_opt(
        &format!(
            "INSERT INTO login_delays (username, failures, delay_ms, not_before) \
             VALUES ($1, 1, $2, $3) ON CONFLICT (username) DO UPDATE SET \
             failures = login_delays.failures + 1, delay_ms = {next}, \
             not_before = $5 + {next} WHERE login_delays.not_before <= $5 RETURNING failures"
        ),
        &[
            username.into(),
            SqlValue::Int(FIRST_DELAY_MS),
            SqlValue::Int(now_ms + FIRST_DELAY_MS),
            SqlValue::Int(MAX_DELAY_MS),
            SqlValue::Int(now_ms),
        ],
    )?;
    if taken.is_some() {
        return Ok(Ok(()));
    }
    let until = conn
        .query_opt(
            "SELECT not_before FROM login_delays WHERE username = $1",
            &[username.into()],
        )?
        .and_then(|r| r.first().and_then(SqlValue::as_i64))
        .unwrap_or(now_ms);
    Ok(Err(until))
}

/// Checks a password. Each failure makes the username's next attempt wait: 1 s, then twice as
/// long each time up to [`MAX_DELAY_MS`], the same for a name that has no account. The right
/// password gets in once the wait is over (no lock a guesser could hold), and clears it.
pub fn login(
    conn: &mut Conn,
    username: &str,
    password: &str,
    now_ms: i64,
) -> Result<Session, LoginError> {
    let username = username.trim().to_lowercase();
    if let Err(until) = take_attempt(conn, &username, now_ms)? {
        return Err(LoginError::Wait(until));
    }
    let row = conn.query_opt(
        &format!("{SELECT} WHERE username = $1"),
        &[username.as_str().into()],
    )?;
    let Some(row) = row else {
        verify_password(password, dummy_hash());
        return Err(LoginError::Invalid);
    };
    let account = account_from_row(&row)?;
    let hash = row[7].as_str().unwrap_or_default().to_string();
    if !verify_password(password, &hash) {
        return Err(LoginError::Invalid);
    }
    conn.execute(
        "DELETE FROM login_delays WHERE username = $1",
        &[username.as_str().into()],
    )?;
    if account.disabled {
        return Err(LoginError::Disabled);
    }
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
         a.must_change_password, s.csrf_token, s.expires_at FROM sessions s JOIN accounts a ON a.id = s.account_id \
         WHERE s.token_hash = $1",
        &[token_hash(token).into()],
    )?;
    let Some(r) = row else {
        return Ok(None);
    };
    let account = account_from_row(&r)?;
    let expires = Decode::named("sessions of account", &account.id, &r).int(8)?;
    Ok((expires > now_ms && !account.disabled)
        .then(|| (account, r[7].as_str().unwrap_or_default().to_string())))
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

/// Changes a password after checking the current one (the policy refuses the same one);
/// ends the account's other sessions and clears a temporary password's mark.
pub fn change_password(
    conn: &mut Conn,
    account_id: &str,
    current: &str,
    new: &str,
) -> Result<(), AccountError> {
    let row = conn
        .query_opt(&format!("{SELECT} WHERE id = $1"), &[account_id.into()])?
        .ok_or_else(|| invalid("account-password-wrong"))?;
    let account = account_from_row(&row)?;
    let hash = row[7].as_str().unwrap_or_default().to_string();
    if !verify_password(current, &hash) {
        return Err(invalid("account-password-wrong"));
    }
    check_password(
        new,
        &PasswordContext {
            username: &account.username,
            display_name: &account.display_name,
            region: account.region.as_ref(),
            current: Some(current),
        },
    )?;
    set_password(conn, &account, new, false)
}

fn set_password(
    conn: &mut Conn,
    account: &Account,
    password: &str,
    temporary: bool,
) -> Result<(), AccountError> {
    conn.execute(
        "UPDATE accounts SET password_hash = $1, must_change_password = $2 WHERE id = $3",
        &[
            hash_password(password)?.into(),
            SqlValue::Int(temporary.into()),
            account.id.as_str().into(),
        ],
    )?;
    conn.execute(
        "DELETE FROM sessions WHERE account_id = $1",
        &[account.id.as_str().into()],
    )?;
    conn.execute(
        "DELETE FROM login_delays WHERE username = $1",
        &[account.username.as_str().into()],
    )?;
    Ok(())
}

/// A manager (the Ketua, the administrator, or the CLI at the machine) sets a password for
/// `account`: checked by the same policy; `temporary` marks it to be changed at the next login.
/// Ends the account's sessions and any wait after failed logins.
pub fn reset_password(
    conn: &mut Conn,
    account: &Account,
    password: &str,
    temporary: bool,
) -> Result<(), AccountError> {
    check_password(
        password,
        &PasswordContext {
            username: &account.username,
            display_name: &account.display_name,
            region: account.region.as_ref(),
            current: None,
        },
    )?;
    set_password(conn, account, password, temporary)
}

/// The account of a username, if any.
pub fn by_username(conn: &mut Conn, username: &str) -> Result<Option<Account>, StorageError> {
    conn.query_opt(
        &format!("{SELECT} WHERE username = $1"),
        &[username.trim().to_lowercase().into()],
    )?
    .map(|r| account_from_row(&r))
    .transpose()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx<'a>(current: Option<&'a str>, region: Option<&'a KodeWilayah>) -> PasswordContext<'a> {
        PasswordContext {
            username: "siti.rahayu",
            display_name: "Siti Rahayu",
            region,
            current,
        }
    }

    fn key(password: &str, c: &PasswordContext<'_>) -> Option<String> {
        match check_password(password, c) {
            Ok(()) => None,
            Err(AccountError::Invalid(m)) => Some(m.key),
            Err(e) => panic!("{e}"),
        }
    }

    /// The passwords the security test got through, and the account's own details, are refused
    /// with the message that says why; passphrases pass.
    #[test]
    fn common_and_personal_passwords_are_refused() {
        let village = KodeWilayah::parse("33.12.01.2003").unwrap();
        let village_name = Wilayah::master().get(village.as_str()).unwrap().name;
        let c = ctx(Some("Padi-menguning-di-sawah"), Some(&village));
        for (pw, want) in [
            ("12345678", "account-password-weak"),
            ("password", "account-password-weak"),
            ("          ", "account-password-weak"),
            ("rahasia123", "account-password-weak"),
            // A keypad walk long enough to overflow zxcvbn's estimate (Cargo.toml).
            ("090909090909090909090909090909090", "account-password-weak"),
            ("siti.rahayu", "account-password-personal"),
            ("SitiRahayu2025!", "account-password-personal"),
            ("Padi-menguning-di-sawah", "account-password-same"),
            ("pendek", "account-password-length"),
        ] {
            assert_eq!(key(pw, &c).as_deref(), Some(want), "{pw}");
        }
        let with_village = format!("{village_name}-2025");
        assert_eq!(
            key(&with_village, &c).as_deref(),
            Some("account-password-personal"),
            "{with_village}"
        );
        for pw in [
            "kopi-tubruk-jam-tujuh",
            "Lumbung padi 7 karung",
            "ketua-padi-menguning",
            "pengolah-data-padi-menguning",
        ] {
            assert_eq!(key(pw, &c), None, "{pw}");
        }
        // Without a current password or region the same rules hold.
        assert_eq!(
            key("password1", &ctx(None, None)).as_deref(),
            Some("account-password-weak")
        );
    }
    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Too short or too long is refused for that, whatever the characters.
        #[test]
        fn a_password_outside_8_to_128_characters_is_refused_for_its_length(
            short in "\\PC{0,7}",
            long in "[a-z0-9 ]{129,160}",
        ) {
            for pw in [short, long] {
                let got = key(&pw, &ctx(None, None));
                proptest::prop_assert_eq!(
                    got.as_deref(),
                    Some("account-password-length"),
                    "{:?}", pw
                );
            }
        }

        /// The current password is never accepted as the new one.
        #[test]
        fn the_current_password_is_always_refused(pw in "\\PC{8,128}") {
            let got = key(&pw, &ctx(Some(&pw), None));
            proptest::prop_assert_eq!(
                got.as_deref(),
                Some("account-password-same")
            );
        }

        /// The account's name inside a password, in any case and with anything around it
        /// (letters, digits, signs, other scripts), is refused as personal.
        #[test]
        fn a_password_holding_the_account_name_is_personal(
            before in "\\PC{0,20}",
            name in proptest::sample::select(vec!["SitiRahayu", "siti.rahayu", "SITI RAHAYU", "siti_rahayu"]),
            after in "\\PC{0,20}",
        ) {
            let pw = format!("{before}{name}{after}");
            let got = key(&pw, &ctx(None, None));
            proptest::prop_assert_eq!(
                got.as_deref(),
                Some("account-password-personal"),
                "{:?}", pw
            );
        }

        /// One or two characters repeated to any allowed length are weak.
        #[test]
        fn a_repeated_chunk_is_weak(chunk in "[a-zA-Z0-9]{1,2}", len in 8usize..=128) {
            let pw: String = chunk.chars().cycle().take(len).collect();
            let got = key(&pw, &ctx(None, None));
            proptest::prop_assert_eq!(
                got.as_deref(),
                Some("account-password-weak"),
                "{:?}", pw
            );
        }
    }
}
