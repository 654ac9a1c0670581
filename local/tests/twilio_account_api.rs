//! The simulator's account resources (TwiML Apps, API keys, phone numbers, auth tokens) as
//! Twilio's OpenAPI spec defines them: each answer has exactly the fields of the spec's
//! response schema and the spec's status code, lists page and name their next page, and the
//! credentials behave as Twilio's do (a Standard key may not manage keys; a secondary auth token
//! authenticates at once; the former primary token stops working at the promotion).

use local::sim::{SimAccount, SimConfig, Simulator};
use serde_json::Value;
use shared::twilio::rest::{
    ApplicationSettings, ListApplications, ListIncomingPhoneNumbers, ListKeys, RestClient, RestError, RetryPolicy,
    TwilioCredentials,
};
use shared::twilio::twiml::HttpMethod;
use shared::twilio::{AccountSid, ApiKeySid, ApplicationSid, PhoneNumberSid};

const MAIN: &str = "+81368000001";
const SALES: &str = "+815030001234";

struct Twilio {
    sim: Simulator,
    url: String,
    http: reqwest::Client,
}

async fn twilio() -> Twilio {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let config = SimConfig {
        default_to: MAIN.into(),
        numbers: vec![SALES.into()],
        ..SimConfig::default()
    };
    let sim = Simulator::new(SimAccount::from_seed(b"account resources"), &url, config);
    let app = local::sim::rest::routes(sim.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Twilio {
        sim,
        url,
        http: shared::tls::http_client().build().unwrap(),
    }
}

impl Twilio {
    fn account(&self) -> AccountSid {
        AccountSid::parse(&self.sim.account().account_sid).unwrap()
    }

    fn admin_with(&self, token: &str) -> RestClient {
        RestClient::with_auth_token(
            self.account(),
            token.to_owned().into(),
            &self.url,
            RetryPolicy::default(),
        )
        .unwrap()
        .with_accounts_base_url(&self.url)
        .unwrap()
    }

    fn admin(&self) -> RestClient {
        self.admin_with(&self.sim.auth_tokens().primary)
    }

    fn functions(&self) -> RestClient {
        let a = self.sim.account();
        RestClient::with_base_url(
            TwilioCredentials {
                account_sid: self.account(),
                api_key_sid: ApiKeySid::parse(&a.api_key_sid).unwrap(),
                api_key_secret: a.api_key_secret.clone().into(),
            },
            &self.url,
            RetryPolicy::default(),
        )
        .unwrap()
        .with_accounts_base_url(&self.url)
        .unwrap()
    }

    /// A raw request with the account's credentials: status and JSON body.
    async fn raw(&self, method: &str, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let url = format!("{}{path}", self.url);
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).form(form),
        };
        let response = request
            .basic_auth(&self.sim.account().account_sid, Some(self.sim.auth_tokens().primary))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    fn path(&self, rest: &str) -> String {
        format!("/2010-04-01/Accounts/{}/{rest}", self.sim.account().account_sid)
    }
}

/// The property names of a schema of the committed spec subset.
fn schema_fields(pointer: &str) -> Vec<String> {
    let spec: Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/testdata/twilio/api_v2010_voice_subset.json"
    )))
    .unwrap();
    let mut names: Vec<String> = spec
        .pointer(pointer)
        .and_then(|schema| schema["properties"].as_object())
        .unwrap_or_else(|| panic!("{pointer} is in the subset"))
        .keys()
        .cloned()
        .collect();
    names.sort();
    names
}

fn component(name: &str) -> Vec<String> {
    schema_fields(&format!("/components/schemas/{}", name.replace('/', "~1")))
}

fn list_response(path: &str) -> Vec<String> {
    schema_fields(&format!(
        "/paths/{}/get/responses/200/content/application~1json/schema",
        path.replace('~', "~0").replace('/', "~1")
    ))
}

