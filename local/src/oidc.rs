//! Sign-in through an OpenID Connect provider for the local runtime (`local --oidc-issuer URL
//! --oidc-client-id ID`): the page signs in at the provider as it does at Cognito deployed, and
//! this module stands where API Gateway's JWT authorizer stands. It owns reading the provider's
//! discovery document and JWKS, having the bearer ID token of every `/api` request verified by
//! [`shared::auth_jwt`] (signature against the JWKS, `iss`, `aud`, `exp`, `nbf` — the code the
//! live channel's authorizer runs deployed), refusing a token that fails with a 401 before any
//! function runs, and forwarding the claims the way API Gateway v2 does (every claim a string,
//! arrays as `[a b]`). It also writes the `auth` block of the page's `/config.json`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jsonwebtoken::jwk::JwkSet;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use shared::auth_jwt::{JwtVerifier, forwarded_claims};
use shared::error::ApiError;

const HTTP_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the provider could not be used at start-up.
#[derive(Debug)]
pub enum OidcError {
    /// The issuer is not an http(s) URL.
    BadIssuer(String),
    /// The client id is empty.
    NoClientId,
    /// The discovery document or the JWKS could not be read.
    Fetch { url: String, source: reqwest::Error },
    /// The discovery document names another issuer.
    IssuerMismatch {
        url: String,
        found: String,
        expected: String,
    },
    /// The HTTP client could not be built.
    Client(reqwest::Error),
}

impl std::fmt::Display for OidcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::BadIssuer(i) => write!(f, "--oidc-issuer must be an http(s) URL with no query, not '{i}'"),
            Self::NoClientId => write!(f, "--oidc-client-id must not be empty"),
            Self::Fetch { url, source } => write!(f, "could not read {url}: {source}"),
            Self::IssuerMismatch { url, found, expected } => {
                write!(
                    f,
                    "the discovery document at {url} names issuer '{found}', not '{expected}'"
                )
            }
            Self::Client(e) => write!(f, "the HTTP client could not be built: {e}"),
        }
    }
}

impl std::error::Error for OidcError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Fetch { source, .. } | Self::Client(source) => Some(source),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
}

/// The provider the local runtime trusts, with its keys.
pub struct OidcAuth {
    issuer: String,
    client_id: String,
    verifier: JwtVerifier,
}

impl OidcAuth {
    /// Reads the provider's discovery document (`{issuer}/.well-known/openid-configuration`) and
    /// its JWKS. Fails when the provider cannot be reached or names another issuer.
    pub async fn discover(issuer: &str, client_id: &str) -> Result<Self, OidcError> {
        let issuer = issuer.trim_end_matches('/').to_owned();
        let valid = reqwest::Url::parse(&issuer)
            .map(|u| matches!(u.scheme(), "http" | "https") && u.query().is_none() && u.fragment().is_none())
            .unwrap_or(false);
        if !valid {
            return Err(OidcError::BadIssuer(issuer));
        }
        if client_id.trim().is_empty() {
            return Err(OidcError::NoClientId);
        }
        let http = shared::tls::http_client()
            .timeout(HTTP_TIMEOUT)
            .build()
            .map_err(OidcError::Client)?;
        let url = format!("{issuer}/.well-known/openid-configuration");
        let discovery: Discovery = get_json(&http, &url).await?;
        if discovery.issuer.trim_end_matches('/') != issuer {
            return Err(OidcError::IssuerMismatch {
                url,
                found: discovery.issuer,
                expected: issuer,
            });
        }
        let set: JwkSet = get_json(&http, &discovery.jwks_uri).await?;
        let verifier =
            JwtVerifier::new(&issuer, client_id, &discovery.jwks_uri, Some(set)).map_err(OidcError::Client)?;
        Ok(Self {
            issuer,
            client_id: client_id.to_owned(),
            verifier,
        })
    }

