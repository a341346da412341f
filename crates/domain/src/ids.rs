//! Typed identity: the ids of records as types that are parsed once, at the edge (a URL, a
//! form, a file), so that a function taking a `CaseId` cannot be handed a family's id, and a
//! malformed id is refused before any database is asked. Record ids are app-made UUIDs
//! (UUIDv7, see the storage layer); the village is a region code of the village level.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::wilayah::{KodeWilayah, Level};

/// True for the canonical text of a UUID: 8-4-4-4-12 hexadecimal digits.
fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

macro_rules! record_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// The id in `s`, or `None` when it is not a record id.
            pub fn parse(s: &str) -> Option<$name> {
                is_uuid(s).then(|| $name(s.to_ascii_lowercase()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = InvalidId;
            fn from_str(s: &str) -> Result<$name, InvalidId> {
                $name::parse(s).ok_or(InvalidId(stringify!($name)))
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| serde::de::Error::custom(InvalidId(stringify!($name))))
            }
        }
    };
}

record_id!(
    /// A family (one KK) in the registry.
    FamilyId
);
record_id!(
    /// A member of a family.
    PersonId
);
record_id!(
    /// An SLRT case.
    CaseId
);
record_id!(
    /// A complaint (its ticket is a different, public number).
    ComplaintId
);
record_id!(
    /// A referral of a case to a provider.
    ReferralId
);

/// A text that is not the id it was meant to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {0}")]
pub struct InvalidId(pub &'static str);

/// The code of a village (desa/kelurahan, `33.12.01.2003`): a region code of that level.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VillageCode(KodeWilayah);

impl VillageCode {
    pub fn parse(s: &str) -> Option<VillageCode> {
        VillageCode::from_region(KodeWilayah::parse(s)?)
    }

    /// The region when it is a village.
    pub fn from_region(code: KodeWilayah) -> Option<VillageCode> {
        (code.level() == Level::DesaKelurahan).then_some(VillageCode(code))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn region(&self) -> &KodeWilayah {
        &self.0
    }
}

impl fmt::Display for VillageCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for VillageCode {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Serialize for VillageCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for VillageCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<VillageCode, D::Error> {
        let s = String::deserialize(d)?;
        VillageCode::parse(&s).ok_or_else(|| serde::de::Error::custom(InvalidId("VillageCode")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_once_and_refuse_what_is_not_an_id() {
        let id = FamilyId::parse("0192F3A4-5B6C-7D8E-9F01-23456789ABCD").unwrap();
        assert_eq!(id.as_str(), "0192f3a4-5b6c-7d8e-9f01-23456789abcd");
        for bad in [
            "",
            "1",
            "../../etc/passwd",
            "0192f3a4-5b6c-7d8e-9f01-23456789abcx",
            "0192f3a4x5b6c-7d8e-9f01-23456789abcd",
        ] {
            assert!(CaseId::parse(bad).is_none(), "{bad}");
        }
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<FamilyId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<PersonId>("\"x\"").is_err());
    }

    #[test]
    fn a_village_code_is_a_region_of_the_village_level() {
        assert!(VillageCode::parse("33.12.01.2003").is_some());
        assert!(VillageCode::parse("33.12").is_none());
        assert!(VillageCode::parse("33.12.01.20x3").is_none());
    }
}
