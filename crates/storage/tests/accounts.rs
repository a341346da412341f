//! Accounts and sessions on SQLite and PostgreSQL.

use puskesos_domain::access::Role;
use puskesos_storage::accounts::{self, AccountError, LoginError, NewAccount};
use puskesos_storage::testing;

const NOW: i64 = 1_800_000_000_000;

fn new<'a>(username: &'a str, role: Role, region: Option<&'a str>) -> NewAccount<'a> {
    NewAccount {
        username,
        display_name: "Siti",
        role,
        region,
        password: "kopi-tubruk-jam-tujuh",
    }
}

#[test]
fn login_session_logout() {
    for t in testing::all() {
        let mut c = t.db.conn().unwrap();
        let a = accounts::create(
            &mut c,
            &new("Siti.Data", Role::PengolahData, Some("33.12.01.2003")),
            "test",
            NOW,
        )
        .unwrap();
        assert_eq!(a.username, "siti.data");
        let s = accounts::login(&mut c, "SITI.DATA ", "kopi-tubruk-jam-tujuh", NOW).unwrap();
        let (acc, csrf) = accounts::session(&mut c, &s.token, NOW + 1000)
            .unwrap()
            .unwrap();
        assert_eq!(acc.id, a.id, "{}", t.label);
        assert_eq!(csrf, s.csrf_token);
        // Expired, tampered and logged-out tokens give nothing.
        assert!(
            accounts::session(&mut c, &s.token, NOW + accounts::SESSION_MS + 1)
                .unwrap()
                .is_none()
        );
        let mut tampered = s.token.clone();
        tampered.replace_range(0..1, if tampered.starts_with('a') { "b" } else { "a" });
        assert!(accounts::session(&mut c, &tampered, NOW).unwrap().is_none());
        assert!(
            accounts::session(&mut c, "'; DROP TABLE accounts; --", NOW)
                .unwrap()
                .is_none()
        );
        accounts::logout(&mut c, &s.token).unwrap();
        assert!(accounts::session(&mut c, &s.token, NOW).unwrap().is_none());
    }
}

/// Each failure makes the next attempt wait twice as long (1 s, 2 s, 4 s, ... up to the cap);
/// an attempt during the wait checks no password; the right password gets in as soon as the
/// wait is over and clears it. An unknown name answers exactly the same way.
#[test]
fn failed_logins_wait_longer_each_time_and_never_lock_out_the_right_password() {
    for t in testing::all() {
        let mut c = t.db.conn().unwrap();
        accounts::create(
            &mut c,
            &new("ketua", Role::Ketua, Some("33.12.01.2003")),
            "test",
            NOW,
        )
        .unwrap();
        // Answers for a known and an unknown name, step by step.
        let run = |c: &mut puskesos_storage::Conn, name: &str| {
            let mut now = NOW;
            let mut waits = Vec::new();
            for _ in 0..8 {
                assert!(matches!(
                    accounts::login(c, name, "salah-sekali", now),
                    Err(LoginError::Invalid)
                ));
                // Too soon: refused without a check, even with the right password.
                let until = match accounts::login(c, name, "kopi-tubruk-jam-tujuh", now + 1) {
                    Err(LoginError::Wait(until)) => until,
                    other => panic!("{name}: {other:?}"),
                };
                waits.push(until - now);
                now = until;
            }
            (waits, now)
        };
        let (known, now) = run(&mut c, "ketua");
        assert_eq!(
            known,
            [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000],
            "{}",
            t.label
        );
        assert!(
            accounts::login(&mut c, "ketua", "kopi-tubruk-jam-tujuh", now).is_ok(),
            "{}: the right password after the wait",
            t.label
        );
        // The wait starts again from one second.
        assert!(accounts::login(&mut c, "ketua", "salah", now + 10).is_err());
        assert!(matches!(
            accounts::login(&mut c, "ketua", "salah", now + 20),
            Err(LoginError::Wait(u)) if u == now + 10 + 1000
        ));
        let (unknown, _) = run(&mut c, "tidak-ada");
        assert_eq!(unknown, known, "{}: unknown names wait alike", t.label);
        // A quarter of an hour without a failure forgets the wait.
        let later = now + accounts::DELAY_FORGOTTEN_MS + 60_000;
        assert!(matches!(
            accounts::login(&mut c, "tidak-ada", "x", later),
            Err(LoginError::Invalid)
        ));
        assert!(matches!(
            accounts::login(&mut c, "tidak-ada", "x", later + 1),
            Err(LoginError::Wait(u)) if u == later + 1000
        ));
    }
}

/// A wrong password for a known name and any password for an unknown name cost about the
/// same time (both check an Argon2 hash), so timing does not tell which names exist.
#[test]
fn known_and_unknown_names_take_similar_time() {
    let t = testing::sqlite();
    let mut c = t.db.conn().unwrap();
    accounts::create(
        &mut c,
        &new("ketua", Role::Ketua, Some("33.12.01.2003")),
        "t",
        NOW,
    )
    .unwrap();
    let mut time = |name: &str| {
        let mut runs: Vec<u128> = (0..5)
            .map(|i| {
                // Each attempt after its wait, so every one checks a hash.
                let at = NOW + i * 3_600_000;
                let start = std::time::Instant::now();
                assert!(matches!(
                    accounts::login(&mut c, name, "salah", at),
                    Err(LoginError::Invalid)
                ));
                start.elapsed().as_micros()
            })
            .collect();
        runs.sort();
        runs[2]
    };
    let (known, unknown) = (time("ketua"), time("tidak-ada"));
    assert!(
        unknown * 3 > known && known * 3 > unknown,
        "known {known} µs, unknown {unknown} µs"
    );
}

