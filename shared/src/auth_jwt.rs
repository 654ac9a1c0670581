//! Verifying an ID token as API Gateway's JWT authorizer does — signature against the issuer's
//! JWKS (RSA only), `iss`, `aud`, `exp`, `nbf`, a subject — for the places that stand where that
//! authorizer cannot: the live channel's `$connect` authorizer (a WebSocket API has no JWT
//! authorizer) and the local runtime's OpenID Connect sign-in. It also renders claims the way API
//! Gateway v2 forwards them to a function (every value a string, arrays as `[a b]`).

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::{Map, Value};
use tokio::sync::RwLock;

/// The signature algorithms API Gateway's JWT authorizer accepts.
const ALGORITHMS: [Algorithm; 3] = [Algorithm::RS256, Algorithm::RS384, Algorithm::RS512];
/// The JWKS is read again for an unknown key id at most this often (key rotation).
const JWKS_REFRESH_EVERY: Duration = Duration::from_secs(10);
const HTTP_TIMEOUT: Duration = Duration::from_secs(5);

struct Keys {
    set: Option<JwkSet>,
    read_at: Option<Instant>,
}

/// Tokens of one issuer for one client, with the issuer's keys (read when first needed and
/// again when a token names a key not seen yet).
pub struct JwtVerifier {
    issuer: String,
    audience: String,
    jwks_uri: String,
    http: reqwest::Client,
    keys: RwLock<Keys>,
}

impl JwtVerifier {
    /// A verifier of tokens from `issuer` for `audience` (the app client id), whose keys are at
    /// `jwks_uri`; `keys` when they were already read.
    pub fn new(issuer: &str, audience: &str, jwks_uri: &str, keys: Option<JwkSet>) -> Result<Self, reqwest::Error> {
        let http = crate::tls::http_client().timeout(HTTP_TIMEOUT).build()?;
        let read_at = keys.as_ref().map(|_| Instant::now());
        Ok(Self {
            issuer: issuer.trim_end_matches('/').to_owned(),
            audience: audience.to_owned(),
            jwks_uri: jwks_uri.to_owned(),
            http,
            keys: RwLock::new(Keys { set: keys, read_at }),
        })
    }

    /// A verifier of a Cognito user pool's ID tokens for one app client.
    pub fn cognito(region: &str, pool_id: &str, client_id: &str) -> Result<Self, reqwest::Error> {
        let issuer = format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}");
        let jwks = format!("{issuer}/.well-known/jwks.json");
        Self::new(&issuer, client_id, &jwks, None)
    }

    /// The issuer tokens must name.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The key a token was signed with: from the JWKS read last, or from the JWKS read again
    /// when the key id is new (the issuer rotated its keys).
    async fn key(&self, kid: Option<&str>) -> Result<Jwk, String> {
        let find = |set: &Option<JwkSet>| {
            let set = set.as_ref()?;
            match kid {
                Some(kid) => set.find(kid).cloned(),
                None if set.keys.len() == 1 => set.keys.first().cloned(),
                None => None,
            }
        };
        let fresh = |k: &Keys| k.read_at.is_some_and(|t| t.elapsed() < JWKS_REFRESH_EVERY);
        {
            let keys = self.keys.read().await;
            if let Some(k) = find(&keys.set) {
                return Ok(k);
            }
            if fresh(&keys) {
                return Err(unknown_key());
            }
        }
        let mut keys = self.keys.write().await;
        if !fresh(&keys) {
            keys.read_at = Some(Instant::now());
            match read_jwks(&self.http, &self.jwks_uri).await {
                Ok(set) => keys.set = Some(set),
                Err(e) => tracing::warn!(error = %e, "could not read the issuer's JWKS"),
            }
        }
        find(&keys.set).ok_or_else(unknown_key)
    }

    /// Verifies a token and returns its claims, or the message a 401 carries.
    pub async fn verify(&self, token: &str) -> Result<Map<String, Value>, String> {
        let header = decode_header(token).map_err(|_| "the token is not a JWT; sign in again".to_owned())?;
        if !ALGORITHMS.contains(&header.alg) {
            return Err(format!(
                "tokens signed with {:?} are not accepted; sign in again",
                header.alg
            ));
        }
        let jwk = self.key(header.kid.as_deref()).await?;
        let key = DecodingKey::from_jwk(&jwk).map_err(|_| unknown_key())?;
        let mut validation = Validation::new(header.alg);
        validation.leeway = 0;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        decode::<Map<String, Value>>(token, &key, &validation)
            .map(|d| d.claims)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                match e.kind() {
                    ErrorKind::ExpiredSignature => "the sign-in has expired; sign in again".to_owned(),
                    ErrorKind::ImmatureSignature => "the token is not valid yet".to_owned(),
                    ErrorKind::InvalidIssuer => format!("the token was not issued by {}", self.issuer),
                    ErrorKind::InvalidAudience => "the token was issued for another client".to_owned(),
                    ErrorKind::MissingRequiredClaim(c) => format!("the token has no '{c}' claim"),
                    _ => "the token is not valid; sign in again".to_owned(),
                }
            })
    }
}

fn unknown_key() -> String {
    "the token is signed with a key the issuer does not publish; sign in again".to_owned()
}

/// Reads a JWKS document.
pub async fn read_jwks(http: &reqwest::Client, url: &str) -> Result<JwkSet, reqwest::Error> {
    http.get(url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)?
        .json::<JwkSet>()
        .await
}

/// A claim as API Gateway v2 forwards it to a function: strings as they are, arrays as
/// `[a b]`, anything else as its JSON text.
pub fn forwarded(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => format!("[{}]", items.iter().map(forwarded).collect::<Vec<_>>().join(" ")),
        other => other.to_string(),
    }
}

/// Every claim rendered as API Gateway v2 forwards it.
pub fn forwarded_claims(claims: &Map<String, Value>) -> Map<String, Value> {
    claims
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(forwarded(v))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn claims_are_forwarded_as_the_gateway_forwards_them() {
        let c = json!({"sub": "op1", "cognito:groups": ["operator", "supervisor"], "exp": 5});
        let f = forwarded_claims(c.as_object().unwrap());
        assert_eq!(f["cognito:groups"], json!("[operator supervisor]"));
        assert_eq!(f["exp"], json!("5"));
        assert_eq!(f["sub"], json!("op1"));
    }

    #[tokio::test]
    async fn a_token_that_is_not_a_jwt_or_not_rsa_signed_is_refused_before_any_key_is_read() {
        let v = JwtVerifier::new("http://127.0.0.1:9/pool", "client", "http://127.0.0.1:9/jwks", None).unwrap();
        assert!(v.verify("nonsense").await.unwrap_err().contains("not a JWT"));
        let hs = jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &json!({"sub": "x"}),
            &jsonwebtoken::EncodingKey::from_secret(b"k"),
        )
        .unwrap();
        assert!(v.verify(&hs).await.unwrap_err().contains("HS256"));
    }
}
