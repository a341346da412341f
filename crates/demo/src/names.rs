//! Plausible Javanese / Muslim personal names, by sex and birth cohort.
//!
//! Javanese families have no surname. Older people mostly carry one traditional name (Wagiman,
//! Painem); people born from the 1970s two names (Agus Santoso, Sri Wahyuni); children born from
//! the late 1990s often two or three modern names (Muhammad Rizky Pratama). Family naming shows
//! in siblings sharing an ending (Saputra / Saputri) and in birth-order first names (Eko, Dwi,
//! Tri, Catur).

use puskesos_domain::identity::Sex;

use crate::rng::Rng;

const MALE_OLD: &[&str] = &[
    "Wagiman", "Sukardi", "Paimin", "Sarno", "Tukiman", "Kartono", "Sastro", "Parman", "Suparno",
    "Sumarno", "Sutrisno", "Mulyono", "Slamet", "Suyanto", "Sugiyo", "Ngadiman", "Giyanto",
    "Marjono", "Darmo", "Kasiman", "Sukiman", "Wiryo", "Painu", "Sadiman", "Karjo", "Tumijo",
    "Sumadi", "Paijo", "Saimin", "Wardi", "Suwarno", "Mujiono", "Harjo", "Atmo", "Samiran",
];
const MALE_MID_FIRST: &[&str] = &[
    "Agus", "Budi", "Joko", "Bambang", "Heru", "Wahyu", "Teguh", "Sugeng", "Hadi", "Edi", "Rudi",
    "Anton", "Ahmad", "Muhammad", "Arif", "Nur", "Imam", "Bayu", "Dedi", "Hendro", "Sigit", "Yudi",
    "Tono", "Warsito", "Puji", "Didik", "Andri", "Supri", "Suryo", "Gunawan",
];
const MALE_MID_SECOND: &[&str] = &[
    "Santoso",
    "Susilo",
    "Prasetyo",
    "Sutrisno",
    "Wibowo",
    "Nugroho",
    "Setiawan",
    "Purnomo",
    "Hidayat",
    "Saputro",
    "Riyanto",
    "Suryanto",
    "Kurniawan",
    "Widodo",
    "Utomo",
    "Prabowo",
    "Haryanto",
    "Wijaya",
    "Subagyo",
    "Suparno",
    "Raharjo",
    "Hartono",
    "Sulistyo",
    "Mulyadi",
];
const MALE_SINGLE_MID: &[&str] = &[
    "Sugiyanto",
    "Suyatno",
    "Sunarto",
    "Supriyadi",
    "Wahyudi",
    "Sumarsono",
    "Triyono",
    "Haryono",
    "Suwanto",
    "Sukirno",
    "Darsono",
    "Waluyo",
    "Mardiyanto",
    "Purwanto",
    "Sunardi",
];
const MALE_YOUNG_FIRST: &[&str] = &[
    "Rizky", "Dimas", "Fajar", "Bayu", "Aditya", "Rafi", "Farel", "Dafa", "Alif", "Zaki", "Fahri",
    "Raka", "Ilham", "Yoga", "Galih", "Naufal", "Arkan", "Azka", "Rendi", "Danang", "Andika",
    "Ardi", "Gilang", "Bima", "Reza", "Hafiz", "Satria", "Kevin", "Irfan", "Yusuf",
];
const MALE_YOUNG_SECOND: &[&str] = &[
    "Pratama",
    "Saputra",
    "Ramadhan",
    "Nugroho",
    "Setiawan",
    "Firmansyah",
    "Hidayat",
    "Maulana",
    "Wijaya",
    "Prasetya",
    "Kurniawan",
    "Putra",
    "Aditya",
    "Akbar",
    "Alfarizi",
    "Al Fatih",
    "Syahputra",
    "Permana",
    "Ardiansyah",
    "Wicaksono",
];

