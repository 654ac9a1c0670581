//! 手上げ: an operator raises a hand; the supervisors' board shows it; it goes down when a
//! supervisor joins the operator's call or the operator lowers it. Offline, there is nobody to
//! raise it to.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Console, start};

async fn hand(c: &Console, token: &str, raised: bool) -> (StatusCode, Value) {
    c.api(token, "PUT", "/api/operators/me/hand", Some(json!({"raised": raised})))
        .await
}

/// Sato's row of the board as the supervisor reads it.
async fn board_row(c: &Console, supervisor: &str) -> Value {
    let (s, board) = c.api(supervisor, "GET", "/api/monitor", None).await;
    assert_eq!(s, StatusCode::OK, "{board}");
    board["operators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "op-sato")
        .cloned()
        .expect("Sato is on the board")
}

#[tokio::test]
async fn a_raised_hand_shows_on_the_board_and_goes_down_when_a_supervisor_listens_in() {
    let c = start().await;
    let sato = c.operator("op-sato").await;
    let ito = c.sign_in("sv-ito").await;
    let sid = c.answered_call("03-1234-5678", "op-sato").await;

    let (s, me) = hand(&c, &sato, true).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    let raised_at = me["hand_raised_at"].as_str().expect("the hand is up").to_owned();
    // Pressing again keeps the moment it went up.
    let (_, again) = hand(&c, &sato, true).await;
    assert_eq!(again["hand_raised_at"], raised_at.as_str());
    let row = board_row(&c, &ito).await;
    assert_eq!(row["hand_raised_at"], raised_at.as_str(), "{row:#}");
    assert_eq!(row["current_call"], sid.as_str());

    c.sim("POST", "/sim/phones/sv_ito", json!({})).await;
    let (s, v) = c
        .api(
            &ito,
            "POST",
            &format!("/api/monitor/calls/{sid}"),
            Some(json!({"mode": "listen"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let row = board_row(&c, &ito).await;
    assert!(row.get("hand_raised_at").is_none(), "the hand went down: {row:#}");
    let (_, me) = c.api(&sato, "GET", "/api/operators/me", None).await;
    assert!(me.get("hand_raised_at").is_none(), "{me:#}");
}

#[tokio::test]
async fn the_operator_lowers_their_hand_and_cannot_raise_it_offline() {
    let c = start().await;
    let sato = c.operator("op-sato").await;
    let ito = c.sign_in("sv-ito").await;

    let (s, me) = hand(&c, &sato, true).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    let version = me["version"].as_u64().unwrap();
    assert!(board_row(&c, &ito).await["hand_raised_at"].is_string());

    let (s, me) = hand(&c, &sato, false).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert!(me.get("hand_raised_at").is_none(), "{me:#}");
    assert!(
        me["version"].as_u64().unwrap() > version,
        "every change of the record is a new version"
    );
    assert!(board_row(&c, &ito).await.get("hand_raised_at").is_none());

    // Signing off lowers a raised hand, and offline it cannot go up.
    hand(&c, &sato, true).await;
    let (s, me) = c
        .api(
            &sato,
            "PUT",
            "/api/operators/me/status",
            Some(json!({"status": "offline"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert!(me.get("hand_raised_at").is_none(), "{me:#}");
    let (s, v) = hand(&c, &sato, true).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "offline");
}
