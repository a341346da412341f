//! The account use cases, free of HTTP: which roles an account may create, creating one
//! within the creator's reach, disabling one, and changing one's own password.

use puskesos_domain::Message;
use puskesos_domain::access::{Reach, Role};
use puskesos_domain::wilayah::Level;
use puskesos_storage::accounts::{self, Account, AccountError, NewAccount};
use puskesos_storage::{Db, StorageError, now_ms};

/// Roles an account may create: a village's Ketua creates the village's staff; the
/// administrator creates any role.
pub fn creatable(role: Role) -> Vec<Role> {
    match role {
        Role::Admin => Role::ALL.to_vec(),
        _ => Role::ALL
            .into_iter()
            .filter(|r| r.region_level() == Some(Level::DesaKelurahan))
            .collect(),
    }
}

/// Who creates or changes accounts.
pub struct Manager<'a> {
    pub role: Role,
    pub reach: &'a Reach,
    pub username: &'a str,
}

/// A new account as the form sent it.
pub struct AccountInput<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    /// Only an administrator's region is read; others create within their own.
    pub region: &'a str,
    pub password: &'a str,
}

#[derive(Debug)]
pub enum CreateError {
    /// A role the manager may not create (or no role at all).
    RoleNotAllowed,
    /// The name, password or region did not pass the storage's checks.
    Invalid(Message),
    Storage(StorageError),
}

impl From<AccountError> for CreateError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Invalid(m) => CreateError::Invalid(m),
            AccountError::Storage(e) => CreateError::Storage(e),
        }
    }
}

impl From<StorageError> for CreateError {
    fn from(e: StorageError) -> Self {
        CreateError::Storage(e)
    }
}

/// The accounts within reach, by name.
pub fn list(db: &Db, reach: &Reach) -> Result<Vec<Account>, StorageError> {
    accounts::list(&mut db.conn()?, reach)
}

/// Creates an account of a role the manager may create; a village's Ketua creates accounts of
/// that village only, whatever region was sent.
pub fn create(
    db: &Db,
    manager: &Manager<'_>,
    input: &AccountInput<'_>,
) -> Result<Account, CreateError> {
    let role = Role::from_code(input.role)
        .filter(|r| creatable(manager.role).contains(r))
        .ok_or(CreateError::RoleNotAllowed)?;
    let region = match (manager.reach, role.region_level()) {
        (_, None) => None,
        (Reach::Within(r), _) => Some(r.to_string()),
        (Reach::Everywhere, Some(_)) => Some(input.region.to_string()),
    };
    let new = NewAccount {
        username: input.username,
        display_name: input.display_name,
        role,
        region: region.as_deref(),
        password: input.password,
    };
    let creator = accounts::actor(manager.username);
    Ok(accounts::create(&mut db.conn()?, &new, &creator, now_ms())?)
}

/// Disables or enables an account within reach, never one's own (`me`). `None` when there is
/// no such account for this manager.
pub fn set_disabled(
    db: &Db,
    reach: &Reach,
    me: &str,
    id: &str,
    disable: bool,
) -> Result<Option<()>, StorageError> {
    let mut conn = db.conn()?;
    let target = accounts::list(&mut conn, reach)?
        .into_iter()
        .find(|a| a.id == id && a.id != me);
    match target {
        Some(a) => accounts::set_disabled(&mut conn, &a.id, disable).map(Some),
        None => Ok(None),
    }
}

/// Sets a temporary password for an account within reach, never one's own (`me`: that goes
/// through the own password form); the owner must replace it at the next login. `Ok(None)` when
/// there is no such account for this manager.
pub fn reset_password(
    db: &Db,
    reach: &Reach,
    me: &str,
    id: &str,
    temporary: &str,
) -> Result<Option<()>, AccountError> {
    let mut conn = db.conn()?;
    let target = accounts::list(&mut conn, reach)?
        .into_iter()
        .find(|a| a.id == id && a.id != me);
    match target {
        Some(a) => accounts::reset_password(&mut conn, &a, temporary, true).map(Some),
        None => Ok(None),
    }
}

/// Changes one's own password after checking the current one; every session of the account
/// ends, this one too.
pub fn change_password(db: &Db, id: &str, current: &str, new: &str) -> Result<(), AccountError> {
    accounts::change_password(&mut db.conn()?, id, current, new)
}