const FEMALE_OLD: &[&str] = &[
    "Painem", "Tukinem", "Sainem", "Wagini", "Suparti", "Sumarni", "Sumiyati", "Sarinah", "Tumini",
    "Ngatini", "Jumiyem", "Kasiyem", "Mujiyem", "Sukinah", "Poniyem", "Warsini", "Marsinah",
    "Siti", "Sulastri", "Partini", "Wartini", "Tarmi", "Sukarni", "Paini", "Rukiyah", "Samini",
    "Karsini", "Tuminah", "Suratmi", "Giyem",
];
const FEMALE_MID_FIRST: &[&str] = &[
    "Sri", "Siti", "Endang", "Yuni", "Nur", "Eni", "Rina", "Lilis", "Tutik", "Suci", "Ani", "Dewi",
    "Retno", "Puji", "Umi", "Ika", "Yuli", "Wiwik", "Nining", "Erna", "Fitri", "Lina",
];
const FEMALE_MID_SECOND: &[&str] = &[
    "Wahyuni",
    "Lestari",
    "Rahayu",
    "Suryani",
    "Handayani",
    "Purwanti",
    "Mulyani",
    "Astuti",
    "Rahmawati",
    "Susanti",
    "Hartati",
    "Kusumawati",
    "Setyowati",
    "Sulistyowati",
    "Utami",
    "Aminah",
    "Fatimah",
    "Muryani",
    "Indrawati",
    "Wulandari",
];
const FEMALE_SINGLE_MID: &[&str] = &[
    "Sumarsih",
    "Suwarni",
    "Sulistyani",
    "Mulyati",
    "Sutarmi",
    "Haryanti",
    "Suprihatin",
    "Tri Wahyuni",
    "Sugiyarti",
    "Kasmini",
    "Purwaningsih",
    "Sriyani",
    "Supriyati",
];
const FEMALE_YOUNG_FIRST: &[&str] = &[
    "Aulia",
    "Anisa",
    "Nabila",
    "Putri",
    "Salsabila",
    "Zahra",
    "Aisyah",
    "Khansa",
    "Alya",
    "Dinda",
    "Fitri",
    "Nadia",
    "Amelia",
    "Naila",
    "Keysha",
    "Zaskia",
    "Safira",
    "Intan",
    "Ayu",
    "Dewi",
    "Rahma",
    "Syifa",
    "Anggun",
    "Citra",
    "Nisa",
    "Laras",
    "Tiara",
    "Vina",
    "Rara",
    "Kirana",
];
const FEMALE_YOUNG_SECOND: &[&str] = &[
    "Putri",
    "Rahmawati",
    "Ramadhani",
    "Lestari",
    "Safitri",
    "Azzahra",
    "Wulandari",
    "Maharani",
    "Puspitasari",
    "Saputri",
    "Nuraini",
    "Kusuma",
    "Oktaviani",
    "Febriani",
    "Anggraini",
    "Hidayah",
    "Rahmadani",
    "Novitasari",
    "Cahyani",
    "Pertiwi",
];
const ISLAMIC_PREFIX_M: &[&str] = &["Muhammad", "Ahmad", "Moh."];
const ISLAMIC_PREFIX_F: &[&str] = &["Siti", "Nur", "Fatimah"];

/// Name endings siblings share (male, female).
const FAMILY_ENDINGS: &[(&str, &str)] = &[
    ("Saputra", "Saputri"),
    ("Pratama", "Pratiwi"),
    ("Setiawan", "Setiawati"),
    ("Kurniawan", "Kurniawati"),
    ("Prasetyo", "Prasetyowati"),
    ("Hidayat", "Hidayati"),
    ("Nugroho", "Nugraheni"),
    ("Wibowo", "Wibowati"),
    ("Santoso", "Santosa"),
    ("Firmansyah", "Firmaningsih"),
    ("Purnomo", "Purnamasari"),
    ("Susanto", "Susanti"),
];
const BIRTH_ORDER: &[&str] = &["Eko", "Dwi", "Tri", "Catur"];

/// The naming habits of one family.
pub(crate) struct FamilyNaming {
    ending: (&'static str, &'static str),
    /// Children take the shared ending.
    use_ending: bool,
    /// Children take birth-order first names.
    use_order: bool,
}

impl FamilyNaming {
    pub fn new(rng: &mut Rng) -> FamilyNaming {
        FamilyNaming {
            ending: rng.pick(FAMILY_ENDINGS),
            use_ending: rng.chance(0.4),
            use_order: rng.chance(0.15),
        }
    }
}

/// A name for a person of `sex` born in `year`. `child_order` is the birth order (0 = first)
/// of a child of the head, `None` for other members.
pub(crate) fn name(
    rng: &mut Rng,
    sex: Sex,
    year: i32,
    family: &FamilyNaming,
    child_order: Option<usize>,
) -> String {
    let female = sex == Sex::P;
    if year < 1968 {
        return if female {
            rng.pick(FEMALE_OLD).to_string()
        } else {
            rng.pick(MALE_OLD).to_string()
        };
    }
    let ending = |rng: &mut Rng, own: &[&'static str]| -> &'static str {
        if child_order.is_some() && family.use_ending {
            if female {
                family.ending.1
            } else {
                family.ending.0
            }
        } else {
            rng.pick(own)
        }
    };
    let first = |rng: &mut Rng, own: &[&'static str]| -> &'static str {
        match child_order {
            Some(i) if family.use_order && i < BIRTH_ORDER.len() => BIRTH_ORDER[i],
            _ => rng.pick(own),
        }
    };
    if year < 1995 {
        if child_order.is_none() && rng.chance(0.3) {
            return if female {
                rng.pick(FEMALE_SINGLE_MID).to_string()
            } else {
                rng.pick(MALE_SINGLE_MID).to_string()
            };
        }
        let (f, s) = if female {
            (FEMALE_MID_FIRST, FEMALE_MID_SECOND)
        } else {
            (MALE_MID_FIRST, MALE_MID_SECOND)
        };
        let a = first(rng, f);
        let b = ending(rng, s);
        return format!("{a} {b}");
    }
    let (f, s, islamic) = if female {
        (FEMALE_YOUNG_FIRST, FEMALE_YOUNG_SECOND, ISLAMIC_PREFIX_F)
    } else {
        (MALE_YOUNG_FIRST, MALE_YOUNG_SECOND, ISLAMIC_PREFIX_M)
    };
    let a = first(rng, f);
    let mut b = ending(rng, s);
    if a == b {
        b = if female { "Lestari" } else { "Saputra" };
        if a == b {
            b = if female { "Wulandari" } else { "Pratama" };
        }
    }
    if rng.chance(0.25) {
        let p = rng.pick(islamic);
        if p != a {
            return format!("{p} {a} {b}");
        }
    }
    format!("{a} {b}")
}
