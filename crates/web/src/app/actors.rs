//! Who did something, as a person reads it. The audit log, case events and change histories
//! keep the actor as stored (`user:<login>`, `provider-link`, `cli:<os user>`, `demo`): stable
//! and searchable. Pages show the account's name instead, or a word for the other actors.

use std::collections::HashMap;

use puskesos_domain::access::Reach;
use puskesos_domain::{Lang, tr};
use puskesos_storage::{Conn, StorageError, accounts};

/// Account names by login, loaded once for a page that shows many actors.
#[derive(Debug, Clone, Default)]
pub struct Actors {
    names: HashMap<String, String>,
}

impl Actors {
    pub fn load(conn: &mut Conn) -> Result<Actors, StorageError> {
        Ok(Actors {
            names: accounts::list(conn, &Reach::Everywhere)?
                .into_iter()
                .map(|a| (a.username, a.display_name))
                .collect(),
        })
    }

    /// The actor in words: the account's name, or what kind of actor it was.
    pub fn name(&self, lang: Lang, actor: &str) -> String {
        if let Some(login) = actor.strip_prefix("user:") {
            return self
                .names
                .get(login)
                .cloned()
                .unwrap_or_else(|| tr(lang, "actor-former-account", &[("login", login)]));
        }
        if let Some(partner) = actor.strip_prefix("dci:") {
            return tr(lang, "actor-dci-partner", &[("partner", partner)]);
        }
        let key = match actor {
            "provider-link" => "actor-provider-link",
            "demo" => "actor-demo",
            "system" | "sistem" => "actor-system",
            a if a.starts_with("cli") => "actor-cli",
            a if a.starts_with("node:") || a.starts_with("sync") => "actor-sync",
            _ => return actor.to_string(),
        };
        tr(lang, key, &[])
    }

    /// The actor's name and, when it says something more, the role: "Sri Wahyuni (Ketua
    /// Puskesos)"; a demo account named after its role shows the role once.
    pub fn with_role(&self, lang: Lang, actor: &str, role_code: &str) -> String {
        let name = self.name(lang, actor);
        if role_code.is_empty() {
            return name;
        }
        let role = tr(lang, &format!("role-{role_code}"), &[]);
        if role == name || !actor.starts_with("user:") {
            name
        } else {
            format!("{name} ({role})")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_read_as_names_or_words_never_codes() {
        let a = Actors {
            names: [
                ("sri".to_string(), "Sri Wahyuni".to_string()),
                ("demo.ketua".to_string(), "Ketua Puskesos".to_string()),
            ]
            .into(),
        };
        assert_eq!(a.name(Lang::Id, "user:sri"), "Sri Wahyuni");
        assert_eq!(
            a.with_role(Lang::Id, "user:sri", "ketua"),
            "Sri Wahyuni (Ketua Puskesos)"
        );
        assert_eq!(
            a.with_role(Lang::Id, "user:demo.ketua", "ketua"),
            "Ketua Puskesos"
        );
        for stored in [
            "provider-link",
            "cli:root",
            "cli:unknown",
            "demo",
            "user:gone",
        ] {
            let shown = a.name(Lang::Id, stored);
            assert!(
                !shown.contains(':') && shown != stored,
                "{stored} → {shown}"
            );
        }
        assert!(a.name(Lang::Id, "user:gone").contains("gone"));
    }
}
