//! The local runtime: the whole console in one process on one machine. It mounts every
//! function's router on one port, keeps the data in an embedded store file, seeds demo data on
//! first start, signs users in (the dev sign-in, or an OpenID Connect provider standing in for
//! Cognito), and serves the page.

pub mod devauth;
mod gateway;
pub mod live;
pub mod oidc;
pub mod seed;
pub mod sim;
pub mod uploads;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use shared::domain::Services;
use shared::store::Store;
use tower_http::services::{ServeDir, ServeFile};
use utoipa::OpenApi;

use devauth::DevAuth;

/// A running console's parts, for the binary and for end-to-end tests.
pub struct Local {
    pub router: Router,
    pub services: Services,
    pub auth: DevAuth,
    pub sim: sim::Simulator,
    /// Call control as the functions run it, for the reconciliation's timer and tests.
    pub control: shared::control::CallControl,
}

/// How often the local runtime reconciles the store with the simulator, as the deployed
/// `reconcile` function's schedule does with Twilio.
pub const RECONCILE_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs the reconciliation (see [`shared::control::reconcile`]) every `period` until the
/// process ends: the local twin of the deployed `reconcile` function's schedule.
pub fn spawn_reconciler(control: shared::control::CallControl, period: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            match control.reconcile(chrono::Utc::now()).await {
                Ok(r) if !r.ended.is_empty() => tracing::warn!(ended = ?r.ended, "reconciled calls whose end was lost"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "reconciliation failed; tried again next minute"),
            }
            if let Err(e) = control.sweep_recordings(chrono::Utc::now()).await {
                tracing::error!(error = %e, "the recordings' retention sweep failed; tried again next minute");
            }
        }
    });
}

/// Where the built page lives.
pub fn default_static_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../static-ui/dist")
}

/// Builds the console on a store, for the origin it will be served at (`http://127.0.0.1:8080`):
/// seeds the store if new, mounts every function's router behind dev sign-in, and plugs the
/// Twilio simulator in where Twilio would be: the functions reach it through the real REST client
/// and receive its signed webhooks at `base_url`.
pub async fn build(
    store: Arc<dyn Store>,
    secret: Vec<u8>,
    static_dir: &Path,
    base_url: &str,
) -> Result<Local, shared::error::DomainError> {
    build_with(store, secret, static_dir, base_url, sim::SimConfig::default()).await
}

/// [`build`] with the simulator's settings chosen (tests answer calls by hand, for example).
pub async fn build_with(
    store: Arc<dyn Store>,
    secret: Vec<u8>,
    static_dir: &Path,
    base_url: &str,
    sim_config: sim::SimConfig,
) -> Result<Local, shared::error::DomainError> {
    build_signing_in(store, secret, static_dir, base_url, sim_config, SignIn::Dev).await
}

/// How users sign in to the local console.
#[derive(Clone)]
pub enum SignIn {
    /// The dev sign-in: pick a seeded user (`/api/dev/...`).
    Dev,
    /// An OpenID Connect provider, whose ID tokens are verified as API Gateway's JWT authorizer
    /// verifies Cognito's.
    Oidc(Arc<oidc::OidcAuth>),
}

/// [`build_with`] with the way users sign in chosen; music uploads go to a folder of the
/// system's temporary directory.
pub async fn build_signing_in(
    store: Arc<dyn Store>,
    secret: Vec<u8>,
    static_dir: &Path,
    base_url: &str,
    sim_config: sim::SimConfig,
    sign_in: SignIn,
) -> Result<Local, shared::error::DomainError> {
    let uploads = std::env::temp_dir().join("console-uploads");
    build_full(store, secret, static_dir, &uploads, base_url, sim_config, sign_in).await
}

