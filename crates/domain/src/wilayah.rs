//! Kemendagri region codes (`PP`, `PP.KK`, `PP.KK.CC`, `PP.KK.CC.DDDD`) and the master list of
//! Kepmendagri 300.2.2-2138/2025, compiled into the binary (see `data/README.md`).

use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// The master list as shipped: `CODE<TAB>NAME`, one region per line, sorted by code.
const WILAYAH_TSV: &str = include_str!("../data/wilayah.tsv");

/// The administrative level of a region code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Provinsi,
    KabupatenKota,
    Kecamatan,
    DesaKelurahan,
}

impl Level {
    /// Indonesian label of the level.
    pub fn label_id(self) -> &'static str {
        match self {
            Level::Provinsi => "Provinsi",
            Level::KabupatenKota => "Kabupaten/Kota",
            Level::Kecamatan => "Kecamatan",
            Level::DesaKelurahan => "Desa/Kelurahan",
        }
    }
}

/// A syntactically valid region code in dotted Kemendagri form. It may or may not exist in the
/// master list: use [`Wilayah::get`] for that.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KodeWilayah(String);

impl KodeWilayah {
    /// Parses a dotted code (`33.01.02.2003`) or the same digits without dots (`3301022003`).
    pub fn parse(input: &str) -> Option<KodeWilayah> {
        let s = input.trim();
        let digits: String = s.chars().filter(|c| *c != '.').collect();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // When dots are given they must sit where the levels split.
        if s.contains('.') {
            let parts: Vec<&str> = s.split('.').collect();
            let want = [2usize, 2, 2, 4];
            if parts.len() > 4 || parts.iter().zip(want).any(|(p, w)| p.len() != w) {
                return None;
            }
        }
        let dotted = match digits.len() {
            2 => digits,
            4 => format!("{}.{}", &digits[..2], &digits[2..]),
            6 => format!("{}.{}.{}", &digits[..2], &digits[2..4], &digits[4..]),
            10 => format!(
                "{}.{}.{}.{}",
                &digits[..2],
                &digits[2..4],
                &digits[4..6],
                &digits[6..]
            ),
            _ => return None,
        };
        Some(KodeWilayah(dotted))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> Level {
        match self.0.len() {
            2 => Level::Provinsi,
            5 => Level::KabupatenKota,
            8 => Level::Kecamatan,
            _ => Level::DesaKelurahan,
        }
    }

    /// The code of the enclosing region, `None` for a province.
    pub fn parent(&self) -> Option<KodeWilayah> {
        match self.level() {
            Level::Provinsi => None,
            Level::KabupatenKota => Some(KodeWilayah(self.0[..2].to_string())),
            Level::Kecamatan => Some(KodeWilayah(self.0[..5].to_string())),
            Level::DesaKelurahan => Some(KodeWilayah(self.0[..8].to_string())),
        }
    }

    /// This code and all enclosing codes, from the province down.
    pub fn lineage(&self) -> Vec<KodeWilayah> {
        let mut out = vec![self.clone()];
        while let Some(p) = out.last().and_then(KodeWilayah::parent) {
            out.push(p);
        }
        out.reverse();
        out
    }

    /// The province code (first two digits).
    pub fn province(&self) -> &str {
        &self.0[..2]
    }

    /// True when `self` lies inside `other` (or is `other`).
    pub fn is_within(&self, other: &KodeWilayah) -> bool {
        self.0 == other.0 || self.0.starts_with(&format!("{}.", other.0))
    }
}

impl fmt::Display for KodeWilayah {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for KodeWilayah {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        KodeWilayah::parse(&value).ok_or_else(|| format!("invalid region code: {value}"))
    }
}

impl From<KodeWilayah> for String {
    fn from(value: KodeWilayah) -> Self {
        value.0
    }
}

/// One region of the master list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub code: &'static str,
    pub name: &'static str,
}

impl Region {
    pub fn level(&self) -> Level {
        KodeWilayah(self.code.to_string()).level()
    }
}

/// Provinces split after NIKs were first issued: a code under the old province may be an
/// older layout (e.g. Papua before the 2022 split), so an unknown code there is only a warning.
const SPLIT_PROVINCES: &[(&str, &[&str])] = &[
    ("64", &["65"]),             // Kalimantan Timur -> Kalimantan Utara (2012)
    ("91", &["93", "94", "95"]), // Papua -> Papua Selatan, Tengah, Pegunungan (2022)
    ("92", &["96"]),             // Papua Barat -> Papua Barat Daya (2022)
];

/// The region master list, indexed for lookup by code and search by name.
pub struct Wilayah {
    regions: Vec<Region>,
    lowercase_names: Vec<String>,
}

static MASTER: LazyLock<Wilayah> = LazyLock::new(|| Wilayah::from_tsv(WILAYAH_TSV));

