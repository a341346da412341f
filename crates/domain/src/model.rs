//! The registry's records: a family (keluarga, one Kartu Keluarga) and its members.
//!
//! Facts are described once, in [`FAMILY_FIELDS`] and [`PERSON_FIELDS`]: the same table names the
//! database column, the import/export column, the type, the allowed codes and the labels. Storage,
//! import, export, history and forms all walk these tables, so a new fact is one new line here
//! (plus a migration).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The kind of value a field holds, with its allowed codes where it is a coded answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Text {
        max_len: usize,
    },
    /// Whole number within bounds (rupiah, counts, VA, decile).
    Int {
        min: i64,
        max: i64,
    },
    /// Decimal number within bounds (square metres).
    Num {
        min: f64,
        max: f64,
    },
    Date,
    /// Yes/no, written `ya`/`tidak` (also 1/0, y/n, yes/no, true/false).
    Bool,
    /// One of a closed list of codes.
    Code(&'static [&'static str]),
}

/// Which record a field belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Family,
    Person,
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Database column, import/export column, and catalogue key suffix (`field-<key>`).
    pub key: &'static str,
    pub kind: Kind,
    pub required: bool,
    /// Other header spellings accepted on import (DTKS/DTSEN exports vary).
    pub aliases: &'static [&'static str],
}

