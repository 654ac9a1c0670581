//! The reports router: who may read them, how a range is validated, and the CSV files.

use std::sync::Arc;

use axum::http::StatusCode;
use shared::auth::Role;
use shared::domain::Services;
use shared::domain::calls::{CallSummary, Direction};
use shared::store::embedded::EmbeddedStore;
use shared::store::table::memo_key;
use shared::testing::{call, request, signed_in};
use tower::ServiceExt;

/// Two calls of 2026-11-23 (Japan time), counted: one answered with a memo, one abandoned.
async fn centre() -> (Services, axum::Router) {
    let s = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    for (sid, status, answered) in [("CA01", "completed", true), ("CA02", "abandoned", false)] {
        let mut c = CallSummary::new(
            sid,
            Direction::Inbound,
            None,
            None,
            status,
            "2026-11-23T01:00:00.000Z".into(),
            None,
        );
        c.customer = Some("+81312345678".into());
        c.customer_display = Some("03-1234-5678".into());
        if answered {
            c.operator_id = Some("op-sato".into());
            c.operator_name = Some("佐藤".into());
            c.answered_at = Some("2026-11-23T01:00:15.000Z".into());
        }
        c.ended_at = Some("2026-11-23T01:03:15.000Z".into());
        s.store.put(c.to_item(), None).await.unwrap();
    }
    let key = memo_key("CA01");
    let memo = serde_json::json!({
        "PK": key.pk, "SK": key.sk, "call_sid": "CA01", "version": 1,
        "text": "①の件、㈱山田の𠮷田様より \"至急\" 😀", "response_status": "resolved",
    });
    s.store.put(memo.as_object().unwrap().clone(), None).await.unwrap();
    for sid in ["CA01", "CA02"] {
        s.monitor.count_ended(sid).await.unwrap();
    }
    let router = history::router(s.clone());
    (s, router)
}

async fn raw(router: &axum::Router, uri: &str, role: Role) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let resp = router
        .clone()
        .oneshot(signed_in(request("GET", uri), "op-sv", role))
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = axum::body::to_bytes(resp.into_body(), 4 << 20).await.unwrap().to_vec();
    (status, headers, body)
}

