//! The users router: admins list, invite, re-role, disable and enable users; everyone else is
//! refused before anything is read or written; bad input is refused naming the field.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Value, json};
use shared::auth::Role;
use shared::directory::local::StoreDirectory;
use shared::directory::{DisplayName, Email};
use shared::domain::Services;
use shared::ids::OperatorId;
use shared::store::embedded::EmbeddedStore;
use shared::testing::{call, json_request, request, signed_in};
use users::UsersState;

const ADMIN: &str = "admin-watanabe";

struct App {
    router: axum::Router,
    services: Services,
}

/// The router on an embedded store whose directory has the admin and one operator.
async fn app() -> App {
    let services = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    let directory = Arc::new(StoreDirectory::new(services.store.clone()));
    for (id, name, role) in [
        (ADMIN, "渡辺 由美", Role::Admin),
        ("op-sato", "佐藤 花子", Role::Operator),
    ] {
        let email = Email::parse(&format!("{id}@example.jp")).unwrap();
        let name = DisplayName::parse(name).unwrap();
        directory
            .import(&OperatorId::parse(id).unwrap(), &email, &name, role)
            .await
            .unwrap();
    }
    App {
        router: users::router(UsersState::new(directory, &services)),
        services,
    }
}

async fn as_admin(app: &App, req: axum::http::Request<axum::body::Body>) -> (StatusCode, Value) {
    call(&app.router, signed_in(req, ADMIN, Role::Admin)).await
}

fn invite(email: &str, name: &str, role: &str) -> axum::http::Request<axum::body::Body> {
    json_request(
        "POST",
        "/api/users",
        &json!({"email": email, "name": name, "role": role}),
    )
}

