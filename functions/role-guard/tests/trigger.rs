//! The trigger against moto's Cognito user pool: events shaped as Cognito sends them (the
//! fixture follows the documented pre-token-generation event), users with and without an
//! authenticator registered through Cognito's own TOTP calls.

use aws_credential_types::Credentials;
use aws_lambda_events::event::cognito::CognitoEventUserPoolsPreTokenGen;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::Region;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, AuthFlowType, SoftwareTokenMfaSettingsType};
use role_guard::{MFA_CLAIM, MFA_SETUP, RoleGuard};

fn cognito() -> Client {
    let conf = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(aws_sdk_cognitoidentityprovider::config::BehaviorVersion::latest())
        .region(Region::new("ap-northeast-1"))
        .endpoint_url(shared::testing::moto_endpoint())
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .http_client(shared::tls::aws_http_client())
        .build();
    Client::from_conf(conf)
}

struct Pool {
    client: Client,
    id: String,
    app: String,
}

async fn pool() -> Pool {
    let client = cognito();
    let id = client
        .create_user_pool()
        .pool_name("role-guard-test")
        .mfa_configuration(aws_sdk_cognitoidentityprovider::types::UserPoolMfaType::Optional)
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let app = client
        .create_user_pool_client()
        .user_pool_id(&id)
        .client_name("page")
        .send()
        .await
        .unwrap()
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();
    Pool { client, id, app }
}

impl Pool {
    async fn user(&self, name: &str, authenticator: bool) {
        self.client
            .admin_create_user()
            .user_pool_id(&self.id)
            .username(name)
            .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
            .user_attributes(
                AttributeType::builder()
                    .name("email")
                    .value(format!("{name}@example.jp"))
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        self.client
            .admin_set_user_password()
            .user_pool_id(&self.id)
            .username(name)
            .password("Rehearsal-pass-1")
            .permanent(true)
            .send()
            .await
            .unwrap();
        if !authenticator {
            return;
        }
        // What the page does for the user: associate, verify a code, prefer TOTP.
        let signed_in = self
            .client
            .admin_initiate_auth()
            .user_pool_id(&self.id)
            .client_id(&self.app)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", name)
            .auth_parameters("PASSWORD", "Rehearsal-pass-1")
            .send()
            .await
            .unwrap();
        let access = signed_in
            .authentication_result()
            .unwrap()
            .access_token()
            .unwrap()
            .to_owned();
        self.client
            .associate_software_token()
            .access_token(&access)
            .send()
            .await
            .unwrap();
        // moto's authenticator accepts this one code.
        self.client
            .verify_software_token()
            .access_token(&access)
            .user_code("123456")
            .send()
            .await
            .unwrap();
        self.client
            .set_user_mfa_preference()
            .access_token(&access)
            .software_token_mfa_settings(
                SoftwareTokenMfaSettingsType::builder()
                    .enabled(true)
                    .preferred_mfa(true)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }

    fn event(&self, user: &str, groups: &[&str]) -> CognitoEventUserPoolsPreTokenGen {
        let mut v: serde_json::Value =
            serde_json::from_str(include_str!("fixtures/pre-token-generation.json")).unwrap();
        v["userPoolId"] = self.id.clone().into();
        v["userName"] = user.into();
        v["request"]["groupConfiguration"]["groupsToOverride"] = serde_json::json!(groups);
        serde_json::from_value(v).unwrap()
    }
}

fn groups_and_claim(event: &CognitoEventUserPoolsPreTokenGen) -> (Option<Vec<String>>, Option<String>) {
    let details = event.response.claims_override_details.as_ref();
    (
        details.map(|d| d.group_override_details.groups_to_override.clone()),
        details.and_then(|d| d.claims_to_add_or_override.get(MFA_CLAIM).cloned()),
    )
}

#[tokio::test]
async fn a_supervisor_without_an_authenticator_keeps_only_the_operator_role_and_is_asked_to_register_one() {
    let p = pool().await;
    p.user("ito", false).await;
    let out = RoleGuard::new(p.client.clone())
        .handle(p.event("ito", &["supervisor", "operator"]))
        .await
        .unwrap();
    assert_eq!(
        groups_and_claim(&out),
        (Some(vec!["operator".to_owned()]), Some(MFA_SETUP.to_owned()))
    );
}

#[tokio::test]
async fn an_admin_with_an_authenticator_keeps_every_role() {
    let p = pool().await;
    p.user("watanabe", true).await;
    let out = RoleGuard::new(p.client.clone())
        .handle(p.event("watanabe", &["admin"]))
        .await
        .unwrap();
    assert_eq!(
        groups_and_claim(&out),
        (None, None),
        "the tokens are left as Cognito made them"
    );
}

#[tokio::test]
async fn operators_and_federated_users_are_left_alone_without_a_lookup() {
    let p = pool().await;
    let guard = RoleGuard::new(p.client.clone());
    // Neither user exists in the pool: a lookup would fail the sign-in.
    let out = guard.handle(p.event("sato", &["operator"])).await.unwrap();
    assert_eq!(groups_and_claim(&out), (None, None));
    let mut federated = p.event("corp_ito", &["supervisor"]);
    federated.request.user_attributes.insert(
        "identities".into(),
        r#"[{"providerName":"Corp","providerType":"SAML"}]"#.into(),
    );
    let out = guard.handle(federated).await.unwrap();
    assert_eq!(groups_and_claim(&out), (None, None));
}

#[tokio::test]
async fn an_unknown_user_fails_the_sign_in_with_a_message() {
    let p = pool().await;
    let err = RoleGuard::new(p.client.clone())
        .handle(p.event("nobody", &["admin"]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("second factor"), "{err}");
}

#[tokio::test]
async fn the_answer_is_the_event_cognito_expects_back() {
    let p = pool().await;
    p.user("kato", false).await;
    let out = RoleGuard::new(p.client.clone())
        .handle(p.event("kato", &["admin", "supervisor"]))
        .await
        .unwrap();
    let v = serde_json::to_value(&out).unwrap();
    assert_eq!(
        v["response"]["claimsOverrideDetails"]["groupOverrideDetails"]["groupsToOverride"],
        serde_json::json!([])
    );
    assert_eq!(
        v["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"][MFA_CLAIM],
        MFA_SETUP
    );
    assert_eq!(
        v["userPoolId"],
        serde_json::json!(p.id),
        "the header goes back as it came"
    );
}
