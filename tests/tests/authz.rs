//! The authorization matrix: every route of the merged OpenAPI document × {no token, expired
//! token, token signed with another key, token with its claims raised, the operator whose
//! resource it is, another operator, a supervisor, an admin}, each with the status it must get.
//! The routes come from `local::api_doc()`, so a route added without a rule here fails the test.
//! Refused requests must carry a JSON error the page can show and write nothing. Twilio's
//! webhooks (`/twilio/...`, outside the document) are refused without a valid signature.

mod support;

use std::collections::BTreeSet;

use base64::Engine;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::Console;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Anyone signed in.
    Anyone,
    /// Supervisors and admins.
    Supervisor,
    /// Admins.
    Admin,
    /// The operator whose resource it is (the call's operator, a handoff's target), supervisors
    /// and admins.
    Owner,
    /// The operator on the call, nobody else.
    OwnerOnly,
    /// Whoever holds the link: a public route whose random link token is the credential (a
    /// recording's media, which `<audio>` fetches without a bearer token); a token sent with it
    /// changes nothing.
    Link,
}

/// Who sends the request: one column of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    NoToken,
    Expired,
    /// Signed with a key that is not the console's.
    Forged,
    /// The operator's own token with its group changed to admin, signature kept.
    Raised,
    /// The operator the resource belongs to (Sato's call, Tanaka's handoff).
    Operator,
    /// An operator it does not belong to.
    OtherOperator,
    Supervisor,
    Admin,
}

const COLUMNS: [Who; 8] = [
    Who::NoToken,
    Who::Expired,
    Who::Forged,
    Who::Raised,
    Who::Operator,
    Who::OtherOperator,
    Who::Supervisor,
    Who::Admin,
];

impl Who {
    fn allowed(self, access: Access) -> bool {
        match self {
            _ if access == Access::Link => true,
            Who::NoToken | Who::Expired | Who::Forged | Who::Raised => false,
            Who::Operator => matches!(access, Access::Anyone | Access::Owner | Access::OwnerOnly),
            Who::OtherOperator => access == Access::Anyone,
            Who::Supervisor => matches!(access, Access::Anyone | Access::Supervisor | Access::Owner),
            Who::Admin => access != Access::OwnerOnly,
        }
    }

    fn signed_in(self) -> bool {
        matches!(self, Who::Operator | Who::OtherOperator | Who::Supervisor | Who::Admin)
    }
}

/// A request body.
enum Body {
    None,
    Json(Value),
    Csv(&'static str),
}

/// One row of the matrix: a documented operation, the request that exercises it, who may use
/// it and the statuses an allowed user can get from that request (depending on what users
/// before them in the row did: a second memo save is stale, a second pause finds the recording
/// paused).
struct Rule {
    method: &'static str,
    template: &'static str,
    url: String,
    body: Body,
    access: Access,
    ok: &'static [u16],
    /// The operator the resource belongs to, for the `Operator` column.
    owner: &'static str,
    /// Run after every other row (it ends the call).
    last: bool,
}

fn rule(method: &'static str, template: &'static str, url: String, access: Access, ok: &'static [u16]) -> Rule {
    Rule {
        method,
        template,
        url,
        body: Body::None,
        access,
        ok,
        owner: "op-sato",
        last: false,
    }
}

impl Rule {
    fn json(mut self, body: Value) -> Self {
        self.body = Body::Json(body);
        self
    }

    fn csv(mut self, text: &'static str) -> Self {
        self.body = Body::Csv(text);
        self
    }

    fn owned_by(mut self, owner: &'static str) -> Self {
        self.owner = owner;
        self
    }