/// [`build_signing_in`] with the folder admins' music uploads are written to and served from
/// (`<uploads_dir>/music/…` at `/music/…`, as the deployed page bucket serves them).
pub async fn build_full(
    store: Arc<dyn Store>,
    secret: Vec<u8>,
    static_dir: &Path,
    uploads_dir: &Path,
    base_url: &str,
    mut sim_config: sim::SimConfig,
    sign_in: SignIn,
) -> Result<Local, shared::error::DomainError> {
    // Every write goes through the change feed, which the live channel hears.
    let feed = Arc::new(live::feed::ChangeFeed::new(store));
    let services = Services::new(feed.clone());
    if seed::seed(&services).await? {
        tracing::info!("seeded demo data");
    }
    if let Some(line) = services.settings.get().await?.lines.first() {
        sim_config.default_to = line.number.as_str().to_owned();
    }
    let base_url = base_url.trim_end_matches('/').to_owned();
    let account = sim::SimAccount::from_seed(&secret);
    let sim = sim::Simulator::new(account.clone(), &base_url, sim_config);
    let telephony =
        twilio_client(&account, &base_url).map_err(|e| shared::error::DomainError::Unavailable(Box::new(e)))?;
    let control = shared::control::CallControl::new(services.clone(), telephony, &base_url);
    let voice_state = voice::VoiceState::new(control.clone(), sim.webhook_validator());
    let token_state = token::TokenState {
        issuer: Arc::new(shared::twilio::token::VoiceTokenIssuer::new(
            shared::twilio::AccountSid::parse(&account.account_sid).expect("simulated SIDs are well formed"),
            shared::twilio::ApiKeySid::parse(&account.api_key_sid).expect("simulated SIDs are well formed"),
            secrecy::SecretString::from(account.api_key_secret.clone()),
        )),
        twiml_app: shared::twilio::ApplicationSid::parse(&account.twiml_app_sid)
            .expect("simulated SIDs are well formed"),
        operators: services.operators.clone(),
    };
    let directory = Arc::new(shared::directory::local::StoreDirectory::new(services.store.clone()));
    let uploads = uploads::LocalUploads::new(&base_url, uploads_dir);
    let auth = DevAuth::with_directory(secret, seed::users(), directory.clone()).await?;
    let api = Router::new()
        .merge(crm::routes(services.clone()))
        .merge(history::routes(services.clone()))
        .merge(settings::routes(services.clone(), Arc::new(uploads.clone())))
        .merge(memos::routes(services.clone()))
        .merge(call_lists::routes(services.clone()))
        .merge(users::routes(users::UsersState::new(directory, &services)))
        .merge(operators::routes(control.clone()))
        .merge(calls::routes(control.clone()))
        .merge(token::routes(token_state))
        .merge(voice::routes(voice_state))
        .merge(sim::rest::routes(sim.clone()))
        .merge(sim::api::routes(sim.clone()))
        .route("/api/openapi.json", axum::routing::get(openapi))
        .route("/config.json", {
            let config = page_config(&sign_in, &base_url);
            axum::routing::get(move || std::future::ready(config.clone()))
        })
        .route("/api/{*rest}", axum::routing::any(shared::http::not_found));
    // Inside the sign-in layer, so a request's span carries the id its request context got.
    let api = shared::http::traced(api);
    let mut router = match &sign_in {
        SignIn::Dev => api
            .merge(auth.routes())
            .layer(axum::middleware::from_fn_with_state(auth.clone(), devauth::authorize)),
        SignIn::Oidc(provider) => api.layer(axum::middleware::from_fn_with_state(provider.clone(), oidc::authorize)),
    };
    router = router.merge(live::Live::new(feed, sign_in.clone(), auth.clone()).routes());
    router = router.merge(uploads.routes()).nest_service(
        "/music",
        ServeDir::new(uploads.dir().join("music")).fallback(ServeDir::new(static_dir.join("music"))),
    );
    if static_dir.join("index.html").exists() {
        let spa = ServeDir::new(static_dir).fallback(ServeFile::new(static_dir.join("index.html")));
        router = router.fallback_service(spa);
    } else {
        router = router.fallback(|| async {
            axum::response::Html(
                "<!doctype html><meta charset=utf-8><title>オペレータコンソール</title>\
                 <p>The operator page is not built yet. Run <code>local/run</code> (it builds static-ui) \
                 or <code>npm --prefix static-ui ci &amp;&amp; npm --prefix static-ui run build</code>.</p>\
                 <p>The API is up: see <a href=/api/openapi.json>/api/openapi.json</a>.</p>",
            )
        });
    }
    Ok(Local {
        // Requests are logged by method and path only: query strings carry phone numbers
        // (`/api/crm/lookup?phone=…`, `/api/history/calls?phone=…`).
        router: router.layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(
            |req: &axum::http::Request<axum::body::Body>| {
                tracing::debug_span!("request", method = %req.method(), path = req.uri().path())
            },
        )),
        services,
        auth,
        sim,
        control,
    })
}