#[test]
fn region_must_fit_the_role_and_names_are_unique() {
    for t in testing::all() {
        let mut c = t.db.conn().unwrap();
        let err = |r: Result<_, AccountError>| match r {
            Err(AccountError::Invalid(m)) => m.key,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            err(accounts::create(
                &mut c,
                &new("dinsos", Role::DinasSosial, Some("33.12.01.2003")),
                "t",
                NOW
            )),
            "account-region"
        );
        assert_eq!(
            err(accounts::create(
                &mut c,
                &new("front", Role::PenerimaInformasi, None),
                "t",
                NOW
            )),
            "account-region-missing"
        );
        assert_eq!(
            err(accounts::create(
                &mut c,
                &new("x", Role::Admin, None),
                "t",
                NOW
            )),
            "account-username-format"
        );
        let mut short = new("admin", Role::Admin, None);
        short.password = "pendek";
        assert_eq!(
            err(accounts::create(&mut c, &short, "t", NOW)),
            "account-password-length"
        );
        accounts::create(
            &mut c,
            &new("dinsos", Role::DinasSosial, Some("33.12")),
            "t",
            NOW,
        )
        .unwrap();
        assert_eq!(
            err(accounts::create(
                &mut c,
                &new("DINSOS", Role::DinasSosial, Some("33.12")),
                "t",
                NOW
            )),
            "account-username-taken"
        );
    }
}

#[test]
fn disabling_and_password_change_end_sessions() {
    for t in testing::all() {
        let mut c = t.db.conn().unwrap();
        let a = accounts::create(
            &mut c,
            &new("front", Role::PenerimaInformasi, Some("33.12.01.2003")),
            "t",
            NOW,
        )
        .unwrap();
        let s = accounts::login(&mut c, "front", "kopi-tubruk-jam-tujuh", NOW).unwrap();
        accounts::change_password(&mut c, &a.id, "kopi-tubruk-jam-tujuh", "teh-manis-di-teras")
            .unwrap();
        assert!(accounts::session(&mut c, &s.token, NOW).unwrap().is_none());
        let s = accounts::login(&mut c, "front", "teh-manis-di-teras", NOW).unwrap();
        accounts::set_disabled(&mut c, &a.id, true).unwrap();
        assert!(accounts::session(&mut c, &s.token, NOW).unwrap().is_none());
        assert!(matches!(
            accounts::login(&mut c, "front", "teh-manis-di-teras", NOW),
            Err(LoginError::Disabled)
        ));
    }
}

/// Thirty-two wrong passwords sent at once: one is checked, the others are told to wait (each
/// request takes its attempt in one statement before the slow check), and the right password
/// gets in once the second has passed, on both engines.
#[test]
fn parallel_guesses_check_one_password_and_never_lock_the_account() {
    for t in testing::all() {
        let mut conn = t.db.conn().unwrap();
        accounts::create(
            &mut conn,
            &new("sasaran", Role::Ketua, Some("33.12.01.2003")),
            "t",
            1,
        )
        .unwrap();
        drop(conn);
        let now = 1_790_000_000_000;
        let results: Vec<LoginError> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..32)
                .map(|i| {
                    let db = t.db.clone();
                    s.spawn(move || {
                        let mut conn = db.conn().unwrap();
                        match accounts::login(&mut conn, "sasaran", &format!("tebakan-{i}"), now) {
                            Ok(_) => panic!("a wrong password logged in"),
                            Err(e) => e,
                        }
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let invalid = results
            .iter()
            .filter(|e| matches!(e, LoginError::Invalid))
            .count();
        let waits = results
            .iter()
            .filter(|e| matches!(e, LoginError::Wait(_)))
            .count();
        assert_eq!((invalid, waits), (1, 31), "{}", t.label);
        let mut conn = t.db.conn().unwrap();
        assert!(
            accounts::login(&mut conn, "sasaran", "kopi-tubruk-jam-tujuh", now + 1000).is_ok(),
            "{}",
            t.label
        );
    }
}

/// A manager's temporary password passes the policy, ends the sessions, and marks the account
/// until its owner chooses a new one (which must differ from it).
#[test]
fn a_temporary_password_must_be_changed() {
    for t in testing::all() {
        let mut c = t.db.conn().unwrap();
        let a = accounts::create(
            &mut c,
            &new("front", Role::PenerimaInformasi, Some("33.12.01.2003")),
            "t",
            NOW,
        )
        .unwrap();
        let s = accounts::login(&mut c, "front", "kopi-tubruk-jam-tujuh", NOW).unwrap();
        assert!(matches!(
            accounts::reset_password(&mut c, &a, "12345678", true),
            Err(AccountError::Invalid(m)) if m.key == "account-password-weak"
        ));
        accounts::reset_password(&mut c, &a, "sementara-bulan-juni", true).unwrap();
        assert!(accounts::session(&mut c, &s.token, NOW).unwrap().is_none());
        let s = accounts::login(&mut c, "front", "sementara-bulan-juni", NOW).unwrap();
        assert!(s.account.must_change_password, "{}", t.label);
        assert!(matches!(
            accounts::change_password(&mut c, &a.id, "sementara-bulan-juni", "sementara-bulan-juni"),
            Err(AccountError::Invalid(m)) if m.key == "account-password-same"
        ));
        accounts::change_password(&mut c, &a.id, "sementara-bulan-juni", "teh-manis-di-teras")
            .unwrap();
        let s = accounts::login(&mut c, "front", "teh-manis-di-teras", NOW).unwrap();
        assert!(!s.account.must_change_password, "{}", t.label);
    }
}
