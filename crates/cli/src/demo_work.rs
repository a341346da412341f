//! The demo village's centre at work: three months of cases (some referred and closed, some
//! still open, a few overdue), complaints, service providers and activities, written through
//! the same storage functions the pages use, so that the dashboard, the monthly report and the
//! queues show something on a fresh demo. Deterministic for a seed; done once per village.

use anyhow::Result;
use puskesos_domain::access::Role;
use puskesos_domain::cases::{Sector, Step};
use puskesos_domain::complaints::{Action, Category};
use puskesos_storage::activities::{self, NewActivity};
use puskesos_storage::cases::{self, NewCase};
use puskesos_storage::complaints::{self, NewComplaint};
use puskesos_storage::{Db, referrals};

const DAY: i64 = 86_400_000;

/// A small deterministic generator (the demo needs variety, not quality).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

const NEEDS: [(Sector, &str); 6] = [
    (Sector::Kesehatan, "Anak sakit, belum punya BPJS PBI"),
    (Sector::Pendidikan, "Anak putus sekolah karena biaya"),
    (
        Sector::SosialEkonomi,
        "Keluarga belum menerima PKH padahal desil 1",
    ),
    (Sector::Pangan, "Lansia tinggal sendiri kekurangan pangan"),
    (Sector::Perumahan, "Atap rumah runtuh sebagian"),
    (Sector::Adminduk, "Anak belum punya akta kelahiran"),
];