/// Twilio's REST client, pointed at the simulator on the local port.
fn twilio_client(
    account: &sim::SimAccount,
    base_url: &str,
) -> Result<Arc<dyn shared::twilio::telephony::Telephony>, shared::twilio::rest::RestError> {
    let credentials = shared::twilio::rest::TwilioCredentials {
        account_sid: shared::twilio::AccountSid::parse(&account.account_sid).expect("simulated SIDs are well formed"),
        api_key_sid: shared::twilio::ApiKeySid::parse(&account.api_key_sid).expect("simulated SIDs are well formed"),
        api_key_secret: secrecy::SecretString::from(account.api_key_secret.clone()),
    };
    let client = shared::twilio::rest::RestClient::with_base_url(
        credentials,
        base_url,
        shared::twilio::rest::RetryPolicy::default(),
    )?;
    Ok(Arc::new(client))
}

/// The OpenAPI document of every function's API, merged.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let mut doc = crm::ApiDoc::openapi();
    doc.merge(history::ApiDoc::openapi());
    doc.merge(settings::ApiDoc::openapi());
    doc.merge(memos::ApiDoc::openapi());
    doc.merge(operators::ApiDoc::openapi());
    doc.merge(token::ApiDoc::openapi());
    doc.merge(calls::ApiDoc::openapi());
    doc.merge(call_lists::ApiDoc::openapi());
    doc.merge(users::ApiDoc::openapi());
    doc.merge(shared::push::ApiDoc::openapi());
    doc.info.title = "Operator console API".into();
    doc.info.description = Some(
        "The API of the call-centre operator console. Every /api route needs a bearer token \
         (Cognito when deployed; the dev sign-in at /api/dev/sign-in locally). Errors are \
         {\"error\": {\"code\", \"message\"}}."
            .into(),
    );
    doc.info.version = env!("CARGO_PKG_VERSION").into();
    let scheme = utoipa::openapi::security::SecurityScheme::Http(
        utoipa::openapi::security::HttpBuilder::new()
            .scheme(utoipa::openapi::security::HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .build(),
    );
    doc.components
        .get_or_insert_with(Default::default)
        .add_security_scheme("bearer", scheme);
    doc.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
        "bearer",
        Vec::<String>::new(),
    )]);
    doc
}

/// The page's runtime configuration (the shape `static-ui/src/config-contract.ts` checks).
/// Deployed, the CDK stack writes the same file with the user pool's details and Twilio's phone;
/// locally the API is on the page's origin, the phone is the simulator's, and users sign in with
/// the dev sign-in or at the OpenID Connect provider given on the command line.
fn page_config(sign_in: &SignIn, base_url: &str) -> axum::Json<serde_json::Value> {
    let auth = match sign_in {
        SignIn::Dev => serde_json::json!({ "kind": "dev" }),
        SignIn::Oidc(provider) => provider.page_auth(base_url),
    };
    axum::Json(serde_json::json!({ "apiUrl": "", "auth": auth, "phone": { "kind": "simulator" } }))
}

async fn openapi() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(api_doc())
}

/// Reads the dev sign-in key kept beside the data file, or makes one, so tokens survive a
/// restart of the local runtime.
pub fn dev_secret(data_file: &Path) -> std::io::Result<Vec<u8>> {
    let path = data_file.with_extension("secret");
    match std::fs::read(&path) {
        Ok(s) if s.len() >= 32 => Ok(s),
        _ => {
            let secret: Vec<u8> = (0..32).map(|_| rand::random::<u8>()).collect();
            std::fs::write(&path, &secret)?;
            Ok(secret)
        }
    }
}