const fn f(key: &'static str, kind: Kind) -> Field {
    Field {
        key,
        kind,
        required: false,
        aliases: &[],
    }
}
const fn req(key: &'static str, kind: Kind, aliases: &'static [&'static str]) -> Field {
    Field {
        key,
        kind,
        required: true,
        aliases,
    }
}
const fn alias(key: &'static str, kind: Kind, aliases: &'static [&'static str]) -> Field {
    Field {
        key,
        kind,
        required: false,
        aliases,
    }
}

const TEXT: Kind = Kind::Text { max_len: 200 };
const YES_NO: Kind = Kind::Bool;
const DATE: Kind = Kind::Date;

pub const LANTAI: &[&str] = &[
    "tanah",
    "bambu",
    "kayu_murah",
    "semen_plester",
    "kayu_kualitas_baik",
    "ubin_tegel",
    "keramik",
    "marmer_granit",
];
pub const DINDING: &[&str] = &[
    "bambu_rumbia",
    "kayu_murah",
    "tembok_tanpa_plester",
    "anyaman_bambu",
    "kayu_kualitas_baik",
    "tembok",
];
pub const ATAP: &[&str] = &["ijuk_rumbia", "bambu", "seng", "asbes", "genteng", "beton"];
pub const KONDISI_RUMAH: &[&str] = &["layak", "rusak_ringan", "rusak_sedang", "rusak_berat"];
pub const STATUS_RUMAH: &[&str] = &[
    "milik_sendiri",
    "kontrak_sewa",
    "bebas_sewa",
    "dinas",
    "tidak_punya",
];
pub const FASILITAS_BAB: &[&str] = &["sendiri", "bersama", "umum", "tidak_ada"];
pub const PENERANGAN: &[&str] = &["listrik_pln", "listrik_non_pln", "bukan_listrik"];
pub const AIR_MINUM: &[&str] = &[
    "kemasan",
    "ledeng",
    "sumur_bor",
    "sumur_terlindung",
    "sumur_tidak_terlindung",
    "mata_air_terlindung",
    "mata_air_tidak_terlindung",
    "sungai",
    "hujan",
];
pub const BAHAN_BAKAR: &[&str] = &[
    "listrik",
    "gas",
    "minyak_tanah",
    "arang",
    "kayu_bakar",
    "tidak_memasak",
];
pub const HUBUNGAN: &[&str] = &[
    "kepala_keluarga",
    "istri_suami",
    "anak",
    "menantu",
    "cucu",
    "orang_tua",
    "mertua",
    "famili_lain",
    "lainnya",
];
pub const STATUS_KAWIN: &[&str] = &["belum_kawin", "kawin", "cerai_hidup", "cerai_mati"];
pub const PENDIDIKAN: &[&str] = &[
    "tidak_sekolah",
    "tidak_tamat_sd",
    "sd",
    "smp",
    "sma",
    "diploma",
    "sarjana",
    "pascasarjana",
];
pub const JENJANG_SEKOLAH: &[&str] = &["tidak_sekolah", "paud", "sd", "smp", "sma", "pt"];
pub const PEKERJAAN: &[&str] = &[
    "tidak_bekerja",
    "sekolah",
    "mengurus_rumah_tangga",
    "petani_pemilik",
    "buruh_tani",
    "buruh_perkebunan",
    "buruh_bangunan",
    "nelayan",
    "buruh_lainnya",
    "pedagang",
    "wiraswasta",
    "karyawan_swasta",
    "pns_tni_polri",
    "lainnya",
];
pub const DISABILITAS: &[&str] = &[
    "tidak_ada",
    "fisik",
    "intelektual",
    "mental",
    "sensorik",
    "ganda",
];
pub const TINGKAT_DISABILITAS: &[&str] = &["ringan", "sedang", "berat"];
pub const STATUS_PERSON: &[&str] = &["ada", "pindah", "meninggal"];

/// Family facts, in export column order.
pub const FAMILY_FIELDS: &[Field] = &[
    req(
        "no_kk",
        Kind::Text { max_len: 16 },
        &["nomor_kk", "nkk", "kk", "no_kartu_keluarga"],
    ),
    req(
        "kode_wilayah",
        Kind::Text { max_len: 13 },
        &["kode_desa", "kode_kelurahan", "kode_wilayah_desa", "kdwil"],
    ),
    alias("alamat", TEXT, &["alamat_rumah"]),
    alias("rt", Kind::Text { max_len: 3 }, &["no_rt"]),
    alias("rw", Kind::Text { max_len: 3 }, &["no_rw"]),
    alias(
        "desil",
        Kind::Int { min: 1, max: 10 },
        &["desil_nasional", "desil_dtsen"],
    ),
    f("status_rumah", Kind::Code(STATUS_RUMAH)),
    alias(
        "luas_lantai",
        Kind::Num {
            min: 0.0,
            max: 10_000.0,
        },
        &["luas_lantai_m2"],
    ),
    f("jenis_lantai", Kind::Code(LANTAI)),
    f("jenis_dinding", Kind::Code(DINDING)),
    f("jenis_atap", Kind::Code(ATAP)),
    f("kondisi_rumah", Kind::Code(KONDISI_RUMAH)),
    f("fasilitas_bab", Kind::Code(FASILITAS_BAB)),
    f("sumber_penerangan", Kind::Code(PENERANGAN)),
    alias(
        "daya_listrik",
        Kind::Int {
            min: 0,
            max: 1_000_000,
        },
        &["daya_listrik_va"],
    ),
    f("sumber_air_minum", Kind::Code(AIR_MINUM)),
    f("bahan_bakar_memasak", Kind::Code(BAHAN_BAKAR)),
    f("makan_per_hari", Kind::Int { min: 0, max: 10 }),
    f("daging_per_minggu", Kind::Int { min: 0, max: 21 }),
    f("pakaian_baru_per_tahun", Kind::Int { min: 0, max: 100 }),
    f("mampu_berobat", YES_NO),
    f("rawan_pangan", YES_NO),
    f("pangan_lebih_separuh", YES_NO),
    alias(
        "luas_lahan",
        Kind::Num {
            min: 0.0,
            max: 100_000_000.0,
        },
        &["luas_lahan_m2"],
    ),
    alias(
        "lahan_milik_sendiri",
        YES_NO,
        &["tanah_milik_sendiri", "status_lahan_milik"],
    ),
    alias(
        "penghasilan_kepala",
        Kind::Int {
            min: 0,
            max: 10_000_000_000,
        },
        &["penghasilan_kepala_keluarga", "pendapatan_kepala"],
    ),
    f("aset_500rb", YES_NO),
    f("pkh_sejak", DATE),
    alias("bpnt_sejak", DATE, &["sembako_sejak"]),
    alias("rs_rtlh_sejak", DATE, &["rutilahu_sejak"]),
];

/// Member facts, in export column order.
pub const PERSON_FIELDS: &[Field] = &[
    req(
        "nik",
        Kind::Text { max_len: 16 },
        &["no_nik", "nomor_nik", "nomor_induk_kependudukan"],
    ),
    req("nama", TEXT, &["nama_lengkap", "nama_art"]),
    req("jenis_kelamin", Kind::Code(&["L", "P"]), &["jk", "kelamin"]),
    f("tempat_lahir", TEXT),
    req("tanggal_lahir", DATE, &["tgl_lahir"]),
    req(
        "hubungan",
        Kind::Code(HUBUNGAN),
        &[
            "hubungan_keluarga",
            "hub_keluarga",
            "shdk",
            "status_hubungan",
        ],
    ),
    f("status_kawin", Kind::Code(STATUS_KAWIN)),
    alias(
        "pendidikan",
        Kind::Code(PENDIDIKAN),
        &["pendidikan_terakhir", "ijazah_tertinggi"],
    ),
    f("jenjang_sekolah", Kind::Code(JENJANG_SEKOLAH)),
    alias("kelas", Kind::Int { min: 1, max: 12 }, &["kelas_saat_ini"]),
    alias("tingkat_akhir", YES_NO, &["kelas_akhir"]),
    f("pekerjaan", Kind::Code(PEKERJAAN)),
    alias("punya_ktp", YES_NO, &["memiliki_ktp", "ktp_el"]),
    alias(
        "disabilitas",
        Kind::Code(DISABILITAS),
        &["jenis_disabilitas"],
    ),
    f("tingkat_disabilitas", Kind::Code(TINGKAT_DISABILITAS)),
    alias("penyakit_kronis", TEXT, &["penyakit_kronis_menahun"]),
    alias("hamil", YES_NO, &["sedang_hamil"]),
    alias("status", Kind::Code(STATUS_PERSON), &["status_keberadaan"]),
    f("status_tanggal", DATE),
    alias("pip_sejak", DATE, &["kip_sejak"]),
    alias("pbi_jkn_sejak", DATE, &["pbi_sejak", "kis_sejak"]),
    f("atensi_sejak", DATE),
];

/// A typed value of one field.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Int(i64),
    Num(f64),
    Text(String),
    /// A coded answer read from the database, pointing into the field's code list: the same
    /// text as `Text`, without an allocation for each of the millions a whole-registry pass
    /// reads. Equal to `Text` of the same code.
    #[serde(skip_deserializing)]
    Code(&'static str),
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Num(a), Value::Num(b)) => a == b,
            _ => matches!((self.as_text(), other.as_text()), (Some(a), Some(b)) if a == b),
        }
    }
}