/// Seeds the village's work unless it already has cases. Returns the number of cases made.
pub fn seed(db: &Db, village: &str, seed: u64, now: i64) -> Result<usize> {
    let mut conn = db.conn()?;
    if conn.query_i64(
        "SELECT COUNT(*) FROM cases WHERE kode_wilayah = $1",
        &[village.into()],
    )? > 0
    {
        return Ok(0);
    }
    let mut rng = Lcg(seed ^ 0x5eed);
    // The services it refers to, and the village's PSKS register: who runs its activities.
    let mut add = |entries: &[(&str, &str)]| -> Result<Vec<String>> {
        let mut ids = Vec::new();
        for (name, kind) in entries {
            if let Some(p) = puskesos_storage::directory::add_provider(
                &mut conn,
                village,
                name,
                kind,
                None,
                "demo",
                now - 100 * DAY,
            )? {
                ids.push(p.id);
            }
        }
        Ok(ids)
    };
    let providers = add(&[
        ("Puskesmas Kecamatan", "puskesmas"),
        ("SD Negeri 1", "sekolah"),
        ("Dinas Sosial Kabupaten", "dinas_sosial"),
        ("Dukcapil Kabupaten", "dukcapil"),
    ])?;
    let psks = add(&[
        ("TKSK Kecamatan (Bapak Suryadi)", "tksk"),
        ("PSM Desa (Ibu Wartini)", "psm"),
        ("Karang Taruna Tunas Harapan", "karang_taruna"),
        ("LKS Lansia Sejahtera", "lks"),
    ])?;
    // Heads of families to open cases for: every thirtieth family of the village, in KK order.
    let heads: Vec<(String, String)> = conn
        .query(
            "SELECT p.id, p.family_id FROM persons p JOIN families f ON f.id = p.family_id \
             WHERE f.kode_wilayah = $1 AND p.hubungan = 'kepala_keluarga' ORDER BY f.no_kk",
            &[village.into()],
        )?
        .into_iter()
        .step_by(30)
        .filter_map(|r| {
            let mut it = r.into_iter();
            Some((it.next()?.into_string()?, it.next()?.into_string()?))
        })
        .collect();
    let mut made = 0;
    for (i, (person, family)) in heads.iter().take(48).enumerate() {
        let (sector, need) = NEEDS[rng.below(NEEDS.len() as u64) as usize];
        let opened = now - (90 - (i as i64 * 90 / 48)) * DAY - rng.below(8) as i64 * 3_600_000;
        let case = cases::open(
            &mut conn,
            &NewCase {
                village: village.into(),
                channel: ["datang", "kunjungan_rumah", "telepon"][i % 3].into(),
                sector: Some(sector),
                summary: need.into(),
                person_id: Some(person.clone()),
                family_id: Some(family.clone()),
                consent_purpose: "penanganan dan rujukan layanan".into(),
                ..Default::default()
            },
            "demo.penerima-informasi",
            Role::PenerimaInformasi,
            opened,
        )?;
        let Ok(case) = case else { continue };
        made += 1;
        // How far it got: a third still with the front office or the section, the rest
        // referred; most referrals answered and closed, a few overdue.
        let stage = rng.below(10);
        let mut at = opened + DAY;
        let step = |conn: &mut puskesos_storage::Conn, s: Step, role: Role, note: &str, at: i64| {
            cases::take_step(conn, village, &case.id, s, role, "demo", note, at).map(|r| r.is_ok())
        };
        if stage < 2 {
            continue;
        }
        step(&mut conn, Step::Assign, Role::PenerimaInformasi, "", at)?;
        at += DAY;
        if stage < 4 {
            continue;
        }
        step(
            &mut conn,
            Step::Recommend,
            sector.section(),
            "rujuk ke layanan terkait",
            at,
        )?;
        at += DAY;
        step(&mut conn, Step::Decide, Role::KepalaDesa, "disetujui", at)?;
        at += DAY;
        let provider = &providers[rng.below(providers.len() as u64) as usize];
        let due_days = 14;
        let sent = cases::refer(
            &mut conn,
            village,
            &case.id,
            Role::ReviewAnalisis,
            "demo",
            "surat rujukan dikirim",
            provider,
            due_days,
            at,
        )?;
        let Ok((referral, token)) = sent else {
            continue;
        };
        let answered_at = at + (2 + rng.below(10) as i64) * DAY;
        if stage < 6 || answered_at > now {
            continue; // still waiting for the provider (overdue when past its due date)
        }
        referrals::answer(
            &mut conn,
            &referral.id,
            &token,
            "selesai",
            "sudah dilayani",
            answered_at,
        )?;
        step(
            &mut conn,
            Step::FollowUp,
            sector.section(),
            "layanan diterima warga",
            answered_at + DAY,
        )?;
        if answered_at + 2 * DAY <= now {
            step(
                &mut conn,
                Step::Close,
                Role::Ketua,
                "",
                answered_at + 2 * DAY,
            )?;
        }
    }
    for i in 0..14 {
        let opened = now - (85 - i * 6) * DAY;
        let category = [Category::Pengaduan, Category::Pertanyaan, Category::Saran][i as usize % 3];
        let Ok((c, _)) = complaints::open(
            &mut conn,
            &NewComplaint {
                village: village.into(),
                category: Some(category),
                program: Some("bpnt".into()),
                summary: "Bantuan sembako bulan ini belum diterima".into(),
                contact_name: None,
                contact_phone: None,
            },
            "demo.penerima-informasi",
            Role::PenerimaInformasi,
            opened,
        )?
        else {
            continue;
        };
        if i % 4 != 3 {
            let done = opened + (1 + rng.below(9) as i64) * DAY;
            if done <= now {
                let _ = complaints::act(
                    &mut conn,
                    village,
                    &c.id,
                    Action::Resolve,
                    Role::Ketua,
                    "demo",
                    "sudah dijelaskan dan ditindaklanjuti",
                    done,
                )?;
            }
        }
    }
    let participants: Vec<String> = conn
        .query(
            "SELECT nik FROM persons WHERE kode_wilayah = $1 ORDER BY nik LIMIT 40",
            &[village.into()],
        )?
        .into_iter()
        .filter_map(|r| r.into_iter().next().and_then(|v| v.into_string()))
        .collect();
    for (i, (kind, title)) in [
        ("sosialisasi", "Sosialisasi PKH dan Sembako"),
        (
            "bimbingan_sosial",
            "Bimbingan sosial keluarga penerima manfaat",
        ),
        ("gizi_balita", "Pemantauan gizi balita"),
        ("perawatan_lansia", "Kunjungan rumah lansia tinggal sendiri"),
        ("advokasi", "Pendampingan pengurusan akta kelahiran"),
        ("sosialisasi", "Sosialisasi cek status pengaduan"),
    ]
    .into_iter()
    .enumerate()
    {
        let held = chrono::DateTime::from_timestamp_millis(now - (80 - i as i64 * 15) * DAY)
            .map(|t| t.date_naive());
        let from = (i * 6) % participants.len().max(1);
        activities::record(
            &mut conn,
            &NewActivity {
                village: village.into(),
                kind: kind.into(),
                title: title.into(),
                held_on: held,
                place: "Balai desa".into(),
                outcome: Some("terlaksana".into()),
                planned: false,
                provider_id: psks.get(i % psks.len().max(1)).cloned(),
                participants: participants.iter().skip(from).take(8).cloned().collect(),
            },
            "demo",
            now,
        )?
        .ok();
    }
    Ok(made)
}