    /// The issuer tokens must name.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The `auth` block of the page's `/config.json` for a page served at `origin`. The logout
    /// endpoint is the test provider's (tests/idp serves Cognito's `/logout` under its issuer).
    pub fn page_auth(&self, origin: &str) -> Value {
        let origin = origin.trim_end_matches('/');
        json!({
            "kind": "cognito",
            "authority": self.issuer,
            "clientId": self.client_id,
            "redirectUri": format!("{origin}/auth/callback"),
            "logoutUri": format!("{origin}/"),
            "logoutEndpoint": format!("{}/logout", self.issuer),
            "scope": "openid email profile",
        })
    }

    /// Verifies a bearer token as API Gateway's JWT authorizer does and returns its claims, or
    /// the message the 401 carries.
    pub async fn verify(&self, token: &str) -> Result<Map<String, Value>, String> {
        self.verifier.verify(token).await
    }
}

async fn get_json<T: serde::de::DeserializeOwned>(http: &reqwest::Client, url: &str) -> Result<T, OidcError> {
    let fetch = |source| OidcError::Fetch {
        url: url.to_owned(),
        source,
    };
    http.get(url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(fetch)?
        .json::<T>()
        .await
        .map_err(fetch)
}

/// Verifies the bearer token of every `/api` request (the OpenAPI document is open) and places
/// the claims where API Gateway's JWT authorizer does.
pub async fn authorize(State(auth): State<Arc<OidcAuth>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if !path.starts_with("/api/")
        || path == "/api/openapi.json"
        || path.starts_with(shared::control::recordings::MEDIA_PATH_PREFIX)
    {
        return next.run(req).await;
    }
    let Some(token) = crate::gateway::bearer(&req) else {
        return ApiError::Unauthorized("sign in first: send Authorization: Bearer <ID token>".into()).into_response();
    };
    let claims = match auth.verify(token).await {
        Ok(c) => c,
        Err(m) => return ApiError::Unauthorized(m).into_response(),
    };
    match crate::gateway::with_claims(req, forwarded_claims(&claims)) {
        Ok(req) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::http::StatusCode;
    use base64::Engine;
    use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
    use shared::auth::Caller;
    use tower::ServiceExt;

    /// A key made for these tests only (PKCS#1 DER, base64) and its public half as JWK components.
    const TEST_KEY_DER: &str = "MIIEowIBAAKCAQEAiUbHjQ1+JFGlRzypY9uJ/9ryuHkkhDDKbc3ybHPEnKneHOhMBfWcK7P/QQr9fdNqNij9MhvdB38mxZsZ3UIXIYrnJCwcrPAxBViYUFMSMebo1BRVxQ6birBDiSvljOLJbgneUhumpLVkExbHhBoeZ45QEB3ezUdRMakiCxoruzd3S/MfPsBNux+vo/qA26gRnBXgokRz8SgwEnBzKb6m6lFbEcYXPlIwYIZMqD80fYmGIrzpIa28AtvoYtQu3iFBP37pWa0FLe90itzzn7nnj48wQdWa3q0wdYdb1CuQzg3eGaISdXMozoLepdyEiqVswsFYMYOa7EpM5NG9vwmKyQIDAQABAoIBACRZ+FzLPmSKtEwtbaOyTpRQm+aqubdBnlE+cJw0edOMjfM0tnD7javrAcRtDxxjQCRwbT/4LeseyhsYy9wR9MMen7+t6LgI8Mo8IDVhEhfh0DTc36uLhzfOHkw0MhjBM1ruxQ8UIGhMWmBNr261ZejBQEVMS6QrZv5SDeBHwV3VWnY0Q7bSmHJPzd/sDtjpbfliiGjIZn3Is5n9Zio1/JuZHKbtR7FHsVpsxHvuB6vnoWYqbbyZCxMCs5EGyO0gLyeloa69/QWt9Cc9wMxqu3v+xMErEqZ2AHKmj5hHx4Zgj1e1OaCCWvLcZyZBOs3fgjUby++mGzuXGOIrhRqTz5MCgYEAvv6+UBEKk12d0VGKMARYfwrhfkjdmFMNbHd2n45kQ94VZgpPiaXNbXOzlVIxr54Ap96Xu0DlJIta08CJj+ohiG36bGZIEULrEe8jWVwKJYwI/5IUKJddYL8p/stTjmsnMDvZGKlMfrCN1GsekkQUbgRn33qibM5aWRPRN8uoprcCgYEAt/+THXJ9f+/jJmSkidregZG0wJcQjyjJB366MAOkVmHzRjJ4pWGYGSqVrU1qb3o9ryV8xBjAv7UUQJqdnKkevzr2XrhSET2w0IvW3lEO3ifeER6v9iWFmH0qrpbIJ5Yq7ge6qYKwsxyw1mnaDdCNUiNI3k6LKuQSH73ZWOvR2n8CgYEAnO4CwRa/ccYB3fL5b+qiLABstq54JKhY5z5hIUiF6Z2YR3dBUwAAgmYGsDIQ0RMpxsSGNz1jCVvXDRWt8amWU9rJYDfKDyTEsL+kc8/EJoWg/xyvo4p7Fvr7Lncx+FrioCcMgc7ZI189qcM6I0P85UiJcH365xvF8FrwFMApmpECgYAa9f0VjIgtLfZn0sl1VbfS3onQypHnmD9UtNINZQs4iSO/fnfFK/bAgUfrW/OjoBLXzjNo/IOJ07vC96Tupq1VsgsVuAZ2dkapWERE0TXPgaH9ejSoabkYrgaKDJgJjOx/cmx8mCTSKfsTf/EuoweCKJ9ty66Cu2aYdhYZ/HwEewKBgAeXHYOGrMbz+zdBZ3FLfB4OfjjzMhocRAwDDBBYrqr4UTcQNcagjxnfeM4U5hsJDB9IqhV//V9gTzdnY8ZszSHPfP7LtUOLfGtTeKjvl1L03JYlMoJ0SR0I1VLPFe1O6H2AwJv3HubC9oBkddXLLGMXxagk3I4kl2loWZjFm5+X";
    const TEST_KEY_N: &str = "iUbHjQ1-JFGlRzypY9uJ_9ryuHkkhDDKbc3ybHPEnKneHOhMBfWcK7P_QQr9fdNqNij9MhvdB38mxZsZ3UIXIYrnJCwcrPAxBViYUFMSMebo1BRVxQ6birBDiSvljOLJbgneUhumpLVkExbHhBoeZ45QEB3ezUdRMakiCxoruzd3S_MfPsBNux-vo_qA26gRnBXgokRz8SgwEnBzKb6m6lFbEcYXPlIwYIZMqD80fYmGIrzpIa28AtvoYtQu3iFBP37pWa0FLe90itzzn7nnj48wQdWa3q0wdYdb1CuQzg3eGaISdXMozoLepdyEiqVswsFYMYOa7EpM5NG9vwmKyQ";
    const TEST_KEY_E: &str = "AQAB";

    const CLIENT: &str = "console-page";

    /// A provider on a free loopback port serving a discovery document (naming `named_issuer`,
    /// or itself) and the test key's JWKS; returns its issuer URL.
    async fn provider(named_issuer: Option<&str>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}/pool", listener.local_addr().unwrap());
        let named = named_issuer.unwrap_or(&issuer).to_owned();
        let jwks_uri = format!("{issuer}/jwks");
        let app = Router::new()
            .route(
                "/pool/.well-known/openid-configuration",
                axum::routing::get(move || async move { axum::Json(json!({ "issuer": named, "jwks_uri": jwks_uri })) }),
            )
            .route(
                "/pool/jwks",
                axum::routing::get(|| async {
                    axum::Json(json!({ "keys": [{ "kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig", "n": TEST_KEY_N, "e": TEST_KEY_E }] }))
                }),
            );
        tokio::spawn(async move { axum::serve(listener, app).await });
        issuer
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    fn claims(issuer: &str) -> Value {
        json!({
            "iss": issuer, "aud": CLIENT, "sub": "op-sato", "token_use": "id",
            "name": "佐藤 花子", "email": "sato@example.jp", "cognito:groups": ["sales", "supervisor"],
            "iat": now(), "exp": now() + 600,
        })
    }

    fn sign(claims: &Value) -> String {
        let der = base64::engine::general_purpose::STANDARD.decode(TEST_KEY_DER).unwrap();
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("k1".into());
        encode(&header, claims, &EncodingKey::from_rsa_der(&der)).unwrap()
    }

    /// A router behind the middleware whose one route answers who the caller is.
    fn app(auth: OidcAuth) -> Router {
        let who = |caller: Caller| async move {
            axum::Json(json!({ "id": caller.id.to_string(), "name": caller.name, "role": caller.role }))
        };
        Router::new()
            .route("/api/me", axum::routing::get(who))
            .route("/api/openapi.json", axum::routing::get(|| async { "{}" }))
            .layer(axum::middleware::from_fn_with_state(Arc::new(auth), authorize))
    }

    async fn call(app: &Router, token: Option<&str>, path: &str) -> (StatusCode, Value) {
        let mut req = axum::http::Request::get(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let res = app.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    #[tokio::test]
    async fn an_id_token_from_the_provider_reaches_the_function_with_its_claims() {
        let issuer = provider(None).await;
        let app = app(OidcAuth::discover(&issuer, CLIENT).await.unwrap());
        let (status, body) = call(&app, Some(&sign(&claims(&issuer))), "/api/me").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body,
            json!({ "id": "op-sato", "name": "佐藤 花子", "role": "supervisor" })
        );
    }

    #[tokio::test]
    async fn a_token_that_fails_a_check_is_refused_with_401_and_the_reason() {
        let issuer = provider(None).await;
        let app = app(OidcAuth::discover(&issuer, CLIENT).await.unwrap());
        let with = |change: &dyn Fn(&mut Value)| {
            let mut c = claims(&issuer);
            change(&mut c);
            sign(&c)
        };
        let cases = [
            (with(&|c| c["exp"] = json!(now() - 1)), "expired"),
            (with(&|c| c["aud"] = json!("another-client")), "another client"),
            (
                with(&|c| c["iss"] = json!("https://cognito-idp.example/other")),
                "not issued by",
            ),
            (with(&|c| c["nbf"] = json!(now() + 300)), "not valid yet"),
            (with(&|c| drop(c.as_object_mut().unwrap().remove("sub"))), "'sub'"),
        ];
        for (token, reason) in cases {
            let (status, body) = call(&app, Some(&token), "/api/me").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{reason}: {body}");
            let message = body["error"]["message"].as_str().unwrap_or_default();
            assert!(message.contains(reason), "expected '{reason}' in '{message}'");
        }
    }

    #[tokio::test]
    async fn a_forged_token_is_refused() {
        let issuer = provider(None).await;
        let app = app(OidcAuth::discover(&issuer, CLIENT).await.unwrap());
        let good = sign(&claims(&issuer));
        let mut parts: Vec<&str> = good.split('.').collect();
        let mut forged_claims = claims(&issuer);
        forged_claims["cognito:groups"] = json!(["admin"]);
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged_claims.to_string());
        parts[1] = &payload;
        let tampered = parts.join(".");
        // The public modulus as an HMAC secret: the algorithm-confusion forgery.
        let hmac = encode(
            &Header {
                kid: Some("k1".into()),
                ..Header::new(Algorithm::HS256)
            },
            &claims(&issuer),
            &EncodingKey::from_secret(TEST_KEY_N.as_bytes()),
        )
        .unwrap();
        for (token, what) in [
            (tampered.as_str(), "tampered claims"),
            (hmac.as_str(), "HS256"),
            ("not-a-jwt", "garbage"),
        ] {
            let (status, body) = call(&app, Some(token), "/api/me").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
        }
    }

    #[tokio::test]
    async fn a_request_without_a_token_is_refused_but_the_api_description_is_open() {
        let issuer = provider(None).await;
        let app = app(OidcAuth::discover(&issuer, CLIENT).await.unwrap());
        let (status, body) = call(&app, None, "/api/me").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body["error"]["message"].as_str().unwrap().contains("Bearer"));
        assert_eq!(call(&app, None, "/api/openapi.json").await.0, StatusCode::OK);
    }

    #[tokio::test]
    async fn a_provider_naming_another_issuer_is_refused_at_start() {
        let issuer = provider(Some("https://elsewhere.example")).await;
        let err = OidcAuth::discover(&issuer, CLIENT).await.err().expect("refused");
        assert!(
            err.to_string().contains("names issuer 'https://elsewhere.example'"),
            "{err}"
        );
        assert!(matches!(
            OidcAuth::discover("ftp://x", CLIENT).await,
            Err(OidcError::BadIssuer(_))
        ));
    }

    #[tokio::test]
    async fn the_page_is_told_to_sign_in_at_the_provider() {
        let issuer = provider(None).await;
        let auth = OidcAuth::discover(&format!("{issuer}/"), CLIENT).await.unwrap();
        assert_eq!(
            auth.page_auth("http://127.0.0.1:8080/"),
            json!({
                "kind": "cognito", "authority": issuer, "clientId": CLIENT,
                "redirectUri": "http://127.0.0.1:8080/auth/callback", "logoutUri": "http://127.0.0.1:8080/",
                "logoutEndpoint": format!("{issuer}/logout"), "scope": "openid email profile",
            })
        );
    }

    /// The whole local runtime on an embedded store in a temp dir, signing in as `sign_in` says.
    async fn runtime(sign_in: crate::SignIn) -> (crate::Local, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = shared::store::embedded::EmbeddedStore::open(&dir.path().join("console.sqlite")).unwrap();
        let local = crate::build_signing_in(
            Arc::new(store),
            vec![7; 32],
            dir.path(),
            "http://127.0.0.1:8080",
            crate::sim::SimConfig::default(),
            sign_in,
        )
        .await
        .unwrap();
        (local, dir)
    }

    #[tokio::test]
    async fn the_local_runtime_signs_in_at_the_provider_and_the_dev_sign_in_is_off() {
        let issuer = provider(None).await;
        let auth = OidcAuth::discover(&issuer, CLIENT).await.unwrap();
        let (local, _dir) = runtime(crate::SignIn::Oidc(Arc::new(auth))).await;
        let (_, config) = call(&local.router, None, "/config.json").await;
        assert_eq!(config["apiUrl"], "");
        assert_eq!(config["phone"], json!({ "kind": "simulator" }));
        assert_eq!(config["auth"]["kind"], "cognito");
        assert_eq!(config["auth"]["authority"], issuer.as_str());
        assert_eq!(config["auth"]["redirectUri"], "http://127.0.0.1:8080/auth/callback");

        let token = sign(&claims(&issuer));
        let (status, me) = call(&local.router, Some(&token), "/api/operators/me").await;
        assert_eq!(status, StatusCode::OK, "{me}");
        assert_eq!(me["id"], "op-sato");
        assert_eq!(
            call(&local.router, None, "/api/operators/me").await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            call(&local.router, Some(&token), "/api/dev/users").await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            call(&local.router, None, "/api/dev/users").await.0,
            StatusCode::UNAUTHORIZED
        );
    }

    #[tokio::test]
    async fn the_dev_runtime_tells_the_page_to_use_the_dev_sign_in_and_the_simulator() {
        let (local, _dir) = runtime(crate::SignIn::Dev).await;
        let (status, config) = call(&local.router, None, "/config.json").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            config,
            json!({ "apiUrl": "", "auth": { "kind": "dev" }, "phone": { "kind": "simulator" } })
        );
    }

    #[test]
    fn claims_are_forwarded_as_api_gateway_forwards_them() {
        assert_eq!(shared::auth_jwt::forwarded(&json!("佐藤 花子")), "佐藤 花子");
        assert_eq!(shared::auth_jwt::forwarded(&json!(["sales", "admin"])), "[sales admin]");
        assert_eq!(shared::auth_jwt::forwarded(&json!(true)), "true");
        assert_eq!(shared::auth_jwt::forwarded(&json!(1_700_000_000)), "1700000000");
    }
}