impl Value {
    /// Canonical text form, used in files, forms and history.
    pub fn to_text(&self, kind: Kind) -> String {
        match (self, kind) {
            (Value::Int(i), Kind::Bool) => if *i != 0 { "ya" } else { "tidak" }.to_string(),
            (Value::Int(i), _) => i.to_string(),
            (Value::Num(n), _) => format_num(*n),
            (Value::Text(s), _) => s.clone(),
            (Value::Code(c), _) => c.to_string(),
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
    pub fn as_num(&self) -> Option<f64> {
        match self {
            Value::Num(n) => Some(*n),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            Value::Code(c) => Some(c),
            _ => None,
        }
    }
}

/// Writes a decimal the Indonesian way, without a trailing zero or float noise (`12,5`, `36`).
pub fn format_num(n: f64) -> String {
    let rounded = (n * 100.0).round() / 100.0;
    if rounded.fract() == 0.0 {
        format!("{}", rounded as i64)
    } else {
        let s = format!("{rounded:.2}");
        s.trim_end_matches('0').replace('.', ",")
    }
}

/// Values of a record, aligned with its field table (`None` = unknown).
pub type Values = Vec<Option<Value>>;

/// A family as stored: identity plus facts aligned with [`FAMILY_FIELDS`].
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    pub id: String,
    pub values: Values,
    pub source: String,
}

/// A member as stored: identity plus facts aligned with [`PERSON_FIELDS`].
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub id: String,
    pub family_id: String,
    pub values: Values,
    pub source: String,
}

/// Position of a field in its table.
pub fn field_index(fields: &[Field], key: &str) -> Option<usize> {
    fields.iter().position(|f| f.key == key)
}

/// Convenience accessors by field name.
pub trait Record {
    fn fields() -> &'static [Field];
    fn values(&self) -> &Values;

    fn get(&self, key: &str) -> Option<&Value> {
        field_index(Self::fields(), key).and_then(|i| self.values()[i].as_ref())
    }
    fn text(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_text)
    }
    fn int(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(Value::as_int)
    }
    fn date(&self, key: &str) -> Option<NaiveDate> {
        // Stored dates are ISO `YYYY-MM-DD`; `FromStr` reads exactly that without interpreting
        // a format string on every call (measurably faster over millions of birth dates).
        self.text(key).and_then(|s| s.parse::<NaiveDate>().ok())
    }
}

impl Record for Family {
    fn fields() -> &'static [Field] {
        FAMILY_FIELDS
    }
    fn values(&self) -> &Values {
        &self.values
    }
}

impl Record for Person {
    fn fields() -> &'static [Field] {
        PERSON_FIELDS
    }
    fn values(&self) -> &Values {
        &self.values
    }
}

/// The changed fields between two value rows: `(key, old, new)` in canonical text.
pub fn diff(
    fields: &[Field],
    old: &Values,
    new: &Values,
) -> Vec<(&'static str, Option<String>, Option<String>)> {
    fields
        .iter()
        .zip(old.iter().zip(new))
        .filter(|(_, (o, n))| o != n)
        .map(|(f, (o, n))| {
            (
                f.key,
                o.as_ref().map(|v| v.to_text(f.kind)),
                n.as_ref().map(|v| v.to_text(f.kind)),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, tr};

    #[test]
    fn every_field_has_labels_in_both_languages() {
        for fld in FAMILY_FIELDS.iter().chain(PERSON_FIELDS) {
            for lang in Lang::ALL {
                let key = format!("field-{}", fld.key);
                assert_ne!(tr(lang, &key, &[]), key, "label {key} missing for {lang:?}");
            }
        }
    }

    #[test]
    fn field_keys_are_unique_across_levels() {
        let mut keys: Vec<&str> = FAMILY_FIELDS
            .iter()
            .chain(PERSON_FIELDS)
            .flat_map(|f| std::iter::once(f.key).chain(f.aliases.iter().copied()))
            .collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n);
    }

    #[test]
    fn numbers_are_written_plainly() {
        assert_eq!(format_num(36.0), "36");
        assert_eq!(format_num(12.5), "12,5");
        assert_eq!(format_num(7.999_999), "8");
    }
}
