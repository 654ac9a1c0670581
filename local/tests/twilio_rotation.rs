//! Rotating the auth token while signed webhooks flow: the voice function's router in-process
//! with its validator re-reading the Twilio secret on moto (as the deployed function does), the
//! simulator as Twilio signing every webhook with whatever its primary token is at that moment,
//! and `twilio-rotate` run as the admin runs it. Customers keep calling in and hanging up during
//! the whole rotation; every webhook the voice function refuses is counted.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use local::sim::{Answering, SimAccount, SimConfig, Simulator};
use serde_json::{Value, json};
use shared::config::TwilioSecretStore;
use shared::domain::Services;
use shared::store::embedded::EmbeddedStore;
use shared::twilio::AccountSid;
use shared::twilio::rest::{ListKeys, RestClient, RestError, RetryPolicy, TwilioCredentials};
use shared::twilio::signature::{AuthTokens, RefreshPolicy, WebhookValidator};

const MAIN: &str = "+81368000001";

/// How the voice function under test holds its auth tokens.
enum Validation {
    /// Re-reads the secret on moto with this policy, as `functions/voice/src/main.rs` wires it.
    Refreshing(RefreshPolicy),
    /// Keeps the tokens read at cold start: what the function did before rotation was supported.
    ColdStartOnly,
}

struct Harness {
    sim: Simulator,
    secret: Arc<TwilioSecretStore>,
    secret_name: String,
    url: String,
}