fn fields(json: &Value) -> Vec<String> {
    let mut names: Vec<String> = json.as_object().unwrap().keys().cloned().collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_has_the_fields_and_status_of_twilios_spec() {
    let t = twilio().await;
    let (status, app) = t
        .raw(
            "POST",
            &t.path("Applications.json"),
            &[("FriendlyName", "Other app"), ("VoiceUrl", "https://x.example/voice")],
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(fields(&app), component("api.v2010.account.application"));
    let (status, fetched) = t
        .raw(
            "GET",
            &t.path(&format!("Applications/{}.json", app["sid"].as_str().unwrap())),
            &[],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(fetched, app);
    let (_, apps) = t.raw("GET", &t.path("Applications.json"), &[]).await;
    assert_eq!(
        fields(&apps),
        list_response("/2010-04-01/Accounts/{AccountSid}/Applications.json")
    );

    let (status, new_key) = t.raw("POST", &t.path("Keys.json"), &[("FriendlyName", "k")]).await;
    assert_eq!(status, 201);
    assert_eq!(fields(&new_key), component("api.v2010.account.new_key"));
    let key_path = t.path(&format!("Keys/{}.json", new_key["sid"].as_str().unwrap()));
    let (status, key) = t.raw("GET", &key_path, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(
        fields(&key),
        component("api.v2010.account.key"),
        "no secret after creation"
    );
    let (_, keys) = t.raw("GET", &t.path("Keys.json"), &[]).await;
    assert_eq!(
        fields(&keys),
        list_response("/2010-04-01/Accounts/{AccountSid}/Keys.json")
    );
    assert_eq!(t.raw("DELETE", &key_path, &[]).await.0, 204);
    let (status, gone) = t.raw("GET", &key_path, &[]).await;
    assert_eq!(status, 404);
    assert_eq!(gone["code"], 20404);

    let (_, numbers) = t.raw("GET", &t.path("IncomingPhoneNumbers.json"), &[]).await;
    assert_eq!(
        fields(&numbers),
        list_response("/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json")
    );
    let number = &numbers["incoming_phone_numbers"][0];
    assert_eq!(fields(number), component("api.v2010.account.incoming_phone_number"));
    let (status, updated) = t
        .raw(
            "POST",
            &t.path(&format!(
                "IncomingPhoneNumbers/{}.json",
                number["sid"].as_str().unwrap()
            )),
            &[("VoiceUrl", "https://console.example.jp/twilio/voice/incoming")],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(fields(&updated), fields(number));

    let (status, refused) = t
        .raw(
            "POST",
            &t.path(&format!(
                "IncomingPhoneNumbers/{}.json",
                number["sid"].as_str().unwrap()
            )),
            &[("VoiceUrl", "/relative")],
        )
        .await;
    assert_eq!(status, 400, "checked against the spec: {refused}");
    assert_eq!(refused["code"], 21100);
    assert_eq!(
        t.raw(
            "DELETE",
            &t.path("Applications/AP00000000000000000000000000000000.json"),
            &[]
        )
        .await
        .0,
        405
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_filter_and_page_as_twilio_does() {
    let t = twilio().await;
    let admin = t.admin();
    for name in ["Operator console", "Operator console", "Other"] {
        admin
            .create_application(&ApplicationSettings {
                friendly_name: Some(name.to_owned()),
                voice_url: Some("https://console.example.jp/twilio/voice/outbound".to_owned()),
                voice_method: Some(HttpMethod::Post),
                ..ApplicationSettings::default()
            })
            .await
            .unwrap();
    }
    let named = admin
        .list_applications(&ListApplications {
            friendly_name: Some("Operator console".to_owned()),
            page_size: Some(1),
        })
        .await
        .unwrap();
    assert_eq!(
        named.len(),
        3,
        "the simulator's own app and the two made here, one per page"
    );
    let pages: Vec<_> = t
        .sim
        .rest_log()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/Applications.json"))
        .map(|r| r.params)
        .collect();
    assert_eq!(pages.len(), 3);
    assert!(
        pages[2].contains(&("Page".to_owned(), "2".to_owned()))
            && pages[2].contains(&("FriendlyName".to_owned(), "Operator console".to_owned())),
        "{pages:?}"
    );
    assert_eq!(
        admin
            .list_applications(&ListApplications::default())
            .await
            .unwrap()
            .len(),
        4
    );

    let found = admin
        .list_incoming_phone_numbers(&ListIncomingPhoneNumbers {
            phone_number: Some("3000".to_owned()),
            page_size: None,
        })
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|n| n.phone_number.as_str()).collect::<Vec<_>>(),
        [SALES],
        "a PhoneNumber filter matches the numbers containing it"
    );
    let none = admin
        .list_incoming_phone_numbers(&ListIncomingPhoneNumbers {
            phone_number: Some("+81399990000".to_owned()),
            page_size: None,
        })
        .await
        .unwrap();
    assert!(none.is_empty());
    let keys = admin.list_keys(&ListKeys { page_size: Some(1) }).await.unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].sid.as_str(), t.sim.account().api_key_sid);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standard_key_may_not_manage_keys_and_a_deleted_key_authenticates_nothing() {
    let t = twilio().await;
    let functions = t.functions();
    let number = t.sim.incoming_number(MAIN).unwrap();
    let number_sid = PhoneNumberSid::parse(&number.sid).unwrap();
    assert!(functions.fetch_incoming_phone_number(&number_sid).await.is_ok());
    for refused in [
        functions.create_key("mine").await.map(drop),
        functions.list_keys(&ListKeys::default()).await.map(drop),
        functions.create_secondary_auth_token().await.map(drop),
    ] {
        assert!(
            matches!(&refused, Err(RestError::Api(e)) if e.status == 401 && e.code == Some(20003)),
            "{refused:?}"
        );
    }
    let admin = t.admin();
    admin
        .delete_key(&ApiKeySid::parse(&t.sim.account().api_key_sid).unwrap())
        .await
        .unwrap();
    let refused = functions.fetch_incoming_phone_number(&number_sid).await;
    assert!(matches!(refused, Err(RestError::Api(e)) if e.status == 401));
    assert_eq!(
        admin
            .fetch_key(&ApiKeySid::parse(&t.sim.account().api_key_sid).unwrap())
            .await
            .unwrap(),
        None
    );
    let made = admin
        .update_application(
            &ApplicationSid::parse(&t.sim.account().twiml_app_sid).unwrap(),
            &ApplicationSettings {
                voice_fallback_url: Some("https://d111.cloudfront.net/twilio/fallback.xml".to_owned()),
                voice_fallback_method: Some(HttpMethod::Get),
                ..ApplicationSettings::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(made.voice_fallback_method, Some(HttpMethod::Get));
    assert_eq!(
        made.voice_url.as_deref(),
        Some(format!("{}/twilio/voice/outbound", t.url).as_str()),
        "fields left out are kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secondary_token_authenticates_at_once_and_replaces_the_primary_when_promoted() {
    let t = twilio().await;
    let first = t.sim.auth_tokens().primary;
    let admin = t.admin();
    let (status, _) = t.raw("POST", "/v1/AuthTokens/Promote", &[]).await;
    assert_eq!(status, 404, "nothing to promote yet");

    let (status, created) = t.raw("POST", "/v1/AuthTokens/Secondary", &[]).await;
    assert_eq!(status, 201);
    assert_eq!(
        fields(&created),
        [
            "account_sid",
            "date_created",
            "date_updated",
            "secondary_auth_token",
            "url"
        ]
    );
    assert_eq!(t.raw("DELETE", "/v1/AuthTokens/Secondary", &[]).await.0, 204);
    assert_eq!(t.raw("DELETE", "/v1/AuthTokens/Secondary", &[]).await.0, 404);

    let secondary = admin.create_secondary_auth_token().await.unwrap();
    let second = secrecy::ExposeSecret::expose_secret(&secondary.secondary_auth_token).to_owned();
    assert!(shared::config::is_auth_token(&second));
    let with_second = t.admin_with(&second);
    assert!(
        with_second.list_keys(&ListKeys::default()).await.is_ok(),
        "usable before promotion"
    );
    assert!(
        admin.list_keys(&ListKeys::default()).await.is_ok(),
        "as the primary still is"
    );

    let promoted = with_second.promote_secondary_auth_token().await.unwrap();
    assert_eq!(secrecy::ExposeSecret::expose_secret(&promoted.auth_token), second);
    assert_eq!(t.sim.auth_tokens().primary, second);
    assert_eq!(t.sim.auth_tokens().secondary, None);
    assert!(matches!(
        admin.list_keys(&ListKeys::default()).await,
        Err(RestError::Api(e)) if e.status == 401
    ));
    assert_ne!(first, second);
    let (status, body) = t.raw("POST", "/v1/AuthTokens/Promote", &[("AuthToken", "x")]).await;
    assert_eq!(
        (status, body["code"].clone()),
        (400, Value::from(20001)),
        "checked against the spec"
    );
}
