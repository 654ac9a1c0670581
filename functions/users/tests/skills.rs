//! Operators' skills through the users router: an admin gives an operator the queues they take
//! and takes them away again; a queue the centre does not have is refused 422 in Japanese, an
//! unknown user 404, and anyone but an admin 403.

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

async fn app() -> (axum::Router, Services) {
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
    services
        .settings
        .put_section(
            "queues",
            0,
            json!([{"id": "general", "name": "総合窓口"}, {"id": "billing", "name": "料金窓口"}, {"id": "repair", "name": "修理窓口"}]),
        )
        .await
        .unwrap();
    (users::router(UsersState::new(directory, &services)), services)
}

async fn put_skills(app: &axum::Router, who: &str, role: Role, id: &str, queues: Value) -> (StatusCode, Value) {
    let req = json_request("PUT", &format!("/api/users/{id}/skills"), &json!({"queues": queues}));
    call(app, signed_in(req, who, role)).await
}

#[tokio::test]
async fn an_admin_gives_an_operator_queues_and_takes_them_away_again() {
    let (app, services) = app().await;
    let sato = OperatorId::parse("op-sato").unwrap();

    // Given an operator who never signed in, when the admin gives them two queues (one twice),
    let (status, body) = put_skills(
        &app,
        ADMIN,
        Role::Admin,
        "op-sato",
        json!(["billing", "repair", "billing"]),
    )
    .await;
    // then their profile carries them, once each, before their first sign-in.
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"queues": ["billing", "repair"]}));
    let op = services.operators.get(&sato).await.unwrap();
    assert_eq!(op.skills, Some(vec!["billing".to_owned(), "repair".to_owned()]));
    assert_eq!(op.name, "佐藤 花子");
    let (status, body) = call(&app, signed_in(request("GET", "/api/users/skills"), ADMIN, Role::Admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"skills": {"op-sato": ["billing", "repair"]}}));

    // An empty list takes the skills away: they take every queue again.
    let (status, body) = put_skills(&app, ADMIN, Role::Admin, "op-sato", json!([])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"queues": []}));
    assert_eq!(services.operators.get(&sato).await.unwrap().skills, None);
    let (_, body) = call(&app, signed_in(request("GET", "/api/users/skills"), ADMIN, Role::Admin)).await;
    assert_eq!(body, json!({"skills": {}}));
}

#[tokio::test]
async fn unknown_queues_and_users_are_refused_and_only_admins_may_set_skills() {
    let (app, services) = app().await;
    let (status, body) = put_skills(&app, ADMIN, Role::Admin, "op-sato", json!(["billing", "sales"])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["error"]["message"],
        "窓口「sales」はありません。窓口の設定にあるものを選んでください"
    );
    assert_eq!(body["error"]["field"], "queues");
    assert!(
        services
            .operators
            .get(&OperatorId::parse("op-sato").unwrap())
            .await
            .is_err(),
        "nothing was written"
    );
    let (status, _) = put_skills(&app, ADMIN, Role::Admin, "op-nobody", json!(["billing"])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = put_skills(&app, "sv-kato", Role::Supervisor, "op-sato", json!(["billing"])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &app,
        signed_in(request("GET", "/api/users/skills"), "op-sato", Role::Operator),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let req = json_request("PUT", "/api/users/op-sato/skills", &json!({"skills": ["billing"]}));
    let (status, body) = call(&app, signed_in(req, ADMIN, Role::Admin)).await;
    assert_eq!(status.as_u16() / 100, 4, "{body}");
}
