//! The history router: calls and records of a number, an account or a contact, newest first.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::json;
use shared::auth::Role;
use shared::domain::Services;
use shared::domain::calls::{CallSummary, Direction};
use shared::domain::crm::NewRecord;
use shared::ids::{ObjectName, OperatorId};
use shared::store::embedded::EmbeddedStore;
use shared::testing::{call, request, signed_in};

fn call_at(n: usize, account: &str) -> CallSummary {
    CallSummary {
        sid: format!("CA{n:032x}"),
        direction: Direction::Inbound,
        customer: Some("+81312345678".into()),
        customer_display: Some("03-1234-5678".into()),
        line: None,
        status: "completed".into(),
        account_id: Some(account.into()),
        contact_id: None,
        operator_id: Some("op-a".into()),
        operator_name: None,
        started_at: format!("2026-11-{:02}T10:00:00Z", n + 1),
        answered_at: None,
        ended_at: None,
        duration_seconds: Some(30),
        end_reason: None,
        memo: Some(format!("メモ {n}")),
        response_status: Some("resolved".into()),
        recording_url: None,
        recording_deleted_at: None,
        external: None,
    }
}

#[tokio::test]
async fn calls_of_a_number_and_of_an_account_come_newest_first_a_page_at_a_time() {
    let services = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    let by = OperatorId::parse("op-a").unwrap();
    let account = ObjectName::parse("account").unwrap();
    let acc = services
        .crm
        .create(
            &account,
            NewRecord {
                fields: json!({"name": "履歴商事", "phone": "03-1234-5678"})
                    .as_object()
                    .unwrap()
                    .clone(),
                account_id: None,
                contact_id: None,
                call_sid: None,
            },
            &by,
        )
        .await
        .unwrap();
    let items = (0..25).map(|n| call_at(n, acc.id.as_str()).to_item()).collect();
    services.store.batch_write(items, vec![]).await.unwrap();
    let app = history::router(services.clone());
    let (status, page1) = call(
        &app,
        signed_in(
            request("GET", "/api/history/calls?phone=0312345678&limit=10"),
            "op-a",
            Role::Operator,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page1}");
    assert_eq!(page1["items"][0]["memo"], "メモ 24", "newest first");
    assert_eq!(page1["items"].as_array().unwrap().len(), 10);
    let mut seen = 10;
    let mut cursor = page1["cursor"].as_str().unwrap().to_owned();
    loop {
        let (_, page) = call(
            &app,
            signed_in(
                request(
                    "GET",
                    &format!("/api/history/calls?phone=%2B81312345678&limit=10&cursor={cursor}"),
                ),
                "op-a",
                Role::Operator,
            ),
        )
        .await;
        seen += page["items"].as_array().unwrap().len();
        match page["cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, 25);
    let (_, by_account) = call(
        &app,
        signed_in(
            request("GET", &format!("/api/history/calls?account={}&limit=100", acc.id)),
            "op-a",
            Role::Operator,
        ),
    )
    .await;
    assert_eq!(by_account["items"].as_array().unwrap().len(), 25);
}

#[tokio::test]
async fn records_tabs_list_an_accounts_inquiries_and_a_numbers_inquiries() {
    let services = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    let by = OperatorId::parse("op-a").unwrap();
    let (account, inquiry) = (
        ObjectName::parse("account").unwrap(),
        ObjectName::parse("inquiry").unwrap(),
    );
    let fields = |v: serde_json::Value| v.as_object().unwrap().clone();
    let acc = services
        .crm
        .create(
            &account,
            NewRecord {
                fields: fields(json!({"name": "問合せ商事"})),
                account_id: None,
                contact_id: None,
                call_sid: None,
            },
            &by,
        )
        .await
        .unwrap();
    for s in ["一件目", "二件目"] {
        services
            .crm
            .create(
                &inquiry,
                NewRecord {
                    fields: fields(json!({"subject": s, "phone": "06-1234-5678"})),
                    account_id: Some(acc.id.clone()),
                    contact_id: None,
                    call_sid: None,
                },
                &by,
            )
            .await
            .unwrap();
    }
    let app = history::router(services);
    let (_, by_acc) = call(
        &app,
        signed_in(
            request("GET", &format!("/api/history/records/inquiry?account={}", acc.id)),
            "op-a",
            Role::Operator,
        ),
    )
    .await;
    let subjects: Vec<&str> = by_acc["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["fields"]["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ["二件目", "一件目"]);
    let (_, by_phone) = call(
        &app,
        signed_in(
            request("GET", "/api/history/records/inquiry?phone=06-1234-5678"),
            "op-a",
            Role::Operator,
        ),
    )
    .await;
    assert_eq!(by_phone["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_history_request_must_name_exactly_one_subject() {
    let app = history::router(Services::new(Arc::new(EmbeddedStore::in_memory().unwrap())));
    for uri in [
        "/api/history/calls",
        "/api/history/calls?phone=0312345678&account=01ARZ3NDEKTSV4RRFFQ69G5FAV",
        "/api/history/calls?phone=abc",
        "/api/history/calls?contact=01ARZ3NDEKTSV4RRFFQ69G5FAV",
    ] {
        let (status, body) = call(&app, signed_in(request("GET", uri), "op-a", Role::Operator)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}: {body}");
    }
    // An object there is none of, and a path that cannot name one (which says what names look like).
    for (object, says) in [
        ("nothing", "nothing"),
        ("Not-An-Object", "object name: lower-case letters"),
    ] {
        let uri = format!("/api/history/records/{object}?phone=0312345678");
        let (status, body) = call(&app, signed_in(request("GET", &uri), "op-a", Role::Operator)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{uri}: {message}");
    }
}
