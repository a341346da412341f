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
        password: "rahasia-desa-1",
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
        let s = accounts::login(&mut c, "SITI.DATA ", "rahasia-desa-1", NOW).unwrap();
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

#[test]
fn five_wrong_passwords_lock_the_account() {
    for t in testing::all() {
        let mut c = t.db.conn().unwrap();
        accounts::create(
            &mut c,
            &new("ketua", Role::Ketua, Some("33.12.01.2003")),
            "test",
            NOW,
        )
        .unwrap();
        for i in 1..accounts::MAX_FAILED_LOGINS {
            assert!(matches!(
                accounts::login(&mut c, "ketua", "salah", NOW + i),
                Err(LoginError::Invalid)
            ));
        }
        assert!(
            matches!(
                accounts::login(&mut c, "ketua", "salah", NOW + 10),
                Err(LoginError::Locked(_))
            ),
            "{}",
            t.label
        );
        // Even the right password is refused while locked, and accepted after.
        assert!(matches!(
            accounts::login(&mut c, "ketua", "rahasia-desa-1", NOW + 20),
            Err(LoginError::Locked(_))
        ));
        assert!(
            accounts::login(
                &mut c,
                "ketua",
                "rahasia-desa-1",
                NOW + 20 + accounts::LOCK_MS
            )
            .is_ok()
        );
        // An unknown name is refused the same way as a wrong password.
        assert!(matches!(
            accounts::login(&mut c, "tidak-ada", "x", NOW),
            Err(LoginError::Invalid)
        ));
    }
}

#[test]
fn region_must_fit_the_role_and_names_are_unique() {
    let t = testing::sqlite();
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

#[test]
fn disabling_and_password_change_end_sessions() {
    let t = testing::sqlite();
    let mut c = t.db.conn().unwrap();
    let a = accounts::create(
        &mut c,
        &new("front", Role::PenerimaInformasi, Some("33.12.01.2003")),
        "t",
        NOW,
    )
    .unwrap();
    let s = accounts::login(&mut c, "front", "rahasia-desa-1", NOW).unwrap();
    accounts::change_password(&mut c, &a.id, "rahasia-desa-1", "rahasia-baru-2").unwrap();
    assert!(accounts::session(&mut c, &s.token, NOW).unwrap().is_none());
    let s = accounts::login(&mut c, "front", "rahasia-baru-2", NOW).unwrap();
    accounts::set_disabled(&mut c, &a.id, true).unwrap();
    assert!(accounts::session(&mut c, &s.token, NOW).unwrap().is_none());
    assert!(matches!(
        accounts::login(&mut c, "front", "rahasia-baru-2", NOW),
        Err(LoginError::Disabled)
    ));
}

/// Thirty-two wrong passwords sent at once: no more than five are checked before the lock (each
/// request takes its attempt in one statement before the slow check), and the right password
/// is then locked out too, on both engines.
#[test]
fn parallel_guesses_check_no_more_passwords_than_the_limit() {
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
        let locked = results
            .iter()
            .filter(|e| matches!(e, LoginError::Locked(_)))
            .count();
        assert!(
            invalid < accounts::MAX_FAILED_LOGINS as usize,
            "{}: {invalid} passwords checked and refused before the lock",
            t.label
        );
        assert_eq!(invalid + locked, 32, "{}", t.label);
        let mut conn = t.db.conn().unwrap();
        assert!(matches!(
            accounts::login(&mut conn, "sasaran", "rahasia-desa-1", now + 1000),
            Err(LoginError::Locked(_))
        ));
    }
}
