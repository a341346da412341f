//! `puskesos`: the one binary. Commands for the web server, the demo village, import and export,
//! region codes and identity numbers. Thin: the work is done in the library crates.

mod audit_cmd;
mod backup;
mod demo_work;
mod memory;
mod partner_cmd;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use puskesos_domain::access::{Reach, Role};
use puskesos_domain::i18n::{format_int, format_rupiah};
use puskesos_domain::identity::{Issue, Nik, NomorKk, Severity};
use puskesos_domain::model::{PERSON_FIELDS, Record};
use puskesos_domain::rules::RuleSet;
use puskesos_domain::rules::assess::{Assessor, what_if};
use puskesos_domain::wilayah::Level;
use puskesos_domain::wilayah::{KodeWilayah, Wilayah};
use puskesos_domain::{Lang, tr};
use puskesos_interchange::rules::RulesError;
use puskesos_interchange::{ImportError, ImportOptions};
use puskesos_storage::audit::{self, AuditAction, AuditEntity, AuditEvent};
use puskesos_storage::bulk_load::load_families;
use puskesos_storage::registry::{self, FamilyInput, Scope, WriteCtx};
use puskesos_storage::{Db, now_ms};
use puskesos_storage::{accounts, assessment};

#[derive(Parser)]
#[command(
    name = "puskesos",
    version,
    about = "Puskesos — Pusat Kesejahteraan Sosial desa/kelurahan"
)]
struct Cli {
    /// Database: `postgres://user@host/db` for PostgreSQL; default an SQLite file in the data folder.
    #[arg(long, global = true, env = "PUSKESOS_DATABASE_URL")]
    database_url: Option<String>,
    /// Folder for the SQLite database and other files, created on first start.
    #[arg(long, global = true, env = "PUSKESOS_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// Language of messages: id (Bahasa Indonesia) or en.
    #[arg(long, global = true, env = "PUSKESOS_LANG", default_value = "id")]
    lang: Lang,
    /// A district's rule folder: program rules `*.toml` and PMT models `pmt/*.toml`, read
    /// beside the 2025 rules shipped in the binary (docs/rules.md).
    #[arg(long, global = true, env = "PUSKESOS_RULES")]
    rules: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account (the first administrator, or staff). The password comes from
    /// PUSKESOS_PASSWORD or the first line of standard input.
    Add {
        #[arg(long)]
        username: String,
        /// Name shown in the application.
        #[arg(long)]
        name: String,
        /// admin, kepala_desa, ketua, penerima_informasi, review_analisis, bagian_pendidikan,
        /// bagian_kesehatan, bagian_sosial_ekonomi, pengolah_data or dinas_sosial.
        #[arg(long)]
        role: String,
        /// Village code (staff) or kab/kota code (dinas_sosial); none for admin.
        #[arg(long)]
        region: Option<String>,
    },
    /// Set an account's password (forgotten, or a new member of staff): checked by the password
    /// policy; read from PUSKESOS_PASSWORD or the first line of standard input. With
    /// --temporary its owner must replace it at the next login.
    Passwd {
        username: String,
        #[arg(long)]
        temporary: bool,
    },
    /// List accounts.
    List,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "PUSKESOS_ADDR", default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Fill an empty database with the demo village first.
        #[arg(long)]
        demo: bool,
        /// The village this node serves (Kemendagri code).
        #[arg(long, env = "PUSKESOS_VILLAGE")]
        village: Option<String>,
        /// Mark cookies Secure (set when the site is served over HTTPS).
        #[arg(long, env = "PUSKESOS_SECURE_COOKIES")]
        secure_cookies: bool,
        /// The address people reach this server at, for the links and QR codes it sends out
        /// (e.g. https://puskesos.petirsari.desa.id). Default: http://<addr>.
        #[arg(long, env = "PUSKESOS_PUBLIC_URL")]
        public_url: Option<String>,
        /// Behind a reverse proxy on this machine: take each client's address from the last
        /// X-Forwarded-For entry the proxy appends (for the limits per client).
        #[arg(long, env = "PUSKESOS_TRUST_PROXY")]
        trust_proxy: bool,
    },
    /// Print the roles and the permission matrix (Markdown, as in docs/roles.md).
    Roles,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Fill the database with a reproducible synthetic village.
    Demo {
        #[arg(long, default_value_t = 3000)]
        families: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Village code (default: the demo village).
        #[arg(long)]
        village: Option<String>,
        /// Spread the families over this many villages of the province, starting with the
        /// village (a district-sized registry for benchmarks).
        #[arg(long, default_value_t = 1)]
        villages: usize,
    },
    /// Measure rule evaluation alone: every program for every family of a generated
    /// population, on one thread (benchmark; nothing is stored).
    BenchRules {
        #[arg(long, default_value_t = 100_000)]
        families: usize,
        /// Passes over the population.
        #[arg(long, default_value_t = 5)]
        rounds: usize,
    },
    /// Time the figures (issue 6): a village's dashboard (queries and charts) and the roll-up
    /// of the villages under a region code, on this database.
    BenchFigures {
        /// The village of the dashboard (default: the demo village).
        #[arg(long)]
        village: Option<String>,
        /// The region whose villages are rolled up (kab/kota `PP.KK`, or a province `PP`).
        #[arg(long)]
        region: Option<String>,
        #[arg(long, default_value_t = 30)]
        runs: usize,
    },
    /// Import a CSV or XLSX file (layout: docs/import-format.md).
    Import {
        file: PathBuf,
        /// Where to write rejected rows (default: FILE.tolak.csv).
        #[arg(long)]
        reject: Option<PathBuf>,
        /// Families per transaction.
        #[arg(long, default_value_t = 2000)]
        batch: usize,
        /// Do not reassess the imported villages afterwards (run `puskesos assess` later).
        #[arg(long)]
        no_assess: bool,
        /// Reassess for this reference day, YYYY-MM-DD (default: each village's stored
        /// assessment date, today for a village never assessed).
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
    },
    /// Export the registry, or a village, RW or RT of it, as CSV or XLSX (by the file's extension).
    Export {
        file: PathBuf,
        #[arg(long)]
        village: Option<String>,
        #[arg(long)]
        rw: Option<String>,
        #[arg(long)]
        rt: Option<String>,
    },
    /// Show a region code's names, or search codes by name.
    Wilayah {
        code: Option<String>,
        #[arg(long)]
        search: Option<String>,
    },
    /// Explain NIKs: region, sex, birth date, or why a number is invalid.
    Nik {
        #[arg(required = true)]
        numbers: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Explain Nomor KK (family card numbers).
    Kk {
        #[arg(required = true)]
        numbers: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Assess every family: BPS 14, Kepmensos 262, PMT and local deciles, and every program's
    /// eligibility and gaps (stored; shown on the family and gap pages).
    Assess {
        /// Only this village.
        #[arg(long)]
        village: Option<String>,
        /// Reference day for ages and rules in force (default: today), YYYY-MM-DD.
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
    },
    /// What if the rules changed? Runs changed rule files against a village's registry and
    /// shows who gains, who loses and the yearly budget, without changing anything stored.
    Whatif {
        /// Changed program rule files (each replaces the program of the same code).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        village: Option<String>,
        /// Reference day, YYYY-MM-DD (default: the village's stored assessment date).
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
    },
    /// Check rule files and list the programs in force (with --rules, the district's too).
    Rules {
        /// Extra rule files to check.
        files: Vec<PathBuf>,
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
        /// Print the facts a rule can read (Markdown, as in docs/rules.md).
        #[arg(long)]
        facts: bool,
    },
    /// Back up the registry while it serves (SQLite's backup API; pg_dump on PostgreSQL).
    /// With --encrypt the file is encrypted with a passphrase (age) read from
    /// PUSKESOS_BACKUP_PASSPHRASE or the first line of standard input.
    Backup {
        file: PathBuf,
        #[arg(long)]
        encrypt: bool,
    },
    /// Replace the registry by a backup (checked first; stop the server before).
    Restore { file: PathBuf },
    /// The audit log's hash chain: verify it, or archive old rows.
    Audit {
        #[command(subcommand)]
        command: audit_cmd::AuditCommand,
    },
    /// The district's partner systems of the DCI social-registry API (docs/dci.md).
    Partner {
        #[command(subcommand)]
        command: partner_cmd::PartnerCommand,
    },
    /// Other systems' identifiers of registered people (searched by DCI partners).
    Identifier {
        #[command(subcommand)]
        command: partner_cmd::IdentifierCommand,
    },
    /// Look up a registered person by NIK (recorded in the audit log).
    Cari {
        nik: String,
        /// Repeat the lookup N times and print the mean time (benchmark).
        #[arg(long, default_value_t = 1)]
        repeat: u32,
    },
}

// The bulk paths (import, export) allocate many small strings; mimalloc handles that pattern
// markedly faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

fn db_url(cli: &Cli) -> String {
    match &cli.database_url {
        Some(u) => u.clone(),
        None => cli.data_dir.join("puskesos.sqlite").display().to_string(),
    }
}

fn open_db(cli: &Cli) -> Result<Db> {
    let url = db_url(cli);
    Db::open(&url).with_context(|| format!("opening database {}", redact(&url)))
}

/// Hides a password in a database URL before it is printed.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if url[s + 3..at].contains(':') => {
            let user_end = url[s + 3..at].find(':').map(|i| s + 3 + i).unwrap_or(at);
            format!("{}:***{}", &url[..user_end], &url[at..])
        }
        _ => url.to_string(),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}: {e:#}", tr(cli.lang, "cli-error", &[]));
            ExitCode::from(1)
        }
    }
}