    fn last(mut self) -> Self {
        self.last = true;
        self
    }
}

/// What the rows act on, made through the simulator and the API as users would.
struct World {
    /// Sato's live call (a customer on a recorded line).
    call: String,
    /// A screen transfer from Takahashi's call to Tanaka.
    handoff: String,
    record: String,
    list: String,
    /// A list only for the delete row.
    doomed_list: String,
    target: String,
    import: String,
    call_handling: Value,
    call_handling_version: u64,
}

async fn world(c: &Console) -> World {
    let _sato = c.operator("op-sato").await;
    let call = c.answered_call("03-1234-5678", "op-sato").await;
    let takahashi = c.operator("op-takahashi").await;
    let other_call = c.answered_call("06-6123-4567", "op-takahashi").await;
    let _tanaka = c.operator("op-tanaka").await;
    let (s, t) = c
        .api(
            &takahashi,
            "POST",
            &format!("/api/calls/{other_call}/transfer"),
            Some(json!({"to_operator": "op-tanaka", "mode": "warm", "screen": {"memo": "【お客様】住所変更"}})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t:#}");
    let ring = c.wait(json!({"phone": "op_tanaka"})).await;
    let handoff = ring["ringing"]["params"]["handoffId"].as_str().unwrap().to_owned();
    c.sim("POST", "/sim/phones/op_tanaka/accept", json!({})).await;
    c.wait(json!({"conference": other_call, "labels": ["transfer"], "settled": true}))
        .await;

    let admin = c.sign_in("admin-watanabe").await;
    let (s, r) = c
        .api(
            &admin,
            "POST",
            "/api/crm/objects/account/records",
            Some(json!({"fields": {"name": "権限確認商事株式会社", "phone": "03-9876-5432"}})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let record = r["id"].as_str().unwrap().to_owned();
    let mut lists = Vec::new();
    for name in ["権限確認リスト", "削除するリスト"] {
        let (s, l) = c
            .api(
                &admin,
                "POST",
                "/api/call-lists",
                Some(json!({"name": name, "line_id": "main"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{l}");
        lists.push(l["id"].as_str().unwrap().to_owned());
    }
    let list = lists[0].clone();
    let (s, import) = c
        .api(
            &admin,
            "POST",
            &format!("/api/call-lists/{list}/imports"),
            Some(json!({"columns": ["会社名", "電話番号"], "mapping": {"phone": "電話番号", "account": "会社名"}})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{import}");
    let import = import["id"].as_str().unwrap().to_owned();
    let rows: String = (0..6).map(|i| format!("確認商事{i},03-5555-000{i}\n")).collect();
    let r = c
        .http
        .post(format!(
            "{}/api/call-lists/{list}/imports/{import}/chunks?first_line=2",
            c.url
        ))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body(rows)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let (_, targets) = c
        .api(&admin, "GET", &format!("/api/call-lists/{list}/targets"), None)
        .await;
    let target = targets["items"][0]["id"].as_str().unwrap().to_owned();
    let (_, settings) = c.api(&admin, "GET", "/api/settings", None).await;
    World {
        call,
        handoff,
        record,
        list,
        doomed_list: lists[1].clone(),
        target,
        import,
        call_handling: settings["call_handling"].clone(),
        call_handling_version: settings["versions"]["call_handling"].as_u64().unwrap_or(0),
    }
}

fn rules(w: &World) -> Vec<Rule> {
    use Access::*;
    let call = &w.call;
    let list = &w.list;
    let target = &w.target;
    let record = &w.record;
    vec![
        rule("get", "/api/calls/current", "/api/calls/current".into(), Anyone, &[200]),
        rule("get", "/api/calls/{call}", format!("/api/calls/{call}"), Owner, &[200]),
        rule(
            "post",
            "/api/calls/{call}/hold",
            format!("/api/calls/{call}/hold"),
            Owner,
            &[204],
        ),
        rule(
            "post",
            "/api/calls/{call}/unhold",
            format!("/api/calls/{call}/unhold"),
            Owner,
            &[204],
        ),
        // Refused unless the customer is held: past the role check either way.
        rule(
            "post",
            "/api/calls/{call}/consult",
            format!("/api/calls/{call}/consult"),
            Owner,
            &[204, 409],
        )
        .json(json!({"to": "090-1111-2222", "line_id": "main"})),
        // No consultation call is connected: refused for that, after the role check.
        rule(
            "post",
            "/api/calls/{call}/consult/handover",
            format!("/api/calls/{call}/consult/handover"),
            Owner,
            &[409],
        ),
        rule(
            "delete",
            "/api/calls/{call}/consult",
            format!("/api/calls/{call}/consult"),
            Owner,
            &[204],
        ),
        rule(
            "post",
            "/api/calls/{call}/recording",
            format!("/api/calls/{call}/recording"),
            Owner,
            &[204, 409],
        )
        .json(json!({"action": "pause"})),
        // Sato is still connected: 409 for her, and nobody else may ring her phone back in.
        rule(
            "post",
            "/api/calls/{call}/rejoin",
            format!("/api/calls/{call}/rejoin"),
            OwnerOnly,
            &[409],
        ),
        // Takahashi is on another call: the transfer is refused for that, after the role check.
        rule(
            "post",
            "/api/calls/{call}/transfer",
            format!("/api/calls/{call}/transfer"),
            Owner,
            &[409],
        )
        .json(json!({"to_operator": "op-takahashi", "mode": "warm"})),
        rule(
            "delete",
            "/api/calls/{call}/transfer",
            format!("/api/calls/{call}/transfer"),
            Owner,
            &[409],
        ),
        rule(
            "post",
            "/api/calls/{call}/hangup",
            format!("/api/calls/{call}/hangup"),
            Owner,
            &[204, 409],
        )
        .last(),
        // 外部転送 (cold) hands the call away: after the hang-up, refused for the call's end.
        rule(
            "post",
            "/api/calls/{call}/external",
            format!("/api/calls/{call}/external"),
            Owner,
            &[204, 409],
        )
        .json(json!({"to": "090-1111-2222", "line_id": "main"}))
        .last(),
        rule(
            "get",
            "/api/handoffs/{id}",
            format!("/api/handoffs/{}", w.handoff),
            Owner,
            &[200],
        )
        .owned_by("op-tanaka"),
        rule("get", "/api/memos/{call}", format!("/api/memos/{call}"), Owner, &[200]),
        // While the call is live its transcript is the memo's: the operator on it and supervisors.
        rule(
            "get",
            "/api/memos/{call}/transcript",
            format!("/api/memos/{call}/transcript"),
            Owner,
            &[200],
        ),
        rule(
            "put",
            "/api/memos/{call}",
            format!("/api/memos/{call}"),
            Owner,
            &[200, 409],
        )
        .json(json!({"version": 0, "text": "【お客様】請求書の件"})),
        rule("get", "/api/monitor", "/api/monitor".into(), Supervisor, &[200]),
        // Sato's call is live at Twilio: a supervisor's release is refused rather than cut it.
        rule(
            "post",
            "/api/monitor/operators/{operator}/release",
            "/api/monitor/operators/op-sato/release".into(),
            Supervisor,
            &[409],
        ),
        // A second supervisor on the same call is refused with 409.
        rule(
            "post",
            "/api/monitor/calls/{call}",
            format!("/api/monitor/calls/{call}"),
            Supervisor,
            &[204, 409],
        )
        .json(json!({"mode": "listen"})),
        rule(
            "delete",
            "/api/monitor/calls/{call}",
            format!("/api/monitor/calls/{call}"),
            Supervisor,
            &[204, 409],
        ),
        rule(
            "get",
            "/api/crm/lookup",
            "/api/crm/lookup?phone=03-1234-5678".into(),
            Anyone,
            &[200],
        ),
        rule(
            "get",
            "/api/crm/search",
            "/api/crm/search?object=account&q=%E3%83%A4%E3%83%9E%E3%83%80".into(),
            Anyone,
            &[200],
        ),
        rule(
            "post",
            "/api/crm/objects/{object}/records",
            "/api/crm/objects/account/records".into(),
            Anyone,
            &[201],
        )
        .json(json!({"fields": {"name": "行列商事株式会社", "phone": "03-2222-3333"}})),
        rule(
            "get",
            "/api/crm/objects/{object}/records/{id}",
            format!("/api/crm/objects/account/records/{record}"),
            Anyone,
            &[200],
        ),
        // Stale versions: past the role check, nothing changes.
        rule(
            "put",
            "/api/crm/objects/{object}/records/{id}",
            format!("/api/crm/objects/account/records/{record}"),
            Anyone,
            &[409],
        )
        .json(json!({"version": 999, "fields": {"industry": "商社"}})),
        rule(
            "delete",
            "/api/crm/objects/{object}/records/{id}",
            format!("/api/crm/objects/account/records/{record}?version=999"),
            Supervisor,
            &[409],
        ),
        rule(
            "get",
            "/api/history/calls",
            "/api/history/calls?phone=03-1234-5678".into(),
            Anyone,
            &[200],
        ),
        rule(
            "get",
            "/api/history/records/{object}",
            format!("/api/history/records/inquiry?account={record}"),
            Anyone,
            &[200],
        ),
        rule(
            "get",
            "/api/reports",
            "/api/reports?from=2026-12-01&to=2026-12-31".into(),
            Supervisor,
            &[200],
        ),
        rule(
            "get",
            "/api/reports/export",
            "/api/reports/export?from=2026-12-01&to=2026-12-31&encoding=sjis".into(),
            Supervisor,
            &[200],
        ),
        rule(
            "get",
            "/api/reports/calls",
            "/api/reports/calls?from=2026-12-01&to=2026-12-31".into(),
            Supervisor,
            &[200],
        ),
        rule("get", "/api/settings", "/api/settings".into(), Anyone, &[200]),
        rule(
            "put",
            "/api/settings/{section}",
            "/api/settings/call_handling".into(),
            Admin,
            &[200],
        )
        .json(json!({"version": w.call_handling_version, "value": w.call_handling})),
        rule(
            "post",
            "/api/settings/hours/preview",
            "/api/settings/hours/preview".into(),
            Admin,
            &[200],
        )
        .json(json!({"weekly": {"mon": [{"start": "09:00", "end": "18:00"}]}, "when_closed": {"action": "message", "text": "休業中です。"}})),
        rule(
            "post",
            "/api/settings/menu/preview",
            "/api/settings/menu/preview".into(),
            Admin,
            &[200],
        )
        .json(json!({"greeting": "お電話ありがとうございます。", "options": [{"id": "billing", "key": "1", "label": "料金", "action": {"action": "queue"}}], "default": {"action": "queue"}})),
        rule(
            "post",
            "/api/settings/music-upload",
            "/api/settings/music-upload".into(),
            Admin,
            &[200],
        )
        .json(json!({"file_name": "hold.mp3", "content_type": "audio/mpeg", "size": 1000})),
        rule("get", "/api/users", "/api/users".into(), Admin, &[200]),
        rule("post", "/api/users", "/api/users".into(), Admin, &[201])
            .json(json!({"email": "authz.matrix@example.jp", "name": "権限 確認", "role": "operator"})),
        // Tanaka's role stays what it is: the row checks who may change a user, not the change.
        rule("put", "/api/users/{id}", "/api/users/op-tanaka".into(), Admin, &[200]).json(json!({"role": "operator"})),
        rule("get", "/api/users/skills", "/api/users/skills".into(), Admin, &[200]),
        // An empty list: Tanaka takes every queue, as before the row.
        rule("put", "/api/users/{id}/skills", "/api/users/op-tanaka/skills".into(), Admin, &[200])
            .json(json!({"queues": []})),
        rule("get", "/api/operators", "/api/operators".into(), Anyone, &[200]),
        rule("get", "/api/operators/me", "/api/operators/me".into(), Anyone, &[200]),
        // Sato is on a call: she cannot leave (409); the others can.
        rule(
            "put",
            "/api/operators/me/status",
            "/api/operators/me/status".into(),
            Anyone,
            &[200, 409],
        )
        .json(json!({"status": "away"})),
        // Lowering a hand that is down writes nothing.
        rule(
            "put",
            "/api/operators/me/hand",
            "/api/operators/me/hand".into(),
            Anyone,
            &[200],
        )
        .json(json!({"raised": false})),
        rule(
            "post",
            "/api/calls/dial-check",
            "/api/calls/dial-check".into(),
            Anyone,
            &[200],
        )
        .json(json!({"to": "03-1234-5678", "line_id": "main"})),
        rule("get", "/api/calls/tasks", "/api/calls/tasks".into(), Anyone, &[200]),
        // The call has no task: every signed-in user is told so, nobody is refused first.
        rule(
            "post",
            "/api/calls/tasks/{task}/take",
            format!("/api/calls/tasks/{call}/take"),
            Anyone,
            &[404],
        ),
        rule(
            "post",
            "/api/calls/tasks/{task}/done",
            format!("/api/calls/tasks/{call}/done"),
            Anyone,
            &[404],
        ),
        rule(
            "post",
            "/api/calls/tasks/{task}/undo",
            format!("/api/calls/tasks/{call}/undo"),
            Anyone,
            &[404],
        ),
        // Sato's recording is still under way: supervisors and admins are told so (404); an
        // operator is refused first, as operators may not play recordings by default.
        rule(
            "post",
            "/api/calls/{call}/recording/link",
            format!("/api/calls/{call}/recording/link"),
            Supervisor,
            &[404],
        ),
        // An unknown link names nothing, whoever asks, with or without a token.
        rule(
            "get",
            "/api/media/recordings/{token}",
            format!("/api/media/recordings/{}", "0123456789abcdef".repeat(2)),
            Link,
            &[404],
        ),
        rule(
            "post",
            "/api/calls/tasks/{task}/recording/link",
            format!("/api/calls/tasks/{call}/recording/link"),
            Anyone,
            &[404],
        ),
        rule("get", "/api/token", "/api/token".into(), Anyone, &[200]),
        rule("get", "/api/call-lists", "/api/call-lists".into(), Anyone, &[200]),
        rule("post", "/api/call-lists", "/api/call-lists".into(), Admin, &[201])
            .json(json!({"name": "行列リスト", "line_id": "main"})),
        rule(
            "get",
            "/api/call-lists/{list}",
            format!("/api/call-lists/{list}"),
            Anyone,
            &[200],
        ),
        rule(
            "put",
            "/api/call-lists/{list}",
            format!("/api/call-lists/{list}"),
            Admin,
            &[409],
        )
        .json(json!({"version": 999, "name": "改名", "line_id": "main"})),
        rule(
            "delete",
            "/api/call-lists/{list}",
            format!("/api/call-lists/{}", w.doomed_list),
            Admin,
            &[204],
        ),
        rule(
            "post",
            "/api/call-lists/{list}/imports/preview",
            format!("/api/call-lists/{list}/imports/preview"),
            Admin,
            &[200],
        )
        .csv("会社名,電話番号\n行列商事,03-5555-1000\n"),
        rule(
            "post",
            "/api/call-lists/{list}/imports",
            format!("/api/call-lists/{list}/imports"),
            Admin,
            &[201],
        )
        .json(json!({"columns": ["会社名", "電話番号"], "mapping": {"phone": "電話番号"}})),
        rule(
            "get",
            "/api/call-lists/{list}/imports/{import}",
            format!("/api/call-lists/{list}/imports/{}", w.import),
            Admin,
            &[200],
        ),
        rule(
            "post",
            "/api/call-lists/{list}/imports/{import}/chunks",
            format!("/api/call-lists/{list}/imports/{}/chunks?first_line=8", w.import),
            Admin,
            &[200],
        )
        .csv("行列商事,03-5555-1001\n"),
        rule(
            "get",
            "/api/call-lists/{list}/targets",
            format!("/api/call-lists/{list}/targets"),
            Anyone,
            &[200],
        ),
        rule(
            "get",
            "/api/call-lists/{list}/targets/{target}",
            format!("/api/call-lists/{list}/targets/{target}"),
            Anyone,
            &[200],
        ),
        rule(
            "get",
            "/api/call-lists/{list}/queue",
            format!("/api/call-lists/{list}/queue"),
            Anyone,
            &[200],
        ),
        // Whoever leases first holds the target; the others get 409 for that, not for their role.
        rule(
            "post",
            "/api/call-lists/{list}/targets/{target}/lease",
            format!("/api/call-lists/{list}/targets/{target}/lease"),
            Anyone,
            &[200, 409],
        ),
        rule(
            "post",
            "/api/call-lists/{list}/targets/{target}/release",
            format!("/api/call-lists/{list}/targets/{target}/release"),
            Anyone,
            &[200, 409],
        ),
        rule(
            "post",
            "/api/call-lists/{list}/targets/{target}/result",
            format!("/api/call-lists/{list}/targets/{target}/result"),
            Anyone,
            &[200, 409],
        )
        .json(json!({"response_status": "resolved", "outcome": "no_answer"})),
        rule(
            "post",
            "/api/call-lists/{list}/lease-next",
            format!("/api/call-lists/{list}/lease-next"),
            Anyone,
            &[200],
        ),
    ]
}

/// The documented operations, as `method path`.
fn documented() -> BTreeSet<(String, String)> {
    let doc = serde_json::to_value(local::api_doc()).unwrap();
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch", "head", "options", "trace"].contains(&method.as_str()) {
                ops.insert((method.clone(), path.clone()));
            }
        }
    }
    ops
}

/// The operator's token with its claims changed to the admin group, the signature kept.
fn raised(token: &str) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    claims["cognito:groups"] = json!(["admin"]);
    format!("{}.{}.{}", parts[0], b64.encode(claims.to_string()), parts[2])
}

async fn send(c: &Console, token: Option<&str>, r: &Rule) -> (StatusCode, Value) {
    let mut req = c
        .http
        .request(r.method.to_uppercase().parse().unwrap(), format!("{}{}", c.url, r.url));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req = match &r.body {
        Body::None => req,
        Body::Json(v) => req.json(v),
        Body::Csv(text) => req.header("content-type", "text/csv").body(*text),
    };
    let resp = req.send().await.unwrap();
    (resp.status(), resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn every_route_gives_each_kind_of_user_exactly_the_status_its_rule_says() {
    let c = support::start_with(local::sim::SimConfig {
        default_answering: local::sim::Answering::Manual,
        // Hold music and wait messages are fetched once, so nothing runs between the rows.
        pause_scale: 1000.0,
        ..local::sim::SimConfig::default()
    })
    .await;
    let w = world(&c).await;
    let rules = rules(&w);

    let ruled: BTreeSet<(String, String)> = rules
        .iter()
        .map(|r| (r.method.to_owned(), r.template.to_owned()))
        .collect();
    assert_eq!(rules.len(), ruled.len(), "one rule per operation");
    let missing: Vec<_> = documented().difference(&ruled).cloned().collect();
    assert!(
        missing.is_empty(),
        "documented routes with no rule in the matrix: {missing:?}"
    );
    let stale: Vec<_> = ruled.difference(&documented()).cloned().collect();
    assert!(stale.is_empty(), "rules for routes that are not documented: {stale:?}");

    let other_key = local::devauth::DevAuth::new(vec![7u8; 32], local::seed::users());
    let token_of = |id: &str| c.auth.token_for_id(id).unwrap();
    let mut failures = Vec::new();
    let mut cells = 0;
    let mut ordered: Vec<&Rule> = rules.iter().filter(|r| !r.last).collect();
    ordered.extend(rules.iter().filter(|r| r.last));
    for r in ordered {
        for who in COLUMNS {
            let token = match who {
                Who::NoToken => None,
                Who::Expired => Some(c.auth.expired_token_for_id(r.owner).unwrap()),
                Who::Forged => Some(other_key.token_for_id("admin-watanabe").unwrap()),
                Who::Raised => Some(raised(&token_of(r.owner))),
                Who::Operator => Some(token_of(r.owner)),
                Who::OtherOperator => Some(token_of("op-suzuki")),
                Who::Supervisor => Some(token_of("sv-ito")),
                Who::Admin => Some(token_of("admin-watanabe")),
            };
            let allowed = who.allowed(r.access);
            if !allowed {
                c.settle().await;
            }
            let writes = c.store.writes();
            let (status, body) = send(&c, token.as_deref(), r).await;
            cells += 1;
            let cell = format!("{} {} as {who:?}", r.method.to_uppercase(), r.url);
            let code = status.as_u16();
            if allowed {
                if !r.ok.contains(&code) {
                    failures.push(format!("{cell}: {code}, expected one of {:?}: {body}", r.ok));
                }
                continue;
            }
            let expected = if who.signed_in() { 403 } else { 401 };
            if code != expected {
                failures.push(format!("{cell}: {code}, expected {expected}: {body}"));
                continue;
            }
            let message = body["error"]["message"].as_str().unwrap_or_default();
            if body["error"]["code"].as_str().is_none() || message.is_empty() {
                failures.push(format!("{cell}: the refusal has no error code and message: {body}"));
            }
            c.settle().await;
            if c.store.writes() != writes {
                failures.push(format!(
                    "{cell}: refused, yet {} store writes happened",
                    c.store.writes() - writes
                ));
            }
        }
    }
    println!(
        "authorization matrix: {} routes x {} kinds of user = {cells} cells",
        rules.len(),
        COLUMNS.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {cells} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let ended = c.stored_call(&w.call).await.unwrap();
    assert_eq!(
        ended["operator_id"], "op-sato",
        "the refused requests changed nothing on the call"
    );
}

/// Every webhook route, as Twilio calls it.
const WEBHOOKS: [(&str, &str); 15] = [
    ("POST", "/twilio/voice/incoming"),
    ("POST", "/twilio/voice/wait"),
    ("GET", "/twilio/voice/wait"),
    ("POST", "/twilio/voice/hold"),
    ("GET", "/twilio/voice/hold?call=CA11111111111111111111111111111111"),
    ("POST", "/twilio/voice/goodbye"),
    ("POST", "/twilio/voice/fallback"),
    ("GET", "/twilio/voice/fallback"),
    ("POST", "/twilio/voice/conference"),
    ("POST", "/twilio/voice/status"),
    (
        "POST",
        "/twilio/voice/operator-leg/CA11111111111111111111111111111111/OF1/op-sato",
    ),
    (
        "POST",
        "/twilio/voice/transfer-leg/CA11111111111111111111111111111111/TR1/op-sato",
    ),
    (
        "POST",
        "/twilio/voice/ring-back/CA11111111111111111111111111111111/op-sato/transfer",
    ),
    ("POST", "/twilio/voice/recording/CA11111111111111111111111111111111"),
    ("POST", "/twilio/voice/outbound"),
];

#[tokio::test]
async fn webhooks_without_a_valid_signature_are_refused_whatever_token_they_carry() {
    let c = support::start().await;
    let admin = c.sign_in("admin-watanabe").await;
    let params = [
        ("AccountSid", c.account.account_sid.as_str()),
        ("CallSid", "CA11111111111111111111111111111111"),
        ("CallStatus", "ringing"),
        ("From", "+81312345678"),
        ("To", "+81368000001"),
        ("Direction", "inbound"),
    ];
    let before = c.store.reads() + c.store.writes();
    let owned: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let mut refused = 0;
    for (method, path) in WEBHOOKS {
        let url = format!("{}{path}", c.url);
        let get = method == "GET";
        let signed_elsewhere = shared::twilio::signature::compute_signature(
            &c.account.auth_token,
            &format!("{}/twilio/voice/somewhere-else", c.url),
            if get { &[] } else { &owned },
        );
        let with_other_token = shared::twilio::signature::compute_signature(
            &c.account.api_key_secret,
            &url,
            if get { &[] } else { &owned },
        );
        for signature in [
            None,
            Some(String::new()),
            Some("bm90IGEgc2lnbmF0dXJl".to_owned()),
            Some(signed_elsewhere),
            Some(with_other_token),
        ] {
            let mut req = c.http.request(method.parse().unwrap(), &url).bearer_auth(&admin);
            if !get {
                req = req.form(&params);
            }
            if let Some(s) = &signature {
                req = req.header("x-twilio-signature", s);
            }
            let r = req.send().await.unwrap();
            assert_eq!(
                r.status(),
                StatusCode::FORBIDDEN,
                "{method} {path} with signature {signature:?}"
            );
            refused += 1;
        }
    }
    assert_eq!(
        c.store.reads() + c.store.writes(),
        before,
        "refused webhooks never reach the store"
    );
    println!(
        "webhook matrix: {} routes x 5 signatures = {refused} refusals",
        WEBHOOKS.len()
    );
}
