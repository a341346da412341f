//! `puskesos partner add | list | revoke` and `puskesos identifier add`: the district's
//! agreements with partner systems of the DCI API (storage's `dci` module keeps them; this
//! reads the arguments, checks them and says the outcome).

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use puskesos_domain::wilayah::{KodeWilayah, Wilayah};
use puskesos_domain::{Lang, tr};
use puskesos_storage::Db;
use puskesos_storage::audit::{self, AuditAction, AuditEntity, AuditEvent};
use puskesos_storage::dci::{self, Partner};
use puskesos_web::features::dci::records::FIELD_GROUPS;

#[derive(Subcommand)]
pub enum PartnerCommand {
    /// Register a partner system; prints its bearer token (once) as the last line.
    Add {
        /// The partner's name (a program, Dukcapil, BPJS).
        #[arg(long)]
        name: String,
        /// The sender_id it puts in its messages (default: made from the name).
        #[arg(long)]
        id: Option<String>,
        /// Region codes it may query, comma-separated (a village, a kecamatan, a kabupaten).
        #[arg(long)]
        villages: String,
        /// Field groups its agreement names, comma-separated: identitas, nama, kelamin, lahir,
        /// alamat, keluarga, desil, program, kelayakan, disabilitas (or "semua").
        #[arg(long)]
        fields: String,
        /// Where its asynchronous answers and notifications go (http://host:port).
        #[arg(long)]
        callback: Option<String>,
        /// Its Ed25519 public key (base64): every request must then be signed.
        #[arg(long)]
        public_key: Option<String>,
    },
    /// List partners and their agreements.
    List,
    /// Revoke a partner at once: its token is refused from the next request.
    Revoke { id: String },
}

#[derive(Subcommand)]
pub enum IdentifierCommand {
    /// Record another system's identifier of the person with this NIK (UIN, BPJS number).
    Add {
        #[arg(long)]
        nik: String,
        #[arg(long = "type")]
        id_type: String,
        #[arg(long)]
        value: String,
    },
}

fn slug(name: &str) -> String {
    let s: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    s.split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Checks an agreement's parts; the message names the value that is wrong.
fn agreement(
    villages: &str,
    fields: &str,
    callback: Option<&str>,
    lang: Lang,
) -> Result<(Vec<String>, Vec<String>), String> {
    let villages = list(villages);
    if villages.is_empty() {
        return Err(tr(lang, "cli-partner-villages-missing", &[]));
    }
    for v in &villages {
        if !KodeWilayah::parse(v).is_some_and(|k| Wilayah::master().contains(&k)) {
            return Err(tr(lang, "village-unknown", &[("code", v)]));
        }
    }
    let mut fields = list(fields);
    if fields.iter().any(|f| f == "semua" || f == "all") {
        fields = FIELD_GROUPS.iter().map(|f| f.to_string()).collect();
    }
    if let Some(f) = fields.iter().find(|f| !FIELD_GROUPS.contains(&f.as_str())) {
        return Err(tr(
            lang,
            "cli-partner-field-unknown",
            &[("field", f), ("groups", &FIELD_GROUPS.join(", "))],
        ));
    }
    if let Some(url) = callback
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return Err(tr(lang, "cli-partner-callback-invalid", &[("url", url)]));
    }
    Ok((villages, fields))
}