fn run(cli: &Cli) -> Result<ExitCode> {
    let lang = cli.lang;
    match &cli.command {
        Command::Nik { numbers, json } => Ok(explain(lang, numbers, *json, false)),
        Command::Kk { numbers, json } => Ok(explain(lang, numbers, *json, true)),
        Command::Wilayah { code, search } => wilayah(lang, code.as_deref(), search.as_deref()),
        Command::Demo {
            families,
            seed,
            village,
            villages,
        } => {
            let db = open_db(cli)?;
            let v = demo_village(village.as_deref())?;
            if *villages <= 1 {
                fill_demo(
                    &db,
                    &v,
                    *families,
                    *seed,
                    lang,
                    &mut Default::default(),
                    true,
                )?;
                assess(cli, &db, Some(v.to_string()), None, false)?;
                demo_work::seed(&db, v.as_str(), *seed, now_ms())?;
            } else {
                let list = province_villages(&v, *villages);
                let per = (*families / list.len()).max(1);
                let mut ids = puskesos_demo::DemoIds::default();
                for (i, code) in list.iter().enumerate() {
                    fill_demo(&db, code, per, *seed + i as u64, lang, &mut ids, false)?;
                }
                db.conn()?.analyze()?;
                assess(cli, &db, None, None, false)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            file,
            reject,
            batch,
            no_assess,
            on,
        } => {
            let db = open_db(cli)?;
            let mut opts = ImportOptions::new(&actor());
            opts.reject_path = reject.clone();
            opts.batch_families = (*batch).max(1);
            opts.progress = true;
            let start = Instant::now();
            match puskesos_interchange::import_file(&db, file, &opts) {
                Ok(summary) => {
                    println!("{}", summary.render(lang));
                    let secs = start.elapsed().as_secs_f64();
                    eprintln!(
                        "{:.1} s, {:.0} rows/s",
                        secs,
                        summary.rows as f64 / secs.max(1e-9)
                    );
                    if !no_assess {
                        for v in &summary.villages_changed {
                            // One date per stored assessment: the village's own unless told.
                            let day = match on {
                                Some(d) => Some(*d),
                                None => assessment::village_date(&mut db.conn()?, v)?,
                            };
                            assess(cli, &db, Some(v.clone()), day, false)?;
                        }
                    }
                    Ok(if summary.rows_rejected > 0 {
                        ExitCode::from(3)
                    } else {
                        ExitCode::SUCCESS
                    })
                }
                Err(ImportError::File(fe)) => {
                    eprintln!("{}", fe.render(lang));
                    eprintln!("{}", tr(lang, "cli-nothing-imported", &[]));
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Export {
            file,
            village,
            rw,
            rt,
        } => {
            let db = open_db(cli)?;
            let village = match village {
                Some(v) => Some(
                    KodeWilayah::parse(v)
                        .with_context(|| tr(lang, "village-code-format", &[]))?
                        .to_string(),
                ),
                None => None,
            };
            let scope = Scope {
                village,
                rw: rw.clone(),
                rt: rt.clone(),
            };
            let rows = puskesos_interchange::export_file(&db, &scope, file, &actor())?;
            println!(
                "{}",
                tr(
                    lang,
                    "cli-exported",
                    &[
                        ("rows", &rows.to_string()),
                        ("path", &file.display().to_string())
                    ]
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Cari { nik, repeat } => {
            let db = open_db(cli)?;
            let mut conn = db.conn()?;
            let start = Instant::now();
            let mut found = None;
            for _ in 0..(*repeat).max(1) {
                found = registry::person_by_nik(&mut conn, nik.trim())?;
            }
            let per = start.elapsed() / (*repeat).max(1);
            match found {
                Some((p, kk)) => {
                    let village = registry::family_by_id(&mut conn, &p.family_id)?
                        .and_then(|f| f.text("kode_wilayah").map(str::to_string))
                        .unwrap_or_default();
                    audit::record(
                        &mut conn,
                        &AuditEvent::new(AuditAction::Read, AuditEntity::Person, &p.id)
                            .by(&actor())
                            .in_village(&village)
                            .detail("cli cari"),
                    )?;
                    println!("KK {kk}");
                    for (f, v) in PERSON_FIELDS.iter().zip(&p.values) {
                        if let Some(v) = v {
                            println!(
                                "  {}: {}",
                                puskesos_domain::i18n::field_label(lang, f.key).into_owned(),
                                v.to_text(f.kind)
                            );
                        }
                    }
                }
                None => println!("{}", tr(lang, "cli-not-found", &[("nik", nik)])),
            }
            if *repeat > 1 {
                eprintln!("{} lookups, {:.1} µs each", repeat, per.as_secs_f64() * 1e6);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            addr,
            demo,
            village,
            secure_cookies,
            public_url,
            trust_proxy,
        } => serve(
            cli,
            *addr,
            *demo,
            village.as_deref(),
            Proxying {
                secure_cookies: *secure_cookies,
                trust_proxy: *trust_proxy,
            },
            public_url.as_deref(),
        ),
        Command::User { command } => user(cli, command),
        Command::Assess { village, on } => {
            let db = open_db(cli)?;
            let village = village
                .as_deref()
                .map(|v| demo_village(Some(v)))
                .transpose()?;
            assess(cli, &db, village.as_ref().map(|v| v.to_string()), *on, true)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Whatif { files, village, on } => whatif(cli, files, village.as_deref(), *on),
        Command::Rules { facts: true, .. } => {
            print!("{}", puskesos_domain::rules::facts::facts_markdown());
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules { files, on, .. } => rules_check(cli, files, *on),
        Command::BenchRules { families, rounds } => bench_rules(*families, *rounds),
        Command::BenchFigures {
            village,
            region,
            runs,
        } => bench_figures(cli, village.as_deref(), region.as_deref(), *runs),
        Command::Roles => {
            print!("{}", roles_markdown(lang));
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { file, encrypt } => {
            let db = open_db(cli)?;
            backup::run_backup(&db, &db_url(cli), file, *encrypt, lang)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { file } => {
            let db = open_db(cli)?;
            backup::run_restore(&db, &db_url(cli), file, lang)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Partner { command } => partner_cmd::partner(&open_db(cli)?, command, lang),
        Command::Identifier { command } => partner_cmd::identifier(&open_db(cli)?, command, lang),
        Command::Audit { command } => {
            // An archive file is checked on its own, without a database.
            if let audit_cmd::AuditCommand::VerifyArchive { file } = command {
                return audit_cmd::verify_archive(file, lang);
            }
            audit_cmd::run(&open_db(cli)?, command, lang)
        }
    }
}

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

fn assessor(cli: &Cli, on: Option<chrono::NaiveDate>) -> Result<Assessor> {
    puskesos_interchange::rules::load_assessor(cli.rules.as_deref(), on.unwrap_or_else(today))
        .map_err(|e| match e {
            RulesError::File(f) => anyhow::anyhow!(f.render(cli.lang)),
            other => other.into(),
        })
}

/// Assesses the registry (or one village) and prints what it found.
fn assess(
    cli: &Cli,
    db: &Db,
    village: Option<String>,
    on: Option<chrono::NaiveDate>,
    verbose: bool,
) -> Result<()> {
    let lang = cli.lang;
    let assessor = assessor(cli, on)?;
    let (_, people) = registry::counts(&mut db.conn()?)?;
    let pb = indicatif::ProgressBar::new(people as u64);
    let start = Instant::now();
    let scope = Scope {
        village: village.clone(),
        ..Scope::default()
    };
    let stats = assessment::assess_all(db, &assessor, &scope, |n| pb.set_position(n))?;
    pb.finish_and_clear();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{}",
        tr(
            lang,
            "cli-assess-done",
            &[
                ("villages", &format_int(lang, stats.villages as i64)),
                ("families", &format_int(lang, stats.families as i64)),
                ("people", &format_int(lang, stats.people as i64)),
                ("rules", &assessor.rules.fingerprint()),
            ]
        )
    );
    if verbose {
        eprintln!(
            "{secs:.2} s, {:.0} families/s",
            stats.families as f64 / secs.max(1e-9)
        );
        let mut conn = db.conn()?;
        let villages: Vec<String> = match village {
            Some(v) => vec![v],
            None => conn
                .query(
                    "SELECT DISTINCT kode_wilayah FROM assessments ORDER BY kode_wilayah",
                    &[],
                )?
                .into_iter()
                .filter_map(|r| r.into_iter().next().and_then(|v| v.into_string()))
                .collect(),
        };
        for v in villages.iter().take(20) {
            println!("{v}");
            for (program, gap, total) in assessment::gap_summary(&mut conn, v)? {
                // Decided, known rupiah; the families whose amount is unknown apart.
                let unknown = if total.unknown_amount > 0 {
                    tr(
                        lang,
                        "web-amount-unknown-families",
                        &[("count", &format_int(lang, total.unknown_amount))],
                    )
                } else {
                    String::new()
                };
                println!(
                    "  {program:<10} {:<28} {:>8}  {}  {unknown}",
                    tr(lang, &format!("gap-{}", gap.code()), &[]),
                    format_int(lang, total.families),
                    format_rupiah(lang, total.known_amount)
                );
            }
        }
    }
    Ok(())
}

fn whatif(
    cli: &Cli,
    files: &[PathBuf],
    village: Option<&str>,
    on: Option<chrono::NaiveDate>,
) -> Result<ExitCode> {
    let lang = cli.lang;
    let db = open_db(cli)?;
    let village = demo_village(village)?.to_string();
    // The village's stored assessment date unless another is asked for.
    let on = match on {
        Some(d) => Some(d),
        None => assessment::village_date(&mut db.conn()?, &village)?,
    };
    let base = assessor(cli, on)?;
    let mut changed_files = puskesos_interchange::rules::program_files(cli.rules.as_deref())?;
    for f in files {
        let text = std::fs::read_to_string(f).with_context(|| f.display().to_string())?;
        changed_files.push((f.display().to_string(), text));
    }
    let changed = RuleSet::from_files(&changed_files, base.on)
        .map_err(|e| anyhow::anyhow!(e.render(lang)))?;
    let start = Instant::now();
    let mut population = assessment::prepare_village(&db, &base, &village)?;
    let (_, summaries) = base.assess_population(&mut population);
    let changes = what_if(&changed, &base.rules, &population, &summaries);
    let ms = start.elapsed().as_secs_f64() * 1e3;
    println!(
        "{}",
        tr(
            lang,
            "cli-whatif-head",
            &[
                ("village", &village),
                ("families", &format_int(lang, population.len() as i64))
            ]
        )
    );
    for c in &changes {
        println!(
            "{}",
            tr(
                lang,
                "cli-whatif-line",
                &[
                    ("program", &c.program),
                    ("before", &format_int(lang, c.eligible_before as i64)),
                    ("after", &format_int(lang, c.eligible_after as i64)),
                    ("gains", &format_int(lang, c.gains.len() as i64)),
                    ("losses", &format_int(lang, c.losses.len() as i64)),
                    ("budget_before", &format_rupiah(lang, c.budget_before)),
                    ("budget_after", &format_rupiah(lang, c.budget_after)),
                ]
            )
        );
    }
    eprintln!("{ms:.0} ms");
    Ok(ExitCode::SUCCESS)
}

fn rules_check(cli: &Cli, files: &[PathBuf], on: Option<chrono::NaiveDate>) -> Result<ExitCode> {
    let lang = cli.lang;
    let mut all = puskesos_interchange::rules::program_files(cli.rules.as_deref())?;
    for f in files {
        let text = std::fs::read_to_string(f).with_context(|| f.display().to_string())?;
        all.push((f.display().to_string(), text));
    }
    match RuleSet::from_files(&all, on.unwrap_or_else(today)) {
        Ok(set) => {
            for p in &set.programs {
                let until = p.effective_until.map(|d| d.to_string()).unwrap_or_default();
                println!(
                    "{}\t{}\t{} .. {}\t{}\t{}",
                    p.code,
                    p.version,
                    p.effective_from,
                    until,
                    p.name(lang),
                    p.file
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{}", e.render(lang));
            Ok(ExitCode::from(2))
        }
    }
}

/// `n` villages of `start`'s province in code order, beginning with `start`.
fn province_villages(start: &KodeWilayah, n: usize) -> Vec<KodeWilayah> {
    let w = Wilayah::master();
    let mut out = Vec::new();
    let province = KodeWilayah::parse(start.province()).expect("a province code");
    for kab in w.children(Some(&province)) {
        let kab = KodeWilayah::parse(kab.code).expect("master codes are valid");
        for kec in w.children(Some(&kab)) {
            let kec = KodeWilayah::parse(kec.code).expect("master codes are valid");
            for desa in w.children(Some(&kec)) {
                out.push(KodeWilayah::parse(desa.code).expect("master codes are valid"));
            }
        }
    }
    let at = out.iter().position(|c| c == start).unwrap_or(0);
    out.rotate_left(at);
    out.truncate(n.max(1));
    out
}

/// Rule evaluation alone, on one thread: prepared facts in memory, every program decided for
/// every family, `rounds` times.
/// Times `runs` of `f` after one warm-up; prints the median and the slowest.
fn time_runs(label: &str, runs: usize, mut f: impl FnMut() -> Result<String>) -> Result<()> {
    let mut size = f()?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        size = f()?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{label}: median {:.1} ms, slowest {:.1} ms over {} runs; {size}",
        times[times.len() / 2],
        times[times.len() - 1],
        times.len()
    );
    Ok(())
}

fn bench_figures(
    cli: &Cli,
    village: Option<&str>,
    region: Option<&str>,
    runs: usize,
) -> Result<ExitCode> {
    use puskesos_storage::figures;
    let db = open_db(cli)?;
    let assessor = assessor(cli, None)?;
    let village = demo_village(village)?.to_string();
    let lang = cli.lang;
    time_runs("village dashboard (queries + charts)", runs, || {
        let d = figures::village(
            &mut db.conn()?,
            &assessor,
            &village,
            &figures::Filter::default(),
            figures::today(),
        )?;
        let figs =
            puskesos_web::features::dashboard::village_figures(lang, &assessor.rules, &d, false);
        let svg: usize = figs
            .iter()
            .map(|f| puskesos_web::features::dashboard::draw(lang, f).len())
            .sum();
        Ok(format!("{} families, {svg} bytes of SVG", d.families))
    })?;
    if let Some(region) = region {
        time_runs("district roll-up", runs, || {
            let rows = figures::district(&mut db.conn()?, Some(region))?;
            let families: i64 = rows.iter().map(|r| r.families).sum();
            Ok(format!("{} villages, {families} families", rows.len()))
        })?;
    }
    Ok(ExitCode::SUCCESS)
}

fn bench_rules(families: usize, rounds: usize) -> Result<ExitCode> {
    use puskesos_domain::rules::Scratch;
    let on = today();
    let assessor = Assessor::builtin(on);
    let village = puskesos_demo::default_village();
    let opts = puskesos_demo::DemoOptions::new(families, 1, on);
    let mut population = Vec::with_capacity(families);
    for (i, fam) in puskesos_demo::generate(&opts).into_iter().enumerate() {
        let family = puskesos_domain::model::Family {
            id: i.to_string(),
            values: fam.values,
            source: "bench".into(),
        };
        let members: Vec<puskesos_domain::model::Person> = fam
            .members
            .into_iter()
            .enumerate()
            .map(|(k, values)| puskesos_domain::model::Person {
                id: format!("{i}-{k}"),
                family_id: i.to_string(),
                values,
                source: "bench".into(),
            })
            .collect();
        population.push(assessor.prepare(village.as_str(), &family, &members));
    }
    assessor.assess_population(&mut population);
    let mut scratch = Scratch::default();
    let mut out = Vec::new();
    let mut eligible = 0usize;
    let start = Instant::now();
    for _ in 0..rounds.max(1) {
        for p in &population {
            assessor.rules.decide_all(&p.facts, &mut scratch, &mut out);
            eligible += out
                .iter()
                .filter(|d| d.outcome == puskesos_domain::rules::Outcome::Eligible)
                .count();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let n = (population.len() * rounds.max(1)) as f64;
    println!(
        "{} programs x {} families x {} rounds: {:.3} s, {:.0} families/s on one thread ({} eligible decisions)",
        assessor.rules.programs.len(),
        population.len(),
        rounds.max(1),
        secs,
        n / secs,
        eligible
    );
    Ok(ExitCode::SUCCESS)
}

fn demo_village(code: Option<&str>) -> Result<KodeWilayah> {
    let raw = code.unwrap_or(puskesos_demo::DEFAULT_VILLAGE);
    KodeWilayah::parse(raw)
        .filter(|c| Wilayah::master().contains(c))
        .with_context(|| tr(Lang::Id, "village-unknown", &[("code", raw)]))
}

fn village_name(v: &KodeWilayah) -> String {
    Wilayah::master()
        .full_name(v)
        .unwrap_or_else(|| v.to_string())
}

/// Saves the generated village through the same path as an import, with its history.
fn fill_demo(
    db: &Db,
    village: &KodeWilayah,
    families: usize,
    seed: u64,
    lang: Lang,
    ids: &mut puskesos_demo::DemoIds,
    analyze: bool,
) -> Result<usize> {
    let opts = puskesos_demo::DemoOptions {
        village: village.clone(),
        families,
        seed,
        today: chrono::Local::now().date_naive(),
    };
    let generated = puskesos_demo::generate_with(&opts, ids);
    let ctx = WriteCtx {
        actor: actor(),
        reason: Some("data demo".into()),
        source: "demo".into(),
        now_ms: now_ms(),
    };
    let pb = indicatif::ProgressBar::new(generated.len() as u64);
    let mut conn = db.conn()?;
    load_families(&mut conn, |c, loader| -> Result<()> {
        for fam in &generated {
            let input = FamilyInput::whole(fam.values.clone(), fam.members.clone());
            loader.save_family(c, &input, &ctx)?;
            pb.inc(1);
        }
        Ok(())
    })?;
    pb.finish_and_clear();
    if analyze {
        conn.analyze()?;
    }
    let count = format_int(lang, generated.len() as i64);
    let name = village_name(village);
    println!(
        "{}",
        tr(
            lang,
            "cli-demo-done",
            &[("families", &count), ("village", &name)]
        )
    );
    Ok(generated.len())
}

fn user(cli: &Cli, command: &UserCommand) -> Result<ExitCode> {
    let lang = cli.lang;
    let db = open_db(cli)?;
    let mut conn = db.conn()?;
    match command {
        UserCommand::Add {
            username,
            name,
            role,
            region,
        } => {
            let Some(role) = Role::from_code(role) else {
                eprintln!("{}", tr(lang, "cli-unknown-role", &[("role", role)]));
                return Ok(ExitCode::from(2));
            };
            let password = read_password()?;
            let new = accounts::NewAccount {
                username,
                display_name: name,
                role,
                region: region.as_deref(),
                password: &password,
            };
            match accounts::create(&mut conn, &new, &actor(), now_ms()) {
                Ok(a) => {
                    println!(
                        "{}",
                        tr(lang, "cli-user-added", &[("username", &a.username)])
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(accounts::AccountError::Invalid(m)) => {
                    eprintln!("{}", m.render(lang));
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
        UserCommand::Passwd {
            username,
            temporary,
        } => {
            let Some(account) = accounts::by_username(&mut conn, username)? else {
                eprintln!(
                    "{}",
                    tr(lang, "cli-user-unknown", &[("username", username)])
                );
                return Ok(ExitCode::from(2));
            };
            let password = read_password()?;
            match accounts::reset_password(&mut conn, &account, &password, *temporary) {
                Ok(()) => {
                    let key = if *temporary {
                        "cli-user-password-temporary"
                    } else {
                        "cli-user-password-set"
                    };
                    println!("{}", tr(lang, key, &[("username", &account.username)]));
                    Ok(ExitCode::SUCCESS)
                }
                Err(accounts::AccountError::Invalid(m)) => {
                    eprintln!("{}", m.render(lang));
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
        UserCommand::List => {
            for a in accounts::list(&mut conn, &Reach::Everywhere)? {
                println!(
                    "{}\t{}\t{}\t{}{}",
                    a.username,
                    a.role.code(),
                    a.region.as_ref().map(|r| r.as_str()).unwrap_or("-"),
                    a.display_name,
                    if a.disabled {
                        format!(" ({})", tr(lang, "web-disabled", &[]))
                    } else {
                        String::new()
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A password from PUSKESOS_PASSWORD or the first line of standard input.
fn read_password() -> Result<String> {
    Ok(match std::env::var("PUSKESOS_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    })
}

/// The demo accounts' passwords: the role and a phrase, so that they pass the password policy
/// (no exception for demo data) and can still be guessed from the printed list.
pub const DEMO_PASSWORD_PHRASE: &str = "padi-menguning";

/// docs/roles.md: the roles and the matrix, generated from the domain crate.
fn roles_markdown(lang: Lang) -> String {
    let mut out = String::from(
        "# Roles and permissions\n\n\
         Generated by `puskesos roles` from `crates/domain/src/access.rs`; a test keeps this file\n\
         equal to the code. Every route of the web application and the API names one action\n\
         (`crates/web/src/routes.rs`); an account may call it when its role has a ✓ below, and\n\
         only for the villages within its reach: its own village, or for the Dinas Sosial every\n\
         village of its kab/kota. The administrator reaches everything but changes no registry data.\n\n",
    );
    out.push_str(&puskesos_domain::access::matrix_markdown(|k| {
        tr(lang, k, &[])
    }));
    out
}

/// One account per role in the demo village (and its district), so every view can be tried.
/// Passwords are printed: this is demo data only.
fn demo_accounts(db: &Db, village: &KodeWilayah, lang: Lang) -> Result<()> {
    let mut conn = db.conn()?;
    if accounts::count(&mut conn)? > 0 {
        return Ok(());
    }
    let district = village.lineage()[1].clone();
    println!("{}", tr(lang, "cli-demo-accounts", &[]));
    for role in Role::ALL {
        let username = format!("demo.{}", role.code().replace('_', "-"));
        let password = format!("{}-{DEMO_PASSWORD_PHRASE}", role.code().replace('_', "-"));
        let region = match role.region_level() {
            None => None,
            Some(Level::KabupatenKota) => Some(district.as_str().to_string()),
            Some(_) => Some(village.as_str().to_string()),
        };
        // A person's name, as a real account has (the password policy refuses a password that
        // contains the account's name, and a page names the officer, then the role).
        let display = demo_officer(role).to_string();
        let role_label = tr(lang, &format!("role-{}", role.code()), &[]);
        let new = accounts::NewAccount {
            username: &username,
            display_name: &display,
            role,
            region: region.as_deref(),
            password: &password,
        };
        accounts::create(&mut conn, &new, "demo", now_ms())
            .map_err(|e| anyhow::anyhow!("demo account {username}: {e}"))?;
        println!("  {username:<32} {password:<40} {display} ({role_label})");
    }
    Ok(())
}

/// The demo village's officer of each role.
fn demo_officer(role: Role) -> &'static str {
    match role {
        Role::KepalaDesa => "Bambang Sutrisno",
        Role::Ketua => "Sri Wahyuni",
        Role::PenerimaInformasi => "Dewi Lestari",
        Role::ReviewAnalisis => "Agus Setiawan",
        Role::BagianPendidikan => "Rina Marlina",
        Role::BagianKesehatan => "Yuni Astuti",
        Role::BagianSosialEkonomi => "Joko Susilo",
        Role::PengolahData => "Eko Prasetyo",
        Role::DinasSosial => "Hendra Wijaya",
        Role::Admin => "Teguh Santoso",
    }
}

/// Structured logs on stderr for the server: `RUST_LOG` when set (`RUST_LOG=tower_http=debug`
/// adds a line per request), else warnings and errors (every 5xx with its cause and request id).
fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours for a terminal only: a log file or journal gets plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// The configured public address, checked (http or https, a host, no path), or `http://addr`.
fn public_url_of(
    given: Option<&str>,
    addr: std::net::SocketAddr,
    lang: puskesos_domain::Lang,
) -> Result<String> {
    let Some(given) = given.map(str::trim).filter(|g| !g.is_empty()) else {
        return Ok(format!("http://{addr}"));
    };
    let url = given.trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host)
            if !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)) =>
        {
            Ok(url.to_string())
        }
        _ => anyhow::bail!(tr(lang, "cli-public-url-bad", &[("url", given)])),
    }
}

/// How the server is reached: over HTTPS (`--secure-cookies`), through a reverse proxy on this
/// machine whose `X-Forwarded-For` it trusts (`--trust-proxy`).
struct Proxying {
    secure_cookies: bool,
    trust_proxy: bool,
}

fn serve(
    cli: &Cli,
    addr: std::net::SocketAddr,
    demo: bool,
    village: Option<&str>,
    proxying: Proxying,
    public_url: Option<&str>,
) -> Result<ExitCode> {
    memory::return_freed_memory_promptly();
    let public_url = public_url_of(public_url, addr, cli.lang)?;
    init_logging();
    let lang = cli.lang;
    let db = open_db(cli)?;
    let mut village = match village {
        Some(v) => Some(demo_village(Some(v))?),
        None => None,
    };
    if demo {
        let v = demo_village(village.as_ref().map(|v| v.as_str()))?;
        let (families, _) = registry::counts(&mut db.conn()?)?;
        if families == 0 {
            fill_demo(&db, &v, 3000, 1, lang, &mut Default::default(), true)?;
            assess(cli, &db, Some(v.to_string()), None, false)?;
            demo_work::seed(&db, v.as_str(), 1, now_ms())?;
        }
        demo_accounts(&db, &v, lang)?;
        village = Some(v);
    }
    let files_dir = cli.data_dir.join("berkas");
    // Outside the async runtime: the PostgreSQL client must not block inside it.
    let audit = puskesos_storage::audit_writer::AuditWriter::start(&db)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        // Database work waits for one of the pool's connections anyway: a few threads are
        // enough, and hundreds of idle ones under load only cost memory.
        .max_blocking_threads(16)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = puskesos_web::bind(addr)
            .await
            .with_context(|| format!("listening on {addr}"))?;
        let url = format!("http://{}/", listener.local_addr()?);
        println!("{}", tr(lang, "cli-serving", &[("url", &url)]));
        puskesos_web::serve(
            listener,
            puskesos_web::AppState {
                audit,
                db,
                village,
                secure_cookies: proxying.secure_cookies,
                trust_proxy: proxying.trust_proxy,
                public_url,
                files_dir,
                rules: puskesos_web::Rules::new(cli.rules.clone()),
            },
        )
        .await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn wilayah(lang: Lang, code: Option<&str>, search: Option<&str>) -> Result<ExitCode> {
    let w = Wilayah::master();
    if let Some(q) = search {
        let hits = w.search(q, 50);
        if hits.is_empty() {
            println!("{}", tr(lang, "cli-no-region", &[("query", q)]));
            return Ok(ExitCode::from(1));
        }
        for r in hits {
            let code = KodeWilayah::parse(r.code).expect("master codes are valid");
            println!("{}\t{}", r.code, w.full_name(&code).unwrap_or_default());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(raw) = code else {
        println!("{}", tr(lang, "cli-wilayah-usage", &[]));
        return Ok(ExitCode::from(2));
    };
    match KodeWilayah::parse(raw).filter(|c| w.contains(c)) {
        Some(c) => {
            for r in w.path(&c) {
                println!("{}\t{}\t{}", r.code, r.level().label_id(), r.name);
            }
            Ok(ExitCode::SUCCESS)
        }
        None => {
            eprintln!("{}", tr(lang, "village-unknown", &[("code", raw)]));
            Ok(ExitCode::from(1))
        }
    }
}

fn render_issues(lang: Lang, issues: &[Issue]) -> Vec<serde_json::Value> {
    issues
        .iter()
        .map(|i| {
            serde_json::json!({
                "severity": i.severity,
                "code": i.message.key,
                "message": i.message.render(lang),
            })
        })
        .collect()
}

/// `puskesos nik` / `puskesos kk`: one block (or JSON object) per number; exit 1 if any invalid.
fn explain(lang: Lang, numbers: &[String], json: bool, kk: bool) -> ExitCode {
    let w = Wilayah::master();
    let today = chrono::Local::now().date_naive();
    let mut all_valid = true;
    let mut out = Vec::new();
    for n in numbers {
        let (valid, mut obj) = if kk {
            match NomorKk::parse(n) {
                Ok(k) => (
                    true,
                    serde_json::json!({
                        "number": k.as_str(),
                        "valid": true,
                        "region": {"code": k.kecamatan.as_str(), "names": w.path(&k.kecamatan).iter().map(|r| r.name).collect::<Vec<_>>()},
                        "issued": k.issued.map(|d| d.format("%Y-%m-%d").to_string()),
                        "issues": render_issues(lang, &k.warnings),
                    }),
                ),
                Err(issues) => (
                    false,
                    serde_json::json!({"number": n, "valid": false, "issues": render_issues(lang, &issues)}),
                ),
            }
        } else {
            match Nik::parse(n) {
                Ok(nik) => (
                    true,
                    serde_json::json!({
                        "number": nik.as_str(),
                        "valid": true,
                        "region": {"code": nik.kecamatan.as_str(), "names": w.path(&nik.kecamatan).iter().map(|r| r.name).collect::<Vec<_>>()},
                        "sex": nik.sex,
                        "birth_date": nik.birth_date(today).map(|d| d.format("%Y-%m-%d").to_string()),
                        "issues": render_issues(lang, &nik.warnings),
                    }),
                ),
                Err(issues) => (
                    false,
                    serde_json::json!({"number": n, "valid": false, "issues": render_issues(lang, &issues)}),
                ),
            }
        };
        all_valid &= valid;
        if json {
            out.push(obj.take());
            continue;
        }
        println!("{}", obj["number"].as_str().unwrap_or(n));
        if valid {
            let key = if kk { "kk-valid" } else { "nik-valid" };
            println!("  ✓ {}", tr(lang, key, &[]));
            let names: Vec<&str> = obj["region"]["names"]
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            println!(
                "  {}: {} ({})",
                tr(lang, "cli-region", &[]),
                names.join(" › "),
                obj["region"]["code"].as_str().unwrap_or("")
            );
            if let Some(sex) = obj["sex"].as_str() {
                println!(
                    "  {}: {}",
                    tr(lang, "field-jenis_kelamin", &[]),
                    tr(lang, &format!("sex-{}", sex.to_lowercase()), &[])
                );
            }
            for (label, key) in [
                ("field-tanggal_lahir", "birth_date"),
                ("cli-issued", "issued"),
            ] {
                if let Some(d) = obj[key].as_str() {
                    println!("  {}: {}", tr(lang, label, &[]), d);
                }
            }
        }
        for i in obj["issues"].as_array().into_iter().flatten() {
            let mark = if i["severity"] == serde_json::json!(Severity::Error) {
                "✗"
            } else {
                "!"
            };
            println!("  {mark} {}", i["message"].as_str().unwrap_or(""));
        }
    }
    if json {
        let v = if out.len() == 1 {
            out.remove(0)
        } else {
            serde_json::Value::Array(out)
        };
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    }
    if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
