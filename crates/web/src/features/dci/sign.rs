//! Message signatures of the DCI standard's security section: Ed25519 over the digest of the
//! envelope's `header` and `message`, in the standard's `Signature: namespace="spdci", ...`
//! form. The JSON is canonicalised (keys sorted, no spaces) so that sender and receiver hash
//! the same bytes whatever order the sender wrote its keys in (docs/dci.md).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Writes `v` with object keys sorted and no whitespace.
pub fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                canonical(&map[*k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The bytes signed: the created and expiry times and the digest of header + message.
fn signing_content(header: &Value, message: &Value, created: i64, expires: i64) -> String {
    let mut body = String::new();
    canonical(header, &mut body);
    canonical(message, &mut body);
    let digest = B64.encode(Sha256::digest(body.as_bytes()));
    format!("(created): {created}\n(expires): {expires}\ndigest: SHA-256={digest}")
}

/// Signs an envelope's header and message as `key_id` (`sender|key|ed25519`).
pub fn sign(key: &SigningKey, key_id: &str, header: &Value, message: &Value, now: i64) -> String {
    let (created, expires) = (now, now + 3600);
    let sig = key.sign(signing_content(header, message, created, expires).as_bytes());
    format!(
        "Signature: namespace=\"spdci\", kidId=\"{key_id}\", algorithm=\"ed25519\", \
         created=\"{created}\", expires=\"{expires}\", headers=\"(created) (expires) digest\", \
         signature=\"{}\"",
        B64.encode(sig.to_bytes())
    )
}

/// Why a signature was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not in the standard's form, or not Ed25519.
    Malformed,
    Expired,
    /// Does not verify with the partner's key.
    Wrong,
}

fn param<'a>(sig: &'a str, name: &str) -> Option<&'a str> {
    let start = sig.find(&format!("{name}=\""))? + name.len() + 2;
    let len = sig[start..].find('"')?;
    Some(&sig[start..start + len])
}

/// Checks a signature against the partner's public key (base64 of its 32 bytes).
pub fn verify(
    public_key: &str,
    signature: &str,
    header: &Value,
    message: &Value,
    now: i64,
) -> Result<(), Refused> {
    let key: [u8; 32] = B64
        .decode(public_key.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(Refused::Wrong)?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| Refused::Wrong)?;
    if !signature.trim_start().starts_with("Signature:")
        || param(signature, "algorithm") != Some("ed25519")
    {
        return Err(Refused::Malformed);
    }
    let number = |n| {
        param(signature, n)
            .and_then(|v| v.parse::<i64>().ok())
            .ok_or(Refused::Malformed)
    };
    let (created, expires) = (number("created")?, number("expires")?);
    // A minute's grace for clocks apart.
    if expires < now - 60 || created > now + 60 {
        return Err(Refused::Expired);
    }
    let sig: [u8; 64] = param(signature, "signature")
        .and_then(|s| B64.decode(s).ok())
        .and_then(|b| b.try_into().ok())
        .ok_or(Refused::Malformed)?;
    key.verify(
        signing_content(header, message, created, expires).as_bytes(),
        &Signature::from_bytes(&sig),
    )
    .map_err(|_| Refused::Wrong)
}

/// A new signing key (the server's, kept in the database) as base64 of its secret.
pub fn new_secret() -> String {
    B64.encode(rand::random::<[u8; 32]>())
}

pub fn key_of(secret: &str) -> Option<SigningKey> {
    let bytes: [u8; 32] = B64.decode(secret).ok()?.try_into().ok()?;
    Some(SigningKey::from_bytes(&bytes))
}

pub fn public_of(key: &SigningKey) -> String {
    B64.encode(key.verifying_key().to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_signature_verifies_whatever_the_key_order_and_fails_when_anything_changes() {
        let key = key_of(&new_secret()).unwrap();
        let public = public_of(&key);
        let header = json!({"message_id": "1", "action": "search"});
        let message = json!({"a": 1, "b": [1, 2]});
        let now = 1_700_000_000;
        let s = sign(&key, "x|k|ed25519", &header, &message, now);
        let reordered = json!({"b": [1, 2], "a": 1});
        assert_eq!(verify(&public, &s, &header, &reordered, now), Ok(()));
        let changed = json!({"a": 2, "b": [1, 2]});
        assert_eq!(
            verify(&public, &s, &header, &changed, now),
            Err(Refused::Wrong)
        );
        assert_eq!(
            verify(&public, &s, &header, &message, now + 7200),
            Err(Refused::Expired)
        );
        assert_eq!(
            verify(&public, "invalid-signature", &header, &message, now),
            Err(Refused::Malformed)
        );
        let other = public_of(&key_of(&new_secret()).unwrap());
        assert_eq!(
            verify(&other, &s, &header, &message, now),
            Err(Refused::Wrong)
        );
    }
}