#[tokio::test]
async fn operators_are_refused_and_supervisors_and_admins_read_the_report() {
    let (_, router) = centre().await;
    let uri = "/api/reports?from=2026-11-23&to=2026-11-23";
    let (status, body) = call(&router, signed_in(request("GET", uri), "op-sato", Role::Operator)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    for role in [Role::Supervisor, Role::Admin] {
        let (status, body) = call(&router, signed_in(request("GET", uri), "op-sv", role)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["totals"]["offered"], 2);
        assert_eq!(body["totals"]["answered"], 1);
        assert_eq!(body["totals"]["abandoned"], 1);
        assert_eq!(body["operators"][0]["name"], "佐藤");
        assert_eq!(body["statuses"][0]["name"], "対応完了");
    }
}

#[tokio::test]
async fn a_missing_reversed_or_too_long_range_is_refused_in_japanese() {
    let (_, router) = centre().await;
    for (query, words) in [
        ("", "from に日付を YYYY-MM-DD で指定してください"),
        ("?from=2026-11-23&to=23-11-2026", "日付として読めません"),
        ("?from=2026-11-23&to=2026-11-22", "終了日が開始日より前です"),
        ("?from=2026-01-01&to=2026-12-31", "期間は92日以内で指定してください"),
        (
            "?from=2026-11-23&to=2026-11-23&encoding=latin1",
            "utf8（UTF-8）か sjis（Shift_JIS）",
        ),
    ] {
        let path = if query.contains("encoding") {
            "/api/reports/calls"
        } else {
            "/api/reports"
        };
        let (status, body) = call(
            &router,
            signed_in(request("GET", &format!("{path}{query}")), "op-sv", Role::Supervisor),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(words),
            "{query}: {body}"
        );
    }
}

#[tokio::test]
async fn the_shift_jis_history_export_decodes_back_with_machine_dependent_characters_and_geta_for_the_rest() {
    let (_, router) = centre().await;
    // Page 1 of one call: the note, the header and the first call.
    let (status, headers, body) = raw(
        &router,
        "/api/reports/calls?from=2026-11-23&to=2026-11-23&encoding=sjis&limit=1",
        Role::Supervisor,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/csv; charset=shift_jis");
    assert_eq!(headers["x-rows"], "1");
    let (text, _, errors) = encoding_rs::SHIFT_JIS.decode(&body);
    assert!(!errors, "the file is valid Shift_JIS");
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "\"※Shift_JIS（Windows-31J）で表せない文字（一部の異体字や絵文字など）は〓に置き換えています\""
    );
    assert!(
        lines[1].starts_with("\"開始日時\",\"方向\",\"お客様の番号\""),
        "{}",
        lines[1]
    );
    assert_eq!(
        lines[2],
        "\"2026-11-23 10:00:00\",\"着信\",\"03-1234-5678\",\"\",\"総合窓口\",\"佐藤\",\"応答\",\"15\",\"180\",\"0\",\"対応完了\",\"①の件、㈱山田の〓田様より \"\"至急\"\" 〓\",\"CA01\"",
    );
    assert_eq!(
        headers["x-replaced-rows"], "2",
        "the call's row (after the header) had characters replaced"
    );
    // Page 2: the abandoned call, rows only, and no page after it.
    let cursor = headers["x-next-cursor"].to_str().unwrap().to_owned();
    let (status, headers, body) = raw(
        &router,
        &format!("/api/reports/calls?from=2026-11-23&to=2026-11-23&encoding=sjis&limit=1&cursor={cursor}"),
        Role::Supervisor,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let text = encoding_rs::SHIFT_JIS.decode(&body).0.into_owned();
    assert!(
        text.starts_with("\"2026-11-23 10:00:00\",\"着信\",\"03-1234-5678\",\"\",\"総合窓口\",\"\",\"放棄\""),
        "{text}"
    );
    assert_eq!(text.matches("\r\n").count(), 1);
    assert!(headers.get("x-next-cursor").is_none());
}

#[tokio::test]
async fn the_utf8_report_export_starts_with_a_bom_and_holds_every_table() {
    let (_, router) = centre().await;
    let (status, headers, body) = raw(
        &router,
        "/api/reports/export?from=2026-11-23&to=2026-11-23",
        Role::Admin,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("report_2026-11-23_2026-11-23_utf8.csv")
    );
    assert!(body.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(body[3..].to_vec()).unwrap();
    for title in [
        "\"センター合計\"",
        "\"日別\"",
        "\"オペレーター別\"",
        "\"窓口別\"",
        "\"対応ステータス別\"",
        "\"架電結果（コールリスト）\"",
    ] {
        assert!(text.contains(&format!("\r\n{title}\r\n")), "{title} in {text}");
    }
    assert!(
        text.contains("\"2026-11-23\",\"2\",\"1\",\"1\",\"1\",\"50.0\",\"50.0\",\"15\""),
        "{text}"
    );
}

/// A response as the Lambda hands it to API Gateway: lambda_http's own conversion of the body.
async fn as_deployed(router: &axum::Router, uri: &str) -> Vec<u8> {
    let resp = router
        .clone()
        .oneshot(signed_in(request("GET", uri), "op-sv", Role::Supervisor))
        .await
        .unwrap();
    let converted = lambda_http::IntoResponse::into_response(resp).await;
    match converted.into_body() {
        lambda_http::Body::Binary(bytes) => bytes,
        other => panic!("the CSV leaves the Lambda as text, decoded from its charset: {other:?}"),
    }
}

#[tokio::test]
async fn deployed_the_exports_leave_the_lambda_as_the_bytes_written() {
    // Given a day with calls
    let (_, router) = centre().await;
    // When the Shift_JIS report and the UTF-8 history go through lambda_http as on AWS
    let sjis = as_deployed(
        &router,
        "/api/reports/export?from=2026-11-23&to=2026-11-23&encoding=sjis",
    )
    .await;
    let utf8 = as_deployed(
        &router,
        "/api/reports/calls?from=2026-11-23&to=2026-11-23&encoding=utf8",
    )
    .await;
    // Then the Shift_JIS file is Shift_JIS (not UTF-8), its period is not replaced, and the
    // UTF-8 file keeps its BOM
    assert!(std::str::from_utf8(&sjis).is_err(), "Shift_JIS bytes, not UTF-8");
    let (text, _, errors) = encoding_rs::SHIFT_JIS.decode(&sjis);
    assert!(!errors);
    assert!(text.contains("\"2026-11-23～2026-11-23\""), "{text}");
    assert!(utf8.starts_with(b"\xEF\xBB\xBF"), "{:?}", &utf8[..8.min(utf8.len())]);
}

#[tokio::test]
async fn the_report_export_holds_the_call_list_results_by_code_with_their_labels() {
    // Given results Sato and Suzuki recorded on a list that day,
    let (s, router) = centre().await;
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-23T02:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    for (op, name, code) in [
        ("op-sato", "佐藤", "done"),
        ("op-sato", "佐藤", "callback"),
        ("op-suzuki", "鈴木", "no_answer"),
    ] {
        let ops = shared::domain::reports::result_recorded(at, op, name, "L1", "春の更新キャンペーン", code);
        s.store.transact(ops).await.unwrap();
    }
    // when the report is saved,
    let (status, _, body) = raw(
        &router,
        "/api/reports/export?from=2026-11-23&to=2026-11-23",
        Role::Supervisor,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(body[3..].to_vec()).unwrap();
    // then its last table counts them by code for the centre, each operator and the list.
    let table = text
        .split("\"架電結果（コールリスト）\"\r\n")
        .nth(1)
        .expect("the table");
    let lines: Vec<&str> = table.trim_end().split("\r\n").collect();
    assert_eq!(
        lines,
        [
            "\"集計単位\",\"ID\",\"名前\",\"完了\",\"不在\",\"再架電\",\"合計\"",
            "\"センター\",\"\",\"全体\",\"1\",\"1\",\"1\",\"3\"",
            "\"オペレーター\",\"op-sato\",\"佐藤\",\"1\",\"0\",\"1\",\"2\"",
            "\"オペレーター\",\"op-suzuki\",\"鈴木\",\"0\",\"1\",\"0\",\"1\"",
            "\"コールリスト\",\"L1\",\"春の更新キャンペーン\",\"1\",\"1\",\"1\",\"3\"",
        ]
    );
}
