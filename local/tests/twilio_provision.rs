//! `twilio-provision` against the Twilio simulator: a dry run lists every change and writes
//! nothing, the first run makes them, a second run writes nothing, a number outside the account
//! is named, credentials come from the environment only, and a call to a provisioned number
//! follows its new configuration. Writes are counted from the simulator's request log (every
//! request that is not a GET), not from the command's own report.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use local::sim::{SimAccount, SimConfig, Simulator};
use serde_json::Value;
use shared::twilio::rest::{RestClient, RetryPolicy, TwilioCredentials, UpdateIncomingPhoneNumber};
use shared::twilio::signature::{AuthTokens, WebhookValidator};
use shared::twilio::{AccountSid, ApiKeySid, ApplicationSid, PhoneNumberSid};

const MAIN: &str = "+81368000001";
const SALES: &str = "+815030001234";
const API: &str = "https://console.example.jp";
const FALLBACK: &str = "https://d111.cloudfront.net/twilio/fallback.xml";

/// The simulator serving Twilio's REST API on a loopback port.
struct Twilio {
    sim: Simulator,
    url: String,
}

async fn twilio() -> Twilio {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let config = SimConfig {
        default_to: MAIN.into(),
        numbers: vec![SALES.into()],
        ..SimConfig::default()
    };
    let sim = Simulator::new(SimAccount::from_seed(b"twilio-provision test"), &url, config);
    let app = local::sim::rest::routes(sim.clone()).merge(local::sim::api::routes(sim.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Twilio { sim, url }
}

impl Twilio {
    fn account(&self) -> &SimAccount {
        self.sim.account()
    }

    /// Requests that changed something (everything but reads).
    fn writes(&self) -> usize {
        self.sim.rest_log().iter().filter(|r| r.method != "GET").count()
    }

    fn admin(&self) -> RestClient {
        RestClient::with_auth_token(
            AccountSid::parse(&self.account().account_sid).unwrap(),
            self.sim.auth_tokens().primary.into(),
            &self.url,
            RetryPolicy::default(),
        )
        .unwrap()
    }
}

/// What a run of the command left: exit status, stdout as JSON, stderr.
struct Run {
    code: i32,
    out: Value,
    err: String,
}

async fn provision(t: &Twilio, env: &[(&str, &str)], args: &[&str]) -> Run {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_twilio-provision"))
        .args(["--account-sid", &t.account().account_sid, "--twilio-api-base", &t.url])
        .args(args)
        .env_remove("TWILIO_AUTH_TOKEN")
        .env_remove("TWILIO_API_KEY")
        .env_remove("TWILIO_API_SECRET")
        .envs(env.iter().copied())
        .output()
        .await
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        out: serde_json::from_slice(&output.stdout).unwrap_or(Value::Null),
        err: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn target(numbers: &[&'static str]) -> Vec<&'static str> {
    let mut args = vec!["--api-base-url", API, "--fallback-url", FALLBACK];
    for n in numbers {
        args.extend(["--number", n]);
    }
    args
}

fn fields(step: &Value) -> Vec<&str> {
    step["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_lists_every_change_the_first_run_makes_them_and_a_second_run_writes_nothing() {
    let t = twilio().await;
    let token = t.sim.auth_tokens().primary;
    let env = [("TWILIO_AUTH_TOKEN", token.as_str())];
    let numbers = target(&[MAIN, "050-3000-1234"]);

    let dry = provision(&t, &env, &[numbers.clone(), vec!["--dry-run"]].concat()).await;
    assert_eq!(dry.code, 0, "{}", dry.err);
    assert_eq!(t.writes(), 0, "a dry run writes nothing");
    let plan = dry.out["plan"].as_array().unwrap();
    let actions: Vec<&str> = plan.iter().map(|s| s["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["update_application", "create_api_key", "update_number", "update_number"]
    );
    assert_eq!(plan[0]["sid"], t.account().twiml_app_sid.as_str());
    assert_eq!(
        fields(&plan[0]),
        ["VoiceUrl", "VoiceFallbackUrl", "VoiceFallbackMethod", "StatusCallback"]
    );
    assert_eq!(plan[0]["changes"][0]["to"], format!("{API}/twilio/voice/outbound"));
    assert_eq!(plan[1]["reason"], "the secret has no API key");
    for (step, number) in plan[2..].iter().zip([MAIN, SALES]) {
        assert_eq!(step["phone_number"], number);
        assert_eq!(
            fields(step),
            ["VoiceUrl", "VoiceFallbackUrl", "VoiceFallbackMethod", "StatusCallback"]
        );
        assert_eq!(step["changes"][0]["from"], format!("{}/twilio/voice/incoming", t.url));
        assert_eq!(step["changes"][0]["to"], format!("{API}/twilio/voice/incoming"));
        assert_eq!(step["changes"][2]["to"], "GET");
        assert_eq!(
            step["changes"][3]["to"],
            format!("{API}/twilio/voice/status#rc=3&rp=ct,rt,5xx")
        );
    }
    assert_eq!(dry.out["writes"], 0);
    assert_eq!(dry.out["secret"], Value::Null);
    assert!(dry.err.contains("dry run: nothing written"), "{}", dry.err);
    assert!(
        dry.err.contains(&format!(
            "VoiceUrl: {}/twilio/voice/incoming -> {API}/twilio/voice/incoming",
            t.url
        )),
        "{}",
        dry.err
    );

    let first = provision(&t, &env, &numbers).await;
    assert_eq!(first.code, 0, "{}", first.err);
    assert_eq!(t.writes(), 4, "one write per step of the plan");
    assert_eq!(first.out["writes"], 4);
    assert_eq!(
        first.out["plan"], dry.out["plan"],
        "the run makes what the dry run listed"
    );
    let secret = &first.out["secret"];
    assert_eq!(secret["account_sid"], t.account().account_sid.as_str());
    assert_eq!(secret["twiml_app_sid"], t.account().twiml_app_sid.as_str());
    let key_sid = secret["api_key_sid"].as_str().unwrap().to_owned();
    let key_secret = secret["api_key_secret"].as_str().unwrap().to_owned();
    assert_ne!(key_sid, t.account().api_key_sid, "a new key for the functions");

    for number in [MAIN, SALES] {
        let n = t.sim.incoming_number(number).unwrap();
        assert_eq!(
            n.voice_url.as_deref(),
            Some("https://console.example.jp/twilio/voice/incoming")
        );
        assert_eq!(n.voice_method, "POST");
        assert_eq!(n.voice_fallback_url.as_deref(), Some(FALLBACK));
        assert_eq!(n.voice_fallback_method, "GET");
        assert_eq!(
            n.status_callback.as_deref(),
            Some("https://console.example.jp/twilio/voice/status#rc=3&rp=ct,rt,5xx")
        );
        assert_eq!(n.status_callback_method, "POST");
        assert_eq!(n.voice_application_sid, None);
    }
    let app = t.sim.application(&t.account().twiml_app_sid).unwrap();
    assert_eq!(
        app.voice_url.as_deref(),
        Some("https://console.example.jp/twilio/voice/outbound")
    );
    assert_eq!(
        app.status_callback.as_deref(),
        Some("https://console.example.jp/twilio/voice/status#rc=3&rp=ct,rt,5xx")
    );

    let functions = RestClient::with_base_url(
        TwilioCredentials {
            account_sid: AccountSid::parse(&t.account().account_sid).unwrap(),
            api_key_sid: ApiKeySid::parse(&key_sid).unwrap(),
            api_key_secret: key_secret.into(),
        },
        &t.url,
        RetryPolicy::default(),
    )
    .unwrap();
    let main_sid = PhoneNumberSid::parse(&t.sim.incoming_number(MAIN).unwrap().sid).unwrap();
    assert!(
        functions.fetch_incoming_phone_number(&main_sid).await.is_ok(),
        "the printed key authenticates"
    );

    let again = provision(
        &t,
        &env,
        &[numbers.clone(), vec!["--current-api-key", key_sid.as_str()]].concat(),
    )
    .await;
    assert_eq!(again.code, 0, "{}", again.err);
    assert_eq!(t.writes(), 4, "a second run writes nothing");
    assert_eq!(again.out["plan"], serde_json::json!([]));
    assert_eq!(again.out["writes"], 0);
    assert_eq!(again.out["secret"]["api_key_sid"], key_sid.as_str());
    assert!(
        again.out["secret"].get("api_key_secret").is_none(),
        "a kept key's secret is never printed (Twilio does not show it again)"
    );
    assert!(again.err.contains("already right"), "{}", again.err);

    // Someone hands the number to a TwiML App by hand: the next run takes it back, and only that.
    let app_sid = ApplicationSid::parse(&t.account().twiml_app_sid).unwrap();
    t.admin()
        .update_incoming_phone_number(
            &main_sid,
            &UpdateIncomingPhoneNumber {
                voice_application_sid: Some(Some(app_sid)),
                ..UpdateIncomingPhoneNumber::default()
            },
        )
        .await
        .unwrap();
    let writes = t.writes();
    let drifted = provision(
        &t,
        &env,
        &[numbers, vec!["--current-api-key", key_sid.as_str()]].concat(),
    )
    .await;
    assert_eq!(drifted.code, 0, "{}", drifted.err);
    let plan = drifted.out["plan"].as_array().unwrap();
    assert_eq!(plan.len(), 1, "{plan:?}");
    assert_eq!(fields(&plan[0]), ["VoiceApplicationSid"]);
    assert_eq!(plan[0]["changes"][0]["to"], Value::Null);
    assert_eq!(t.writes(), writes + 1);
    assert_eq!(t.sim.incoming_number(MAIN).unwrap().voice_application_sid, None);
    let last = t.sim.rest_log().last().cloned().unwrap();
    assert_eq!(last.params, vec![("VoiceApplicationSid".to_owned(), String::new())]);
    assert!(
        t.sim.snapshot()["problems"].as_array().unwrap().is_empty(),
        "{}",
        t.sim.snapshot()["problems"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_outside_the_account_is_named_and_nothing_is_written() {
    let t = twilio().await;
    let token = t.sim.auth_tokens().primary;
    let run = provision(
        &t,
        &[("TWILIO_AUTH_TOKEN", token.as_str())],
        &target(&[MAIN, "03-9999-0000", "+81312340000"]),
    )
    .await;
    assert_eq!(run.code, 1);
    assert!(
        run.err
            .contains("+81399990000, +81312340000 are not in the Twilio account"),
        "{}",
        run.err
    );
    assert_eq!(t.writes(), 0);
    assert_eq!(run.out, Value::Null, "no result to store");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_come_from_the_environment_and_a_standard_key_cannot_manage_keys() {
    let t = twilio().await;
    let numbers = target(&[MAIN]);

    let flag = provision(&t, &[], &[numbers.clone(), vec!["--auth-token", "0123"]].concat()).await;
    assert_eq!(flag.code, 2);
    assert!(flag.err.contains("is not a flag"), "{}", flag.err);

    let none = provision(&t, &[], &numbers).await;
    assert_eq!(none.code, 1);
    assert!(none.err.contains("no Twilio credentials"), "{}", none.err);

    let malformed = provision(&t, &[("TWILIO_AUTH_TOKEN", "not-a-token")], &numbers).await;
    assert_eq!(malformed.code, 1);
    assert!(
        malformed.err.contains("TWILIO_AUTH_TOKEN is not an auth token"),
        "{}",
        malformed.err
    );

    let wrong = provision(
        &t,
        &[("TWILIO_AUTH_TOKEN", "00000000000000000000000000000000")],
        &numbers,
    )
    .await;
    assert_eq!(wrong.code, 1);
    assert!(wrong.err.contains("HTTP 401 (Twilio error 20003)"), "{}", wrong.err);

    let account = t.account().clone();
    let standard = provision(
        &t,
        &[
            ("TWILIO_API_KEY", account.api_key_sid.as_str()),
            ("TWILIO_API_SECRET", account.api_key_secret.as_str()),
        ],
        &[numbers.clone(), vec!["--current-api-key", account.api_key_sid.as_str()]].concat(),
    )
    .await;
    assert_eq!(standard.code, 1);
    assert!(standard.err.contains("Twilio error 20003"), "{}", standard.err);

    let missing = provision(
        &t,
        &[("TWILIO_AUTH_TOKEN", t.sim.auth_tokens().primary.as_str())],
        &["--api-base-url", API, "--number", MAIN],
    )
    .await;
    assert_eq!(missing.code, 2);
    assert!(missing.err.contains("--fallback-url is required"), "{}", missing.err);
    assert_eq!(t.writes(), 0);
}

/// A stand-in for the console and CloudFront: records what Twilio requested, answers the
/// incoming webhook with a failure (so the fallback is fetched), the fallback document with
/// TwiML, and the status callback with 204.
#[derive(Clone, Default)]
struct Recorder {
    seen: Arc<Mutex<Vec<Seen>>>,
    validator: Arc<Mutex<Option<WebhookValidator>>>,
}

/// A request the recorder received.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: String,
    /// Whether its X-Twilio-Signature validated with the account's token.
    signed: bool,
}

async fn record(State(r): State<Recorder>, request: Request) -> axum::response::Response {
    let method = request.method().to_string();
    let uri = request.uri().clone();
    let signature = request
        .headers()
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let host = request
        .headers()
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = axum::body::to_bytes(request.into_body(), 64 * 1024).await.unwrap();
    let params: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let url = format!("http://{host}{uri}");
    let signed = r
        .validator
        .lock()
        .unwrap()
        .as_ref()
        .is_some_and(|v| v.validate(&url, &params, &signature).is_ok());
    r.seen.lock().unwrap().push(Seen {
        method,
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        signed,
    });
    match uri.path() {
        "/twilio/voice/incoming" => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        "/twilio/fallback.xml" => (
            [("content-type", "text/xml")],
            "<Response><Say language=\"ja-JP\">ただいま電話が混み合っております。</Say><Hangup/></Response>",
        )
            .into_response(),
        _ => StatusCode::NO_CONTENT.into_response(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_to_a_provisioned_number_follows_its_new_configuration() {
    let t = twilio().await;
    let recorder = Recorder::default();
    *recorder.validator.lock().unwrap() = Some(WebhookValidator::with_tokens(AuthTokens::primary(
        t.sim.auth_tokens().primary.into(),
    )));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let console = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(record).with_state(recorder.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let fallback = format!("{console}/twilio/fallback.xml");
    let token = t.sim.auth_tokens().primary;
    let run = provision(
        &t,
        &[("TWILIO_AUTH_TOKEN", token.as_str())],
        &[
            "--api-base-url",
            &console,
            "--fallback-url",
            &fallback,
            "--number",
            SALES,
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.err);

    let call = t.sim.start_incoming("+819011112222", SALES);
    let ended = t
        .sim
        .wait_for(Duration::from_secs(10), |w| {
            w.calls.get(&call).filter(|c| c.is_over()).cloned()
        })
        .await
        .expect("the call ends");
    assert_eq!(ended.heard, ["ただいま電話が混み合っております。"]);
    assert!(t.sim.settle(Duration::from_secs(10)).await);
    let seen = recorder.seen.lock().unwrap().clone();
    let paths: Vec<(&str, &str)> = seen.iter().map(|s| (s.method.as_str(), s.path.as_str())).collect();
    assert_eq!(
        paths,
        [
            ("POST", "/twilio/voice/incoming"),
            ("GET", "/twilio/fallback.xml"),
            ("POST", "/twilio/voice/status"),
        ]
    );
    assert!(
        seen[1].query.contains("ErrorCode=11200"),
        "the fallback is told why: {}",
        seen[1].query
    );
    assert!(seen.iter().all(|s| s.signed), "every request signed: {seen:?}");
}