pub fn partner(db: &Db, command: &PartnerCommand, lang: Lang) -> Result<ExitCode> {
    let mut conn = db.conn()?;
    match command {
        PartnerCommand::Add {
            name,
            id,
            villages,
            fields,
            callback,
            public_key,
        } => {
            let (villages, fields) = match agreement(villages, fields, callback.as_deref(), lang) {
                Ok(a) => a,
                Err(m) => {
                    eprintln!("{m}");
                    return Ok(ExitCode::from(2));
                }
            };
            if let Some(key) = public_key {
                use base64::Engine as _;
                let ok = base64::engine::general_purpose::STANDARD
                    .decode(key.trim())
                    .is_ok_and(|b| b.len() == 32);
                if !ok {
                    eprintln!("{}", tr(lang, "cli-partner-key-invalid", &[]));
                    return Ok(ExitCode::from(2));
                }
            }
            let id = id.clone().unwrap_or_else(|| slug(name));
            if id.is_empty() || dci::partner_by_id(&mut conn, &id)?.is_some() {
                eprintln!("{}", tr(lang, "cli-partner-exists", &[("id", &id)]));
                return Ok(ExitCode::from(2));
            }
            let p = Partner {
                id: id.clone(),
                name: name.clone(),
                villages,
                fields,
                callback_url: callback
                    .as_ref()
                    .map(|c| c.trim_end_matches('/').to_string()),
                public_key: public_key.as_ref().map(|k| k.trim().to_string()),
                revoked: false,
            };
            let token = conn.transaction(|c| {
                let token = dci::add_partner(c, &p)?;
                audit::record(
                    c,
                    &AuditEvent::new(
                        AuditAction::Create,
                        AuditEntity::Page,
                        &format!("dci-partner:{id}"),
                    )
                    .by("cli")
                    .detail(&format!(
                        "{} | {} | {}",
                        p.villages.join(","),
                        p.fields.join(","),
                        p.callback_url.clone().unwrap_or_default()
                    )),
                )?;
                Ok::<_, anyhow::Error>(token)
            })?;
            println!(
                "{}",
                tr(lang, "cli-partner-added", &[("id", &id), ("name", name)])
            );
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
        PartnerCommand::List => {
            for p in dci::partners(&mut conn)? {
                let state = if p.revoked {
                    format!("\t{}", tr(lang, "cli-partner-revoked-mark", &[]))
                } else {
                    String::new()
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}{}",
                    p.id,
                    p.name,
                    p.villages.join(","),
                    p.fields.join(","),
                    p.callback_url.unwrap_or_default(),
                    state
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        PartnerCommand::Revoke { id } => {
            let done = conn.transaction(|c| {
                let done = dci::revoke_partner(c, id)?;
                if done {
                    audit::record(
                        c,
                        &AuditEvent::new(
                            AuditAction::Update,
                            AuditEntity::Page,
                            &format!("dci-partner:{id}"),
                        )
                        .by("cli")
                        .detail("revoked"),
                    )?;
                }
                Ok::<_, anyhow::Error>(done)
            })?;
            if done {
                println!("{}", tr(lang, "cli-partner-revoked", &[("id", id)]));
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("{}", tr(lang, "cli-partner-unknown", &[("id", id)]));
                Ok(ExitCode::from(1))
            }
        }
    }
}

pub fn identifier(db: &Db, command: &IdentifierCommand, lang: Lang) -> Result<ExitCode> {
    let IdentifierCommand::Add {
        nik,
        id_type,
        value,
    } = command;
    let (id_type, value) = (id_type.trim(), value.trim());
    if id_type.is_empty() || value.is_empty() {
        eprintln!("{}", tr(lang, "dci-identifier-missing", &[]));
        return Ok(ExitCode::from(2));
    }
    let mut conn = db.conn()?;
    let found = conn.transaction(|c| {
        let found = dci::add_identifier(c, nik, id_type, value)?;
        if found {
            audit::record(
                c,
                &AuditEvent::new(AuditAction::Update, AuditEntity::Person, nik)
                    .by("cli")
                    .detail(&format!("{id_type} = {value}")),
            )?;
        }
        Ok::<_, anyhow::Error>(found)
    })?;
    if found {
        println!(
            "{}",
            tr(
                lang,
                "cli-identifier-added",
                &[("nik", nik), ("type", id_type)]
            )
        );
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{}", tr(lang, "cli-nik-not-found", &[("nik", nik)]));
        Ok(ExitCode::from(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agreement_names_what_is_wrong() {
        let e = agreement("33.12.01.2001", "desil,sepatu", None, Lang::En).unwrap_err();
        assert!(e.contains("sepatu"), "{e}");
        let e = agreement("33.x", "desil", None, Lang::En).unwrap_err();
        assert!(e.contains("33.x"), "{e}");
        let e = agreement("33.12", "desil", Some("ftp://x"), Lang::En).unwrap_err();
        assert!(e.contains("ftp://x"), "{e}");
        let (_, f) = agreement("33.12", "semua", None, Lang::En).unwrap();
        assert_eq!(f.len(), FIELD_GROUPS.len());
        assert_eq!(slug("BPJS Kesehatan (Kab.)"), "bpjs-kesehatan-kab");
    }
}
