//! Store requests per API path, counted through a layer on the store port. Counts are
//! deterministic, so a path that grows past its budget fails here (timings never do).

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::json;
use shared::store::counting::CountingStore;
use shared::store::embedded::EmbeddedStore;
use shared::testing::{call, json_request, request};

/// Builds a fresh request for one API path.
type MakeRequest = Box<dyn Fn() -> axum::http::Request<axum::body::Body>>;

#[tokio::test]
async fn every_api_path_stays_within_its_store_request_budget() {
    let dir = tempfile::tempdir().unwrap();
    let counting = Arc::new(CountingStore::new(Arc::new(EmbeddedStore::in_memory().unwrap())));
    let app = local::build(
        counting.clone(),
        vec![7; 32],
        &dir.path().join("none"),
        "http://127.0.0.1:9",
    )
    .await
    .unwrap();
    let token = app.auth.token_for_id("op-sato").unwrap();
    let token_free = |mut r: axum::http::Request<axum::body::Body>| {
        r.headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        r
    };
    let (_, pop) = call(
        &app.router,
        token_free(request("GET", "/api/crm/lookup?phone=0312345678")),
    )
    .await;
    let account = pop["accounts"][0]["record"]["id"].as_str().unwrap().to_owned();
    let (_, created) = call(
        &app.router,
        token_free(json_request(
            "POST",
            "/api/crm/objects/inquiry/records",
            &json!({"fields": {"subject": "予算テスト"}, "account_id": account}),
        )),
    )
    .await;
    let inquiry = created["id"].as_str().unwrap().to_owned();

    // Each path twice: the first with a cold settings cache (the worst case), the second warm.
    let paths: Vec<(&str, MakeRequest, u64)> = vec![
        (
            "GET /api/crm/lookup",
            Box::new(|| request("GET", "/api/crm/lookup?phone=0312345678")),
            3,
        ),
        (
            "GET /api/crm/search",
            Box::new(|| request("GET", "/api/crm/search?object=account&q=%E3%83%A4%E3%83%9E%E3%83%80")),
            3,
        ),
        (
            "GET /api/crm/objects/{o}/records/{id}",
            Box::new({
                let i = inquiry.clone();
                move || request("GET", &format!("/api/crm/objects/inquiry/records/{i}"))
            }),
            3,
        ),
        (
            "POST /api/crm/objects/{o}/records",
            Box::new({
                let a = account.clone();
                move || {
                    json_request(
                        "POST",
                        "/api/crm/objects/inquiry/records",
                        &json!({"fields": {"subject": "件名"}, "account_id": a}),
                    )
                }
            }),
            3,
        ),
        (
            "GET /api/history/calls",
            Box::new(|| request("GET", "/api/history/calls?phone=0312345678")),
            3,
        ),
        (
            "GET /api/history/records/{o}",
            Box::new({
                let a = account.clone();
                move || request("GET", &format!("/api/history/records/inquiry?account={a}"))
            }),
            3,
        ),
        ("GET /api/settings", Box::new(|| request("GET", "/api/settings")), 3),
    ];
    println!("\n{:<42} {:>6} {:>6} {:>7}", "path", "cold", "warm", "budget");
    let mut over = Vec::new();
    for (name, make, budget) in &paths {
        let mut counts = [0; 2];
        for (i, n) in counts.iter_mut().enumerate() {
            if i == 0 {
                app.services.settings.invalidate();
            }
            counting.reset();
            let (status, body) = call(&app.router, token_free(make())).await;
            assert!(status.is_success(), "{name}: {status} {body}");
            let c = counting.counts();
            assert_eq!(c.scans, 0);
            *n = c.total();
        }
        println!("{name:<42} {:>6} {:>6} {budget:>7}", counts[0], counts[1]);
        if counts[0] > *budget {
            over.push(format!("{name}: {} > {budget}", counts[0]));
        }
    }
    // The update path: read + one transaction (+ settings when cold).
    app.services.settings.invalidate();
    counting.reset();
    let (status, _) = call(
        &app.router,
        token_free(json_request(
            "PUT",
            &format!("/api/crm/objects/inquiry/records/{inquiry}"),
            &json!({"version": 1, "fields": {"status": "closed"}}),
        )),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    println!(
        "{:<42} {:>6} {:>6} {:>7}",
        "PUT /api/crm/objects/{o}/records/{id}",
        counting.counts().total(),
        "-",
        3
    );
    if counting.counts().total() > 3 {
        over.push(format!("PUT record: {}", counting.counts().total()));
    }
    assert!(over.is_empty(), "paths over budget: {over:?}");
}
