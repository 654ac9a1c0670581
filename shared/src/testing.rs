//! Test support shared by the crates' tests (behind the `test-support` feature): a real
//! DynamoDB-compatible server (moto's backend, from PyPI, served by `tests/tools/dynamodb_server.py`)
//! started on a free loopback port, once per test process, and stopped when the process ends.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::config::{Credentials, Region};

use crate::store::dynamo::DynamoStore;

fn tools_venv() -> PathBuf {
    if let Ok(v) = std::env::var("CONSOLE_TEST_VENV") {
        return PathBuf::from(v);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/.tools/venv")
}

/// The endpoint of this process's moto server, started on first use.
pub fn moto_endpoint() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        if let Ok(url) = std::env::var("DYNAMODB_TEST_ENDPOINT") {
            return url;
        }
        let venv = tools_venv();
        let python = venv.join("bin/python");
        let launcher = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/tools/dynamodb_server.py");
        assert!(
            venv.join("bin/moto_server").exists(),
            "moto is not installed in {}: run tests/run once (it installs the test tools), or \
             python3 -m venv tests/.tools/venv && tests/.tools/venv/bin/pip install -r tests/requirements.txt",
            venv.display()
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        // Not waited on: the server watches this process and stops when it exits.
        #[allow(clippy::zombie_processes)]
        Command::new(python)
            .arg(launcher)
            .args(["127.0.0.1", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the DynamoDB-compatible test server");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto did not start within 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        format!("http://127.0.0.1:{port}")
    })
}

/// A DynamoDB client for the test server: static credentials, a fixed region, loopback only.
pub fn local_dynamodb_client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    let conf = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(Region::new("ap-northeast-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .http_client(crate::tls::aws_http_client())
        .build();
    aws_sdk_dynamodb::Client::from_conf(conf)
}

/// A fresh table with the console's key design on the test server.
pub async fn fresh_dynamo_store() -> DynamoStore {
    let client = local_dynamodb_client(moto_endpoint());
    let store = DynamoStore::new(
        client,
        format!("console-test-{}", ulid::Ulid::new().to_string().to_lowercase()),
    );
    store.ensure_table().await.expect("create test table");
    store
}

/// Puts a signed-in user's claims where API Gateway's JWT authorizer puts them, so router tests
/// exercise the same extraction as production.
pub fn signed_in(
    mut req: axum::http::Request<axum::body::Body>,
    id: &str,
    role: crate::auth::Role,
) -> axum::http::Request<axum::body::Body> {
    let group = match role {
        crate::auth::Role::Operator => "operator",
        crate::auth::Role::Supervisor => "supervisor",
        crate::auth::Role::Admin => "admin",
    };
    let ctx = serde_json::json!({
        "routeKey": "$default", "stage": "$default", "requestId": "test", "timeEpoch": 0,
        "http": {"method": req.method().as_str(), "path": req.uri().path()},
        "authorizer": {"jwt": {"claims": {"sub": id, "name": format!("テスト {id}"), "cognito:groups": format!("[{group}]")}, "scopes": null}}
    });
    let ctx = serde_json::from_value(ctx).expect("request context");
    req.extensions_mut()
        .insert(lambda_http::request::RequestContext::ApiGatewayV2(ctx));
    req
}

/// Sends a request to a router without a socket and returns the status and JSON body.
pub async fn call(
    router: &axum::Router,
    req: axum::http::Request<axum::body::Body>,
) -> (axum::http::StatusCode, serde_json::Value) {
    use tower::ServiceExt;
    let resp = router.clone().oneshot(req).await.expect("router answers");
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 4 << 20).await.expect("body");
    let body = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    (status, body)
}

/// A JSON request.
pub fn json_request(method: &str, uri: &str, body: &serde_json::Value) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .expect("request")
}

/// A bodiless request.
pub fn request(method: &str, uri: &str) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .body(axum::body::Body::empty())
        .expect("request")
}

/// How a [`FaultyStore`] misbehaves.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// Every request fails, as in an outage.
    Down,
    /// Every request answers, but only after this long.
    Slow(Duration),
}

/// A store that fails or is slow on every request, for fault-injection tests of the paths that
/// must keep working (the incoming call) or fail clearly (everything else).
pub struct FaultyStore {
    pub inner: std::sync::Arc<dyn crate::store::Store>,
    pub fault: Fault,
}

impl FaultyStore {
    async fn strike(&self) -> Result<(), crate::store::StoreError> {
        match self.fault {
            Fault::Down => Err(crate::store::StoreError::Unavailable("injected outage".into())),
            Fault::Slow(d) => {
                tokio::time::sleep(d).await;
                Ok(())
            }
        }
    }
}

#[async_trait::async_trait]
impl crate::store::Store for FaultyStore {
    async fn get(&self, k: &crate::store::Key) -> Result<Option<crate::store::Item>, crate::store::StoreError> {
        self.strike().await?;
        self.inner.get(k).await
    }
    async fn get_many(&self, k: &[crate::store::Key]) -> Result<Vec<crate::store::Item>, crate::store::StoreError> {
        self.strike().await?;
        self.inner.get_many(k).await
    }
    async fn put(&self, i: crate::store::Item, c: Option<crate::store::Cond>) -> Result<(), crate::store::StoreError> {
        self.strike().await?;
        self.inner.put(i, c).await
    }
    async fn update(
        &self,
        k: &crate::store::Key,
        u: crate::store::Update,
        c: Option<crate::store::Cond>,
    ) -> Result<crate::store::Item, crate::store::StoreError> {
        self.strike().await?;
        self.inner.update(k, u, c).await
    }
    async fn delete(
        &self,
        k: &crate::store::Key,
        c: Option<crate::store::Cond>,
    ) -> Result<(), crate::store::StoreError> {
        self.strike().await?;
        self.inner.delete(k, c).await
    }
    async fn query(&self, q: crate::store::Query) -> Result<crate::store::Page, crate::store::StoreError> {
        self.strike().await?;
        self.inner.query(q).await
    }
    async fn transact(&self, o: Vec<crate::store::TxOp>) -> Result<(), crate::store::StoreError> {
        self.strike().await?;
        self.inner.transact(o).await
    }
    async fn batch_write(
        &self,
        p: Vec<crate::store::Item>,
        d: Vec<crate::store::Key>,
    ) -> Result<(), crate::store::StoreError> {
        self.strike().await?;
        self.inner.batch_write(p, d).await
    }
}

/// Fails the test unless every request is valid against Twilio's OpenAPI spec, as the REST client
/// would send it for `account`.
pub fn spec_checked(account: &str, requests: &[crate::twilio::telephony::TelephonyRequest]) {
    let account = crate::twilio::AccountSid::parse(account).expect("a valid account SID");
    for r in requests {
        let p = r.prepared(&account);
        if let Err(v) = crate::twilio::spec::voice_subset().validate(p.method.as_str(), &p.path, &p.params) {
            panic!("{r:?} is not valid against Twilio's spec: {v:?}");
        }
    }
}