fn emails(list: &Value) -> Vec<String> {
    list["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn only_admins_may_list_invite_or_change_users_and_a_refusal_changes_nothing() {
    let app = app().await;
    for role in [Role::Operator, Role::Supervisor] {
        for req in [
            request("GET", "/api/users"),
            invite("new@example.jp", "新人", "operator"),
            json_request("PUT", "/api/users/op-sato", &json!({"enabled": false})),
        ] {
            let what = format!("{} {}", req.method(), req.uri());
            let (status, body) = call(&app.router, signed_in(req, "sv-ito", role)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{what} as {role:?}: {body}");
            assert!(body["error"]["message"].as_str().unwrap().contains("admin"), "{body}");
        }
    }
    let (status, _) = call(&app.router, request("GET", "/api/users")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, list) = as_admin(&app, request("GET", "/api/users")).await;
    assert_eq!(emails(&list).len(), 2, "nobody was invited");
    assert!(list["users"].as_array().unwrap().iter().all(|u| u["enabled"] == true));
}

#[tokio::test]
async fn an_admin_invites_a_user_who_is_listed_waiting_for_their_first_sign_in() {
    let app = app().await;
    let (status, user) = as_admin(&app, invite(" new.operator@example.jp ", " 小林 さくら ", "operator")).await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert_eq!(user["email"], "new.operator@example.jp");
    assert_eq!(user["name"], "小林 さくら");
    assert_eq!(user["role"], "operator");
    assert_eq!(user["enabled"], true);
    assert_eq!(user["status"], "FORCE_CHANGE_PASSWORD");
    assert!(OperatorId::parse(user["id"].as_str().unwrap()).is_ok(), "{user}");
    assert!(user["created_at"].as_str().is_some_and(|t| !t.is_empty()));

    let (status, list) = as_admin(&app, request("GET", "/api/users")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(emails(&list).contains(&"new.operator@example.jp".to_owned()));
    assert!(list.get("next_cursor").is_none(), "one page: {list}");
}

#[tokio::test]
async fn a_bad_invitation_is_refused_naming_the_field_to_fix() {
    let app = app().await;
    let cases = [
        (
            json!({"email": "sato.example.jp", "name": "佐藤", "role": "operator"}),
            "email",
            "invalid_email",
        ),
        (
            json!({"email": "sato@", "name": "佐藤", "role": "operator"}),
            "email",
            "invalid_email",
        ),
        (json!({"name": "佐藤", "role": "operator"}), "email", "required"),
        (
            json!({"email": "sato2@example.jp", "name": "  ", "role": "operator"}),
            "name",
            "required",
        ),
        (
            json!({"email": "sato2@example.jp", "name": "長".repeat(101), "role": "operator"}),
            "name",
            "too_long",
        ),
        (
            json!({"email": "sato2@example.jp", "name": "佐藤", "role": "manager"}),
            "role",
            "unknown_role",
        ),
        (json!({"email": "sato2@example.jp", "name": "佐藤"}), "role", "required"),
    ];
    for (body, field, code) in cases {
        let (status, answer) = as_admin(&app, json_request("POST", "/api/users", &body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(answer["error"]["field"], field, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{body}: {answer}");
        assert!(!answer["error"]["message"].as_str().unwrap().is_empty());
    }
    let (status, answer) = as_admin(
        &app,
        json_request(
            "POST",
            "/api/users",
            &json!({"email": "a@b.jp", "name": "x", "role": "operator", "admin": true}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "unknown fields are refused: {answer}");
    let (_, list) = as_admin(&app, request("GET", "/api/users")).await;
    assert_eq!(emails(&list).len(), 2, "nothing was invited");
}

#[tokio::test]
async fn an_address_already_in_the_directory_is_a_conflict() {
    let app = app().await;
    let (status, _) = as_admin(&app, invite("kobayashi@example.jp", "小林", "operator")).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = as_admin(&app, invite("Kobayashi@Example.jp", "別の小林", "admin")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "email_taken");
}

#[tokio::test]
async fn a_long_list_comes_in_pages_and_a_tampered_cursor_is_refused() {
    let app = app().await;
    for n in 0..60 {
        let (status, body) = as_admin(
            &app,
            invite(&format!("user{n:02}@example.jp"), &format!("利用者{n}"), "operator"),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, first) = as_admin(&app, request("GET", "/api/users")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["users"].as_array().unwrap().len(), 60);
    let cursor = first["next_cursor"].as_str().expect("a next page").to_owned();
    let (status, second) = as_admin(&app, request("GET", &format!("/api/users?cursor={cursor}"))).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["users"].as_array().unwrap().len(), 2);
    assert!(second.get("next_cursor").is_none());
    let mut all = emails(&first);
    all.extend(emails(&second));
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 62, "everyone once");

    let (status, again) = as_admin(&app, request("GET", "/api/users?cursor=")).await;
    assert_eq!(status, StatusCode::OK, "an empty cursor is the first page: {again}");
    assert_eq!(emails(&again), emails(&first));

    let (status, body) = as_admin(&app, request("GET", "/api/users?cursor=bm90LWEtY3Vyc29y")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "cursor");
}

#[tokio::test]
async fn an_admin_changes_a_role_then_disables_and_enables_a_user() {
    let app = app().await;
    let sato = OperatorId::parse("op-sato").unwrap();
    app.services
        .operators
        .ensure(&sato, "佐藤 花子", Role::Operator)
        .await
        .unwrap();
    app.services.operators.set_status(&sato, "available").await.unwrap();

    let (status, user) = as_admin(
        &app,
        json_request("PUT", "/api/users/op-sato", &json!({"role": "supervisor"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["role"], "supervisor");
    assert_eq!(app.services.operators.get(&sato).await.unwrap().role, Role::Supervisor);

    let (status, user) = as_admin(
        &app,
        json_request("PUT", "/api/users/op-sato", &json!({"enabled": false})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["enabled"], false);
    let profile = app.services.operators.get(&sato).await.unwrap();
    assert!(profile.disabled);
    assert_eq!(profile.status, "offline", "taken out of the available pool");

    let (status, user) = as_admin(
        &app,
        json_request(
            "PUT",
            "/api/users/op-sato",
            &json!({"enabled": true, "role": "operator"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(
        (user["enabled"].clone(), user["role"].clone()),
        (json!(true), json!("operator"))
    );
    let profile = app.services.operators.get(&sato).await.unwrap();
    assert!(!profile.disabled);
    assert_eq!(profile.status, "offline", "back, but not available until they choose");
}

#[tokio::test]
async fn an_unknown_user_is_not_found() {
    let app = app().await;
    for id in ["op-nobody", "0f8e2c1a-0000-4000-8000-000000000000", "NOT%20AN%20ID"] {
        let (status, body) = as_admin(
            &app,
            json_request("PUT", &format!("/api/users/{id}"), &json!({"enabled": false})),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}: {body}");
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    // An id no user can have is refused by the path, saying what an id looks like.
    let (status, body) = as_admin(
        &app,
        json_request("PUT", "/api/users/Op_Sato", &json!({"enabled": false})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Op_Sato") && message.contains("operator id: lower-case letters, digits and -"),
        "{message}"
    );
}

#[tokio::test]
async fn an_admin_cannot_disable_or_demote_themselves() {
    let app = app().await;
    for change in [
        json!({"enabled": false}),
        json!({"role": "operator"}),
        json!({"role": "supervisor", "enabled": true}),
    ] {
        let (status, body) = as_admin(&app, json_request("PUT", &format!("/api/users/{ADMIN}"), &change)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{change}: {body}");
        assert_eq!(body["error"]["code"], "self_lockout");
    }
    let (_, list) = as_admin(&app, request("GET", "/api/users")).await;
    let me = list["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == ADMIN)
        .unwrap()
        .clone();
    assert_eq!(
        (me["role"].clone(), me["enabled"].clone()),
        (json!("admin"), json!(true))
    );
    let (status, _) = as_admin(
        &app,
        json_request("PUT", &format!("/api/users/{ADMIN}"), &json!({"role": "admin"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "keeping one's own admin role is fine");
}

#[tokio::test]
async fn a_change_that_changes_nothing_or_names_no_role_is_refused() {
    let app = app().await;
    let (status, body) = as_admin(&app, json_request("PUT", "/api/users/op-sato", &json!({}))).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("nothing_to_change"))
    );
    let (status, body) = as_admin(
        &app,
        json_request("PUT", "/api/users/op-sato", &json!({"role": "boss"})),
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("role"))
    );
    let (status, _) = as_admin(
        &app,
        json_request("PUT", "/api/users/op-sato", &json!({"enabled": "no"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[test]
fn the_routes_are_the_ones_the_catalog_deploys() {
    use utoipa::OpenApi;
    let doc = serde_json::to_value(users::ApiDoc::openapi()).unwrap();
    let mut paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "/api/users",
            "/api/users/skills",
            "/api/users/{id}",
            "/api/users/{id}/skills"
        ]
    );
    let catalog: Value = serde_json::from_str(include_str!("../../../infra/functions.json")).unwrap();
    let entry = catalog["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "users")
        .expect("users is in the catalog");
    let routes: Vec<&str> = entry["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(routes, ["/api/users", "/api/users/{proxy+}"]);
    assert_eq!(entry["authorizer"], "jwt");
    assert_eq!(entry["secrets"], json!([]));
}