async fn harness(validation: Validation) -> Harness {
    let moto = shared::testing::moto_endpoint();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let config = SimConfig {
        default_answering: Answering::Manual,
        pause_scale: 0.02,
        default_to: MAIN.into(),
        ..SimConfig::default()
    };
    let account = SimAccount::from_seed(ulid::Ulid::new().to_string().as_bytes());
    let sim = Simulator::new(account.clone(), &url, config);

    let secret_name = format!("console-twilio-{}", ulid::Ulid::new().to_string().to_lowercase());
    let secret = Arc::new(TwilioSecretStore::on_test_server(moto, &secret_name));
    let stored = json!({
        "account_sid": account.account_sid,
        "api_key_sid": account.api_key_sid,
        "api_key_secret": account.api_key_secret,
        "auth_token": account.auth_token,
        "twiml_app_sid": account.twiml_app_sid,
    });
    secret
        .client()
        .await
        .create_secret()
        .name(&secret_name)
        .secret_string(stored.to_string())
        .send()
        .await
        .expect("the secret is created on moto");

    let services = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    local::seed::seed(&services).await.unwrap();
    let cold_start = secret.read().await.expect("the secret reads as the functions read it");
    let validator = match validation {
        Validation::Refreshing(policy) => {
            WebhookValidator::refreshing(cold_start.auth_tokens(), secret.clone(), policy)
        }
        Validation::ColdStartOnly => WebhookValidator::with_tokens(cold_start.auth_tokens()),
    };
    let telephony = RestClient::with_base_url(
        TwilioCredentials {
            account_sid: cold_start.account_sid.clone(),
            api_key_sid: cold_start.api_key_sid.clone(),
            api_key_secret: cold_start.api_key_secret.clone(),
        },
        &url,
        RetryPolicy::default(),
    )
    .unwrap();
    let control = shared::control::CallControl::new(services, Arc::new(telephony), &url);
    let voice = voice::router(voice::VoiceState::new(control, validator));
    let app = voice
        .merge(local::sim::rest::routes(sim.clone()))
        .merge(local::sim::api::routes(sim.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Harness {
        sim,
        secret,
        secret_name,
        url,
    }
}

impl Harness {
    /// Customers call in every 100 ms and hang up 700 ms later (after the wait music, the
    /// conference events and the routing they cause), until stopped.
    fn keep_calling(&self) -> Arc<AtomicBool> {
        let stop = Arc::new(AtomicBool::new(false));
        let (sim, until) = (self.sim.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 0u32;
            while !until.load(Ordering::SeqCst) {
                n += 1;
                let sid = sim.start_incoming(&format!("+8190{:08}", 10_000_000 + n), MAIN);
                let caller = sim.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(700)).await;
                    caller.hang_up(&sid);
                });
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        stop
    }

    async fn rotate(&self, wait_seconds: u64) -> (i32, Value, String) {
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_twilio-rotate"))
            .args([
                "--secret-id",
                &self.secret_name,
                "--wait",
                &wait_seconds.to_string(),
                "--twilio-accounts-base",
                &self.url,
                "--twilio-api-base",
                &self.url,
            ])
            .env("AWS_ENDPOINT_URL", shared::testing::moto_endpoint())
            .env("AWS_REGION", "ap-northeast-1")
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env_remove("AWS_PROFILE")
            .output()
            .await
            .unwrap();
        (
            output.status.code().unwrap_or(-1),
            serde_json::from_slice(&output.stdout).unwrap_or(Value::Null),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    /// Webhooks the voice function refused (403: the signature did not validate).
    fn refused(&self) -> usize {
        self.sim.webhook_log().iter().filter(|w| w.status == 403).count()
    }

    /// Runs a rotation while calls flow, and returns (webhooks sent, sent after the promotion,
    /// refused).
    async fn rotate_while_calling(&self, wait_seconds: u64) -> (usize, usize, usize) {
        let stop = self.keep_calling();
        tokio::time::sleep(Duration::from_millis(800)).await;
        let before = self.sim.webhook_log().len();
        let (code, out, err) = self.rotate(wait_seconds).await;
        assert_eq!(code, 0, "twilio-rotate failed: {err}");
        assert_eq!(out["resumed"], false);
        let promoted_by = self.sim.webhook_log().len();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        stop.store(true, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(900)).await;
        assert!(self.sim.settle(Duration::from_secs(10)).await);
        let log = self.sim.webhook_log();
        (log.len() - before, log.len() - promoted_by, self.refused())
    }

    /// The secret as stored, and the simulated account's tokens, after a rotation.
    async fn assert_rotated(&self, former: &str) {
        let stored = self.secret.read_json().await.unwrap();
        let tokens = self.sim.auth_tokens();
        assert_ne!(tokens.primary, former, "Twilio has a new primary token");
        assert_eq!(tokens.secondary, None);
        assert_eq!(stored["auth_token"], tokens.primary.as_str(), "the secret holds it");
        assert!(
            stored.get("auth_token_secondary").is_none(),
            "and no secondary any more"
        );
        let old = RestClient::with_auth_token(
            AccountSid::parse(&self.sim.account().account_sid).unwrap(),
            former.to_owned().into(),
            &self.url,
            RetryPolicy::default(),
        )
        .unwrap();
        assert!(
            matches!(
                old.list_keys(&ListKeys { page_size: Some(1) }).await,
                Err(RestError::Api(e)) if e.status == 401
            ),
            "the former token no longer authenticates"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_refuses_no_webhook_while_customers_call() {
    let h = harness(Validation::Refreshing(RefreshPolicy {
        every: Duration::from_secs(1),
        after_mismatch: Duration::from_secs(10),
    }))
    .await;
    let former = h.sim.auth_tokens().primary;
    let (sent, after_promotion, refused) = h.rotate_while_calling(3).await;
    eprintln!("rotation on schedule: {sent} webhooks, {after_promotion} after the promotion, {refused} refused");
    assert!(sent >= 40, "webhooks flowed during the rotation: {sent}");
    assert!(after_promotion >= 10, "and after the promotion: {after_promotion}");
    assert_eq!(refused, 0, "{:#?}", h.sim.snapshot()["problems"]);
    h.assert_rotated(&former).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_that_has_not_reread_the_secret_takes_the_promoted_token_at_the_first_mismatch() {
    let h = harness(Validation::Refreshing(RefreshPolicy::default())).await;
    let former = h.sim.auth_tokens().primary;
    let (sent, after_promotion, refused) = h.rotate_while_calling(0).await;
    eprintln!("rotation without waiting: {sent} webhooks, {after_promotion} after the promotion, {refused} refused");
    assert!(
        after_promotion >= 10,
        "webhooks flowed after the promotion: {after_promotion}"
    );
    assert_eq!(refused, 0, "{:#?}", h.sim.snapshot()["problems"]);
    h.assert_rotated(&former).await;
}

/// The measurement can fail: a function that keeps the tokens it read at cold start refuses
/// the webhooks signed after the promotion.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_function_that_never_rereads_the_secret_refuses_webhooks_after_the_promotion() {
    let h = harness(Validation::ColdStartOnly).await;
    let (sent, after_promotion, refused) = h.rotate_while_calling(0).await;
    eprintln!(
        "rotation, tokens kept from cold start: {sent} webhooks, {after_promotion} after the promotion, {refused} refused"
    );
    assert!(after_promotion >= 10);
    assert!(refused > 0, "webhooks signed with the promoted token are refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_rotation_is_finished_by_running_it_again() {
    let h = harness(Validation::Refreshing(RefreshPolicy::default())).await;
    let former = h.sim.auth_tokens().primary;
    let account = AccountSid::parse(&h.sim.account().account_sid).unwrap();
    let admin = RestClient::with_auth_token(account.clone(), former.clone().into(), &h.url, RetryPolicy::default())
        .unwrap()
        .with_accounts_base_url(&h.url)
        .unwrap();

    // Stopped after storing the secondary token: the next run resumes at the wait.
    let secondary = admin.create_secondary_auth_token().await.unwrap();
    let mut stored = h.secret.read_json().await.unwrap();
    let token = secrecy::ExposeSecret::expose_secret(&secondary.secondary_auth_token).to_owned();
    stored.insert("auth_token_secondary".into(), Value::String(token.clone()));
    h.secret.write_json(&stored).await.unwrap();
    let (code, out, err) = h.rotate(0).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["resumed"], true);
    assert!(err.contains("resuming"), "{err}");
    h.assert_rotated(&former).await;
    assert_eq!(h.sim.auth_tokens().primary, token);

    // Stopped after the promotion, before storing: the next run only stores it.
    let before = h.sim.auth_tokens().primary;
    let admin = RestClient::with_auth_token(account, before.clone().into(), &h.url, RetryPolicy::default())
        .unwrap()
        .with_accounts_base_url(&h.url)
        .unwrap();
    let third = admin.create_secondary_auth_token().await.unwrap();
    let third = secrecy::ExposeSecret::expose_secret(&third.secondary_auth_token).to_owned();
    let mut stored = h.secret.read_json().await.unwrap();
    stored.insert("auth_token_secondary".into(), Value::String(third.clone()));
    h.secret.write_json(&stored).await.unwrap();
    admin.promote_secondary_auth_token().await.unwrap();
    let (code, out, err) = h.rotate(0).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out["steps"],
        json!([
            "found it already promoted at Twilio",
            "stored it as auth_token and dropped auth_token_secondary"
        ])
    );
    h.assert_rotated(&before).await;
    assert_eq!(h.sim.auth_tokens().primary, third);
    let tokens: AuthTokens = h.secret.read().await.unwrap().auth_tokens();
    assert!(tokens.secondary.is_none());
}
