//! Page cursors travel through the page and come back as the client likes: one from another
//! list, another number's history or another endpoint is refused with 422 `bad_cursor`, never a
//! 503 (schemathesis found `GET /api/call-lists` answering 503 to a targets cursor).

mod support;

use reqwest::StatusCode;
use serde_json::Value;

fn cursor_of(page: &Value) -> String {
    page["cursor"].as_str().expect("a next page").to_owned()
}

#[tokio::test]
async fn a_cursor_from_another_list_number_or_endpoint_is_refused_with_422() {
    let c = support::start().await;
    let admin = c.sign_in("admin-watanabe").await;
    let (_, lists) = c.api(&admin, "GET", "/api/call-lists", None).await;
    let list = lists["items"][0]["id"].as_str().unwrap().to_owned();
    let (s, targets) = c
        .api(&admin, "GET", &format!("/api/call-lists/{list}/targets?limit=1"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{targets}");
    let targets_cursor = cursor_of(&targets);
    let (s, history) = c
        .api(&admin, "GET", "/api/history/calls?phone=03-1234-5678&limit=1", None)
        .await;
    assert_eq!(s, StatusCode::OK, "{history}");
    let history_cursor = cursor_of(&history);

    let (s, next) = c
        .api(
            &admin,
            "GET",
            &format!("/api/history/calls?phone=03-1234-5678&limit=1&cursor={history_cursor}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "the cursor still works where it came from: {next}");

    for path in [
        format!("/api/call-lists?cursor={targets_cursor}"),
        format!("/api/call-lists/{list}/targets?state=not_called&cursor={targets_cursor}"),
        format!("/api/call-lists/{list}/targets?cursor={history_cursor}"),
        format!("/api/history/calls?phone=06-6123-4567&cursor={history_cursor}"),
        format!("/api/history/calls?phone=03-1234-5678&cursor={targets_cursor}"),
        format!("/api/crm/search?object=account&q=%E3%83%A4%E3%83%9E%E3%83%80&cursor={history_cursor}"),
    ] {
        let (s, body) = c.api(&admin, "GET", &path, None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert!(body["error"]["message"].is_string(), "{body}");
    }
}