impl Wilayah {
    /// The Kepmendagri 300.2.2-2138/2025 list compiled into the binary.
    pub fn master() -> &'static Wilayah {
        &MASTER
    }

    fn from_tsv(tsv: &'static str) -> Wilayah {
        let mut regions: Vec<Region> = tsv
            .lines()
            .filter_map(|line| {
                let (code, name) = line.split_once('\t')?;
                Some(Region { code, name })
            })
            .collect();
        regions.sort_by(|a, b| a.code.cmp(b.code));
        let lowercase_names = regions.iter().map(|r| r.name.to_lowercase()).collect();
        Wilayah {
            regions,
            lowercase_names,
        }
    }

    pub fn len(&self) -> usize {
        self.regions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// Number of regions at each level, province first.
    pub fn count_by_level(&self) -> [usize; 4] {
        let mut counts = [0; 4];
        for r in &self.regions {
            counts[r.level() as usize] += 1;
        }
        counts
    }

    pub fn get(&self, code: &str) -> Option<Region> {
        self.regions
            .binary_search_by(|r| r.code.cmp(code))
            .ok()
            .map(|i| self.regions[i])
    }

    pub fn contains(&self, code: &KodeWilayah) -> bool {
        self.get(code.as_str()).is_some()
    }

    /// The regions from the province down to `code`, as far as they are known.
    pub fn path(&self, code: &KodeWilayah) -> Vec<Region> {
        code.lineage()
            .iter()
            .filter_map(|c| self.get(c.as_str()))
            .collect()
    }

    /// Full name, e.g. "Sukamaju, Kecamatan X, Kabupaten Y, Jawa Barat".
    pub fn full_name(&self, code: &KodeWilayah) -> Option<String> {
        self.get(code.as_str())?;
        let names: Vec<&str> = self.path(code).iter().rev().map(|r| r.name).collect();
        Some(names.join(", "))
    }

    /// Regions whose name contains `query` (case-insensitive), at most `limit`, villages last.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Region> {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<Region> = self
            .lowercase_names
            .iter()
            .zip(&self.regions)
            .filter(|(name, _)| name.contains(&q))
            .map(|(_, r)| *r)
            .collect();
        // Exact names first ("Wonogiri" is exactly "Kabupaten Wonogiri" too), then names that
        // start with the query, then the rest; within each, higher levels first.
        let rank = |r: &Region| {
            let name = r.name.to_lowercase();
            let bare = ["kabupaten ", "kota administrasi ", "kota "]
                .iter()
                .find_map(|p| name.strip_prefix(p))
                .unwrap_or(&name)
                .to_string();
            if name == q || bare == q {
                0
            } else if name.starts_with(&q) || bare.starts_with(&q) {
                1
            } else {
                2
            }
        };
        hits.sort_by_cached_key(|r| (rank(r), r.level(), r.code));
        hits.truncate(limit);
        hits
    }

    /// Direct children of a region (all provinces for `None`).
    pub fn children(&self, parent: Option<&KodeWilayah>) -> Vec<Region> {
        match parent {
            None => self
                .regions
                .iter()
                .filter(|r| r.code.len() == 2)
                .copied()
                .collect(),
            Some(p) => {
                let prefix = format!("{}.", p.as_str());
                let start = self.regions.partition_point(|r| r.code < prefix.as_str());
                self.regions[start..]
                    .iter()
                    .take_while(|r| r.code.starts_with(&prefix))
                    .filter(|r| !r.code[prefix.len()..].contains('.'))
                    .copied()
                    .collect()
            }
        }
    }

    /// True when an unknown code under this province may come from an older region layout.
    pub fn province_was_split(&self, province: &str) -> bool {
        SPLIT_PROVINCES.iter().any(|(old, _)| *old == province)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn master_list_has_the_official_counts() {
        assert_eq!(Wilayah::master().count_by_level(), [38, 514, 7285, 83762]);
    }

    #[test]
    fn parses_dotted_and_plain_codes() {
        assert_eq!(
            KodeWilayah::parse("3301022003").unwrap().as_str(),
            "33.01.02.2003"
        );
        assert_eq!(
            KodeWilayah::parse("33.01").unwrap().level(),
            Level::KabupatenKota
        );
        assert!(KodeWilayah::parse("33.1").is_none());
        assert!(KodeWilayah::parse("330").is_none());
        assert!(KodeWilayah::parse("33.01.x2").is_none());
    }

    #[test]
    fn path_and_children() {
        let w = Wilayah::master();
        let aceh_selatan = KodeWilayah::parse("11.01").unwrap();
        let path = w.path(&aceh_selatan);
        assert_eq!(path.len(), 2);
        assert_eq!(path[0].name, "Aceh");
        let kec = w.children(Some(&aceh_selatan));
        assert!(!kec.is_empty());
        assert!(
            kec.iter()
                .all(|r| r.code.starts_with("11.01.") && r.code.len() == 8)
        );
        assert_eq!(w.children(None).len(), 38);
    }

    #[test]
    fn search_finds_by_name() {
        let hits = Wilayah::master().search("aceh selatan", 5);
        assert!(hits.iter().any(|r| r.code == "11.01"));
    }
}
