//! The people of the day: the admin who sets the centre up, operators and supervisors making
//! the page's requests, callers, and the faults injected on a schedule; then the checks made
//! once everyone has stopped.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures::StreamExt;
use local::sim::PhoneEvent;
use rand::Rng;
use rand::seq::IndexedRandom;
use serde_json::{Value, json};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::{CallTrack, Day};

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub token: String,
}

impl Person {
    /// The softphone's client identity.
    pub fn identity(&self) -> String {
        self.id.replace('-', "_")
    }
}

const SURNAMES: [&str; 12] = [
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
];

/// What an operator types, a phrase at a time.
const PHRASES: [&str; 10] = [
    "【お客様】",
    "請求書の再発行のご依頼。",
    "住所変更の手続きについて確認。",
    "契約番号を確認済み。",
    "折り返し希望（午後）。",
    "製品の不具合、型番を伺った。",
    "担当部署へ確認のうえ回答予定。",
    "支払方法の変更を案内。",
    "解約の意向あり、引き止め不要。",
    "本人確認済み。",
];

fn rand_between(range: (f64, f64)) -> f64 {
    rand::rng().random_range(range.0..=range.1)
}

fn chance(p: f64) -> bool {
    rand::rng().random_bool(p.clamp(0.0, 1.0))
}

async fn sleep_s(s: f64) {
    tokio::time::sleep(Duration::from_secs_f64(s.max(0.0))).await;
}

/// A caller's number: mobile numbers, some calling more than once.
fn caller_number(i: usize) -> String {
    format!("+8190{:08}", 10_000_000 + (i * 7919) % 4_000)
}

/// Whether the customer's call is still live on Twilio's side.
pub fn customer_live(day: &Day, sid: &str) -> bool {
    let sid = sid.to_owned();
    futures_lite_now(day.sim.wait_for(Duration::ZERO, move |w| {
        Some(w.calls.get(&sid).is_some_and(|c| !c.is_over()))
    }))
    .flatten()
    .unwrap_or(false)
}

/// What the caller heard.
fn heard(day: &Day, sid: &str) -> (String, Vec<String>) {
    let sid = sid.to_owned();
    futures_lite_now(day.sim.wait_for(Duration::ZERO, move |w| {
        Some(
            w.calls
                .get(&sid)
                .map(|c| (c.status.clone(), c.heard.clone()))
                .unwrap_or_default(),
        )
    }))
    .flatten()
    .unwrap_or_default()
}

/// What the simulator knows of a call, to say why an operator was held: the customer's status
/// and the webhooks about the call that the injected faults kept from the console or that it
/// did not take (path, status, fault).
fn story(day: &Day, sid: &str) -> String {
    let (status, _) = heard(day, sid);
    let mut odd: BTreeMap<String, usize> = BTreeMap::new();
    for w in day.sim.webhook_log() {
        let about = w.url.contains(sid) || w.params.iter().any(|(_, v)| v == sid);
        if !about || (w.injected.is_none() && (200..300).contains(&w.status)) {
            continue;
        }
        let path = w.url.split("/twilio/voice/").nth(1).unwrap_or(&w.url);
        let path = path.split(['/', '?']).next().unwrap_or(path);
        let what = w
            .params
            .iter()
            .find(|(k, _)| k == "CallStatus" || k == "StatusCallbackEvent")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        *odd.entry(format!("{path} {what} {} {}", w.status, w.injected.unwrap_or("")))
            .or_default() += 1;
    }
    let odd: Vec<String> = odd.into_iter().map(|(k, n)| format!("{} ×{n}", k.trim())).collect();
    let conf = sid.to_owned();
    let room = futures_lite_now(day.sim.wait_for(Duration::ZERO, move |w| {
        Some(
            w.conferences
                .values()
                .filter(|c| c.friendly_name == conf)
                .map(|c| {
                    let people: Vec<String> = c
                        .participants
                        .iter()
                        .map(|p| format!("{} {}", p.label.as_deref().unwrap_or("?"), p.status))
                        .collect();
                    format!("{} ({})", c.status, people.join(", "))
                })
                .collect::<Vec<_>>()
                .join("; "),
        )
    }))
    .flatten()
    .unwrap_or_default();
    // The console's REST requests about the call and its conference, last few.
    let conf = sid.to_owned();
    let conf_sids: Vec<String> = futures_lite_now(day.sim.wait_for(Duration::ZERO, move |w| {
        Some(
            w.conferences
                .values()
                .filter(|c| c.friendly_name == conf)
                .map(|c| c.sid.clone())
                .collect::<Vec<_>>(),
        )
    }))
    .flatten()
    .unwrap_or_default();
    let rest: Vec<String> = day
        .sim
        .rest_log()
        .into_iter()
        .filter(|r| r.path.contains(sid) || conf_sids.iter().any(|c| r.path.contains(c.as_str())))
        .map(|r| {
            let tail = r.path.rsplit("/Conferences/").next().unwrap_or(&r.path);
            let params: Vec<String> = r.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{} …{} [{}] {}", r.method, tail, params.join("&"), r.status)
        })
        .collect();
    let rest = rest[rest.len().saturating_sub(6)..].join(" | ");
    format!(
        "customer {status}; conference {room}; webhooks not taken: [{}]; REST: {rest}",
        odd.join(", ")
    )
}

/// What the store has of a call, in a line: the fields that say who holds it and where it
/// stands, and each participant as the store believes it (label:state, `held` when on hold).
async fn record_of(day: &Day, sid: &str) -> String {
    let Some(item) = day.probe.peek(&shared::domain::calls::call_key(sid)).await else {
        return "no record".into();
    };
    let mut shown: Vec<String> = [
        "status",
        "operator_id",
        "operator_label",
        "offered_to",
        "handed_over",
        "end_reason",
        "answered_at",
        "ended_at",
        "transfer_to",
        "transfer_state",
        "requeued_at",
        "reconnecting_at",
        "orphaned_since",
        "heal_count",
        "external",
    ]
    .iter()
    .filter_map(|f| item.get(*f).map(|v| format!("{f}={v}")))
    .collect();
    shown.sort();
    for (k, v) in &item {
        if let Some(label) = k.strip_prefix("p_") {
            let held = if v["hold"] == true { " held" } else { "" };
            let seq = item.get(&format!("pseq_{label}")).cloned().unwrap_or_default();
            shown.push(format!("{label}:{}{held}#{seq}", v["state"].as_str().unwrap_or("?")));
        }
    }
    shown.join(" ")
}

/// Polls a future that is ready at once (the simulator's wait with a zero timeout checks the
/// state once and returns).
fn futures_lite_now<T>(f: impl std::future::Future<Output = T>) -> Option<T> {
    let mut f = std::pin::pin!(f);
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => Some(v),
        std::task::Poll::Pending => None,
    }
}

async fn sign_in(day: &Day, id: &str) -> Result<Person, String> {
    for _ in 0..5 {
        let a = day.raw("POST", "/api/dev/sign-in", json!({"user_id": id})).await;
        if a.status == 200 {
            return Ok(Person {
                id: id.to_owned(),
                name: a.body["user"]["name"].as_str().unwrap_or(id).to_owned(),
                token: a.body["token"].as_str().unwrap_or_default().to_owned(),
            });
        }
        sleep_s(0.5).await;
    }
    Err(format!("{id} could not sign in"))
}

/// The admin sets the centre up: call handling for a compressed day, the users, a call list.
pub async fn set_up(day: &Arc<Day>) -> Result<(), Box<dyn std::error::Error>> {
    let admin = sign_in(day, "admin-watanabe").await?;
    let settings = day.api(&admin.token, "GET", "/api/settings", None).await;
    let line = settings.body["lines"][0]["number"]
        .as_str()
        .unwrap_or("+81368000001")
        .to_owned();
    *day.line.lock().unwrap() = line;
    let section = day.api(&admin.token, "GET", "/api/settings", None).await;
    let version = section.body["versions"]["call_handling"].as_u64().unwrap_or(0);
    let handling = json!({
        "wrap_up_seconds": 2,
        "max_wait_seconds": day.cfg.max_wait_s,
        "ring_timeout_seconds": crate::RING_TIMEOUT_S,
        "orphan_hold_seconds": crate::ORPHAN_HOLD_S,
    });
    let mut put = day
        .api(
            &admin.token,
            "PUT",
            "/api/settings/call_handling",
            Some(json!({"version": version, "value": handling})),
        )
        .await;
    if put.status == 409 {
        let current = put.body["error"]["current"]["version"].as_u64().unwrap_or(version + 1);
        put = day
            .api(
                &admin.token,
                "PUT",
                "/api/settings/call_handling",
                Some(json!({"version": current, "value": handling})),
            )
            .await;
    }
    if put.status != 200 {
        return Err(format!("call handling not set: {} {}", put.status, put.body).into());
    }

    let run = ulid::Ulid::new().to_string().to_lowercase();
    let mut invited: Vec<(String, bool)> = Vec::new();
    let total = day.cfg.operators + day.cfg.supervisors;
    for chunk in (0..total).collect::<Vec<_>>().chunks(16) {
        let mut tasks = Vec::new();
        for &i in chunk {
            let supervisor = i >= day.cfg.operators;
            let day = day.clone();
            let token = admin.token.clone();
            let run = run.clone();
            tasks.push(tokio::spawn(async move {
                let role = if supervisor { "supervisor" } else { "operator" };
                let name = format!("{} {:03}", SURNAMES[i % SURNAMES.len()], i + 1);
                let a = day
                    .api(
                        &token,
                        "POST",
                        "/api/users",
                        Some(json!({"email": format!("cd{i}.{run}@example.jp"), "name": name, "role": role})),
                    )
                    .await;
                (a, supervisor)
            }));
        }
        for t in tasks {
            let (a, supervisor) = t.await?;
            let id = a.body["id"]
                .as_str()
                .ok_or(format!("invite refused: {} {}", a.status, a.body))?;
            invited.push((id.to_owned(), supervisor));
        }
    }
    for (id, supervisor) in invited {
        let p = sign_in(day, &id).await?;
        if supervisor {
            day.supervisors.lock().unwrap().push(p);
        } else {
            day.operators.lock().unwrap().push(p);
        }
    }

    // A call list of 80 targets, imported as the admin page does (one chunk).
    let list = day
        .api(
            &admin.token,
            "POST",
            "/api/call-lists",
            Some(json!({"name": "更新案内 centre-day", "line_id": "main", "description": "負荷試験"})),
        )
        .await;
    if let Some(list_id) = list.body["id"].as_str() {
        let import = day
            .api(
                &admin.token,
                "POST",
                &format!("/api/call-lists/{list_id}/imports"),
                Some(json!({"columns": ["会社名", "担当者", "電話番号"],
                            "mapping": {"phone": "電話番号", "account": "会社名", "contact": "担当者"},
                            "file_name": "centre-day.csv"})),
            )
            .await;
        if let Some(import_id) = import.body["id"].as_str() {
            let csv: String = (0..80)
                .map(|i| format!("テスト商事{i},担当{i},03-5000-{i:04}\n"))
                .collect();
            let r = day
                .http
                .post(format!(
                    "{}/api/call-lists/{list_id}/imports/{import_id}/chunks?first_line=2",
                    day.base
                ))
                .bearer_auth(&admin.token)
                .header("content-type", "text/csv")
                .body(csv)
                .send()
                .await?;
            if r.status().is_success() {
                *day.call_list.lock().unwrap() = Some(list_id.to_owned());
            }
        }
    }
    if day.call_list.lock().unwrap().is_none() {
        day.count("call list could not be set up");
    }
    *day.admin.lock().unwrap() = admin.token;
    Ok(())
}

/// A softphone: the channel its events arrive on and the device registered.
struct Phone {
    identity: String,
    tx: UnboundedSender<PhoneEvent>,
    rx: UnboundedReceiver<PhoneEvent>,
    device: u64,
}

impl Phone {
    fn register(day: &Day, identity: String) -> Self {
        let (tx, rx) = unbounded_channel();
        let device = day.sim.register(&identity, tx.clone());
        Self {
            identity,
            tx,
            rx,
            device,
        }
    }

    /// Waits for an event matching `f`, up to `timeout`.
    async fn wait<T>(&mut self, timeout: Duration, mut f: impl FnMut(&PhoneEvent) -> Option<T>) -> Option<T> {
        let until = tokio::time::Instant::now() + timeout;
        loop {
            let ev = tokio::time::timeout_at(until, self.rx.recv()).await.ok()??;
            if let Some(v) = f(&ev) {
                return Some(v);
            }
        }
    }
}

/// Polls the operator's presence every 5 s, as the page does, until the day is over.
fn presence(day: Arc<Day>, token: String) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        sleep_s(rand_between((0.0, 5.0))).await;
        while !day.over.load(Ordering::SeqCst) {
            day.api(&token, "GET", "/api/operators/me", None).await;
            sleep_s(5.0).await;
        }
    })
}

/// Follows the live call every second, as the page does while a call lasts.
fn follow(day: Arc<Day>, token: String, sid: String) -> tokio_util::sync::CancellationToken {
    let stop = tokio_util::sync::CancellationToken::new();
    let s = stop.clone();
    tokio::spawn(async move {
        while !s.is_cancelled() && !day.over.load(Ordering::SeqCst) {
            day.api(&token, "GET", &format!("/api/calls/{sid}"), None).await;
            tokio::select! {
                _ = s.cancelled() => break,
                _ = sleep_s(1.0) => {}
            }
        }
    });
    stop
}

async fn set_status(day: &Day, p: &Person, status: &str) -> u16 {
    let mut last = 0;
    for _ in 0..5 {
        last = day
            .api(
                &p.token,
                "PUT",
                "/api/operators/me/status",
                Some(json!({"status": status})),
            )
            .await
            .status;
        if last == 200 {
            break;
        }
        sleep_s(1.0).await;
    }
    last
}

/// An operator's day.
pub async fn operator(day: Arc<Day>, p: Person) {
    let mut phone = Phone::register(&day, p.identity());
    day.api(&p.token, "GET", "/api/operators/me", None).await;
    day.api(&p.token, "GET", "/api/settings", None).await;
    day.api(&p.token, "GET", "/api/calls/current", None).await;
    let s = set_status(&day, &p, "available").await;
    if s != 200 {
        day.count(format!("operators who could not become available at sign-in ({s})"));
    }
    let poll = presence(day.clone(), p.token.clone());
    while !day.over.load(Ordering::SeqCst) {
        let ev = tokio::time::timeout(Duration::from_secs(1), phone.rx.recv()).await;
        match ev {
            Ok(Some(PhoneEvent::Incoming { call_sid, params, .. })) => {
                take_offer(&day, &p, &mut phone, call_sid, params).await;
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) if !day.closing.load(Ordering::SeqCst) && chance(0.004) => {
                dial_out(&day, &p, &mut phone).await;
            }
            Err(_) => {}
        }
    }
    poll.abort();
    day.sim.unregister(phone.device);
}

/// Who an operator is on a call as.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Part {
    /// Took a fresh offer of a waiting call.
    Fresh,
    /// Took a transfer (`warm`, `cold`) or a ring-back.
    Handed,
    /// Dialled out (a call-list target or any number).
    Outbound,
}

async fn take_offer(day: &Arc<Day>, p: &Person, phone: &mut Phone, leg: String, params: BTreeMap<String, String>) {
    let Some(sid) = params.get("callSid").cloned() else {
        day.count("offer without the customer's call");
        let _ = day.sim.reject(&phone.identity, &leg);
        return;
    };
    let part = if params.contains_key("mode") || params.contains_key("handoffId") || params.contains_key("why") {
        Part::Handed
    } else {
        Part::Fresh
    };
    if part == Part::Fresh && chance(0.03) {
        day.count("offers rejected by the operator");
        let _ = day.sim.reject(&phone.identity, &leg);
        return;
    }
    sleep_s(rand_between((0.2, 1.2))).await;
    if day.sim.accept(&phone.identity, &leg).is_err() {
        day.count("offers gone before accepted");
        return;
    }
    let connected = Instant::now();
    if !customer_live(day, &sid) {
        day.count("operator joined an empty room");
    } else if part == Part::Fresh {
        let other = {
            let mut calls = day.calls.lock().unwrap();
            let track = calls.entry(sid.clone()).or_default();
            track.answered.get_or_insert(connected);
            let other = track
                .takers
                .iter()
                .find(|(who, _, end)| end.is_none() && *who != p.id)
                .map(|(who, from, _)| (who.clone(), from.duration_since(day.started).as_secs_f64()));
            track.takers.push((p.id.clone(), connected, None));
            other
        };
        if let Some((other, since)) = other {
            day.fail(
                "double-assigned",
                format!(
                    "call {sid} taken by {} at {:.1} s while {other} was still on it (since {since:.1} s); {}",
                    p.id,
                    day.elapsed(),
                    story(day, &sid)
                ),
            );
        }
    }
    if part == Part::Handed {
        day.count("transfers and ring-backs taken");
        if let Some(handoff) = params.get("handoffId") {
            day.api(&p.token, "GET", &format!("/api/handoffs/{handoff}"), None)
                .await;
        }
    }
    let from = day.calls.lock().unwrap().get(&sid).map(|c| c.from.clone());
    on_call(day, p, phone, &sid, leg, part, from).await;
}

/// An operator dials out: a call-list target when a list has one, else a customer's number.
async fn dial_out(day: &Arc<Day>, p: &Person, phone: &mut Phone) {
    let list = day.call_list.lock().unwrap().clone();
    let mut target = None;
    let mut number = caller_number(rand::rng().random_range(0..4000));
    if let Some(list) = &list
        && chance(0.5)
    {
        let lease = day
            .api(&p.token, "POST", &format!("/api/call-lists/{list}/lease-next"), None)
            .await;
        if let (200, Some(t), Some(phone_no)) = (
            lease.status,
            lease.body["target"]["id"].as_str(),
            lease.body["target"]["phone"].as_str(),
        ) {
            target = Some(t.to_owned());
            number = phone_no.to_owned();
        }
    }
    let s = set_status(day, p, "away").await;
    if s != 200 {
        day.count(format!("could not step away to dial ({s})"));
        return;
    }
    let leg = day.sim.connect(
        &phone.identity,
        vec![("To".into(), number.clone()), ("LineId".into(), "main".into())],
    );
    // The page learns the customer's call from the live state.
    let mut sid = None;
    for _ in 0..20 {
        sleep_s(0.5).await;
        let current = day.api(&p.token, "GET", "/api/calls/current", None).await;
        if let Some(s) = current.body["call"]["sid"].as_str() {
            sid = Some(s.to_owned());
            break;
        }
    }
    match sid {
        Some(sid) => {
            day.count("outbound calls placed");
            day.calls.lock().unwrap().insert(
                sid.clone(),
                CallTrack {
                    from: number,
                    outbound: true,
                    started: Some(Instant::now()),
                    answered: Some(Instant::now()),
                    ..CallTrack::default()
                },
            );
            on_call(day, p, phone, &sid, leg, Part::Outbound, None).await;
            if let (Some(list), Some(t)) = (list, target) {
                let r = day
                    .api(
                        &p.token,
                        "POST",
                        &format!("/api/call-lists/{list}/targets/{t}/result"),
                        Some(json!({"call_sid": sid, "response_status": "resolved", "outcome": "done"})),
                    )
                    .await;
                day.count(if r.status == 200 {
                    "call-list results recorded".to_owned()
                } else {
                    format!("call-list results refused ({})", r.status)
                });
            }
        }
        None => {
            day.count("outbound calls that never showed on the page");
            let _ = day.sim.disconnect(&phone.identity, &leg);
        }
    }
    let s = set_status(day, p, "available").await;
    if s != 200 {
        day.count(format!("status refused after an outbound call ({s})"));
    }
}

/// What the operator does in the middle of a call.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Action {
    Talk,
    Hold,
    Consult,
    Warm,
    Screen,
    Cold,
}

fn pick_action(part: Part) -> Action {
    let x: f64 = rand::rng().random();
    match part {
        Part::Outbound => {
            if x < 0.2 {
                Action::Hold
            } else {
                Action::Talk
            }
        }
        Part::Handed => {
            if x < 0.1 {
                Action::Hold
            } else {
                Action::Talk
            }
        }
        Part::Fresh => match x {
            x if x < 0.45 => Action::Talk,
            x if x < 0.57 => Action::Hold,
            x if x < 0.70 => Action::Consult,
            x if x < 0.80 => Action::Warm,
            x if x < 0.90 => Action::Screen,
            _ => Action::Cold,
        },
    }
}

/// The memo as this operator's page holds it.
struct MemoPad {
    version: u64,
    text: String,
    /// Typed and not stored yet: the next save sends it.
    dirty: bool,
}

/// What became of a memo save, read as the page reads it (`static-ui/src/state/memoOutbox.ts`,
/// `saveFailure`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Saved {
    /// Stored (or nothing to store, or a repeat of a save that had landed).
    Stored,
    /// Failed for a reason that passes (no answer, 401, 408, 429, 5xx, a 409 that is not a
    /// stale version): the page keeps it (保存待ち) and tries again.
    Kept,
    /// Refused for good (403, 400, 404…): the page shows 保存できません for the operator to
    /// copy or discard; it is not tried again by itself.
    Refused,
    /// Someone else saved the call's memo since (a stale version with another text), and this
    /// page no longer shows the call: the outbox keeps it as 競合 for the operator to settle
    /// (`memoOutbox.ts`: a conflict is never overwritten by itself).
    Conflict,
}

/// The page's outbox retries: full jitter up to 2 s, doubling with each failed try up to a
/// minute, never sooner than 0.5 s.
fn outbox_retry_s(tries: u32) -> f64 {
    let cap = (2.0 * 2f64.powi(tries.saturating_sub(1).min(10) as i32)).min(60.0);
    (rand::rng().random::<f64>() * cap).max(0.5)
}

impl MemoPad {
    async fn load(day: &Day, token: &str, sid: &str) -> Self {
        let m = day.api(token, "GET", &format!("/api/memos/{sid}"), None).await;
        Self {
            version: m.body["version"].as_u64().unwrap_or(0),
            text: m.body["text"].as_str().unwrap_or_default().to_owned(),
            dirty: false,
        }
    }

    fn type_phrase(&mut self, day: &Day, sid: &str) {
        self.text.push_str(PHRASES.choose(&mut rand::rng()).unwrap_or(&"。"));
        self.dirty = true;
        day.memos.lock().unwrap().insert(sid.to_owned(), self.text.clone());
    }

    /// Saves as the page does. A stale version whose memo is this text is a save that had
    /// landed; another text is someone else's save: on screen, this operator settles the 競合 by
    /// saving what they typed over it (自分の内容で上書き), once; kept in the outbox after the call
    /// (`on_screen` false), it stays a conflict for them to settle, as the page keeps it.
    async fn save(&mut self, day: &Day, token: &str, sid: &str, on_screen: bool) -> Saved {
        if !self.dirty {
            return Saved::Stored;
        }
        for _ in 0..2 {
            let a = day
                .api(
                    token,
                    "PUT",
                    &format!("/api/memos/{sid}"),
                    Some(json!({"version": self.version, "text": self.text, "response_status": "resolved"})),
                )
                .await;
            match a.status {
                200 => {
                    self.version = a.body["version"].as_u64().unwrap_or(self.version + 1);
                    self.dirty = false;
                    return Saved::Stored;
                }
                409 if a.body["error"]["code"] == "stale_version" => {
                    let current = &a.body["error"]["current"];
                    let Some(v) = current["version"].as_u64() else {
                        day.count("memo saves answered 409 without the current memo");
                        return Saved::Kept;
                    };
                    self.version = v;
                    if current["text"].as_str() == Some(self.text.as_str()) {
                        day.count("memo saves repeated after they had landed");
                        self.dirty = false;
                        return Saved::Stored;
                    }
                    if !on_screen {
                        return Saved::Conflict;
                    }
                    day.count("memo saves answered 409 (saved meanwhile elsewhere): overwritten");
                }
                0 | 401 | 408 | 409 | 429 | 500.. => {
                    day.count(format!("memo saves kept to try again ({})", a.status));
                    return Saved::Kept;
                }
                s => {
                    day.count(format!(
                        "memo saves refused ({s} {})",
                        a.body["error"]["code"].as_str().unwrap_or("")
                    ));
                    day.memo_refused
                        .lock()
                        .unwrap()
                        .entry(sid.to_owned())
                        .or_default()
                        .push(format!(
                            "{s} at {:.1} s ({} characters typed)",
                            day.elapsed(),
                            self.text.chars().count()
                        ));
                    return Saved::Refused;
                }
            }
        }
        Saved::Kept
    }

    /// What the page's outbox does with a memo not stored when its call ends: kept, and tried
    /// again with back-off until stored, across the operator's next calls; the run waits for
    /// the outboxes to empty before it reads the memos back.
    fn keep_trying(mut self, day: Arc<Day>, token: String, sid: String) {
        day.memo_outbox.fetch_add(1, Ordering::SeqCst);
        day.count("memos kept in the outbox after their call");
        tokio::spawn(async move {
            let mut tries = 0;
            loop {
                tries += 1;
                match self.save(&day, &token, &sid, false).await {
                    Saved::Stored => {
                        day.count("memos the outbox stored after their call");
                        break;
                    }
                    Saved::Refused => break,
                    Saved::Conflict => {
                        // Not lost: the page shows it as 競合 beside the memo saved since.
                        day.count(
                            "memos the outbox keeps as 競合 (the call's memo was saved since by another operator)",
                        );
                        day.memo_conflicts
                            .lock()
                            .unwrap()
                            .entry(sid.clone())
                            .or_default()
                            .push(self.text.clone());
                        break;
                    }
                    Saved::Kept => sleep_s(outbox_retry_s(tries)).await,
                }
            }
            day.memo_outbox.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// An operator on a call until their part in it ends; then they must be free within the bound.
async fn on_call(
    day: &Arc<Day>,
    p: &Person,
    phone: &mut Phone,
    sid: &str,
    mut leg: String,
    part: Part,
    from: Option<String>,
) {
    let now_on = day.on_call.fetch_add(1, Ordering::SeqCst) + 1;
    day.most_on_call.fetch_max(now_on, Ordering::SeqCst);
    day.api(&p.token, "GET", "/api/calls/current", None).await;
    if let Some(from) = &from {
        day.api(
            &p.token,
            "GET",
            &format!("/api/crm/lookup?phone={}", from.replace('+', "%2B")),
            None,
        )
        .await;
    }
    let mut pad = MemoPad::load(day, &p.token, sid).await;
    let mut follower = follow(day.clone(), p.token.clone(), sid.to_owned());
    let talk = rand_between(day.cfg.talk);
    let action = pick_action(part);
    let act_at = talk * rand_between((0.3, 0.5));
    let record_at = if chance(0.3) { Some(talk * 0.6) } else { None };
    let customer_ends = chance(0.55);
    let began = Instant::now();
    let mut acted = false;
    let mut leg_over = false;
    // How the operator's part ended, for the findings.
    let mut how = "the call's time was up";
    let mut handed_over = false;
    // The operator's leg ended while the customer may still be there: the console holds the
    // customer for 再接続 and rings the operator back before it lets them go.
    let mut left_alone = false;
    loop {
        let wait = Duration::from_secs_f64(rand_between((1.0, 2.5)));
        let identity = phone.identity.clone();
        if let Some(ev) = phone
            .wait(wait, |ev| match ev {
                PhoneEvent::Disconnected { call_sid } if *call_sid == leg => Some(true),
                PhoneEvent::Incoming { call_sid, .. } => {
                    let _ = day.sim.reject(&identity, call_sid);
                    Some(false)
                }
                _ => None,
            })
            .await
        {
            if ev {
                leg_over = true;
                left_alone = true;
                how = "their leg was disconnected by the platform";
                break;
            }
            day.count("offered a call while on a call");
        }
        if day.close_tab.lock().unwrap().remove(&p.id) {
            follower.cancel();
            match close_tab(day, p, phone, sid, &leg).await {
                Some(new_leg) => {
                    // The reopened page keeps the memo as typed (it was persisted in the
                    // browser), and its saves go on from there.
                    leg = new_leg;
                    follower = follow(day.clone(), p.token.clone(), sid.to_owned());
                }
                None => {
                    leg_over = true;
                    left_alone = true;
                    how = "their tab closed and they did not rejoin";
                    break;
                }
            }
        }
        pad.type_phrase(day, sid);
        pad.save(day, &p.token, sid, true).await;
        let t = began.elapsed().as_secs_f64();
        if let Some(at) = record_at
            && t >= at
            && !day.over.load(Ordering::SeqCst)
        {
            record_inquiry(day, p, sid, from.as_deref()).await;
        }
        if !acted && t >= act_at {
            acted = true;
            pad.save(day, &p.token, sid, true).await;
            handed_over = act(day, p, sid, action).await;
            if handed_over {
                how = "they handed the call over";
                break;
            }
        }
        if t >= talk {
            break;
        }
    }
    if !leg_over && !handed_over {
        if customer_ends {
            day.sim.hang_up(sid);
        } else {
            let mut done = false;
            for _ in 0..5 {
                let a = day
                    .api(&p.token, "POST", &format!("/api/calls/{sid}/hangup"), None)
                    .await;
                if a.status < 300 {
                    done = true;
                    break;
                }
                sleep_s(1.0).await;
            }
            if !done {
                day.count("hang-ups refused: the softphone hung up its leg");
                let _ = day.sim.disconnect(&phone.identity, &leg);
                left_alone = true;
            }
        }
    }
    if !leg_over {
        let l = leg.clone();
        let ended = phone
            .wait(Duration::from_secs(30), |ev| match ev {
                PhoneEvent::Disconnected { call_sid } if *call_sid == l => Some(()),
                _ => None,
            })
            .await;
        if ended.is_none() {
            day.count("legs still connected 30 s after the end: hung up on the softphone");
            let _ = day.sim.disconnect(&phone.identity, &leg);
        }
    }
    let ended = Instant::now();
    follower.cancel();
    {
        let mut calls = day.calls.lock().unwrap();
        if let Some(t) = calls.get_mut(sid)
            && let Some(mine) = t.takers.iter_mut().rev().find(|(who, ..)| *who == p.id)
        {
            mine.2 = Some(ended);
        }
    }
    day.on_call.fetch_sub(1, Ordering::SeqCst);
    // The page saves the last words; what is not stored stays in its outbox, which goes on
    // trying while the operator takes their next calls.
    if pad.save(day, &p.token, sid, true).await == Saved::Kept {
        pad.keep_trying(day.clone(), p.token.clone(), sid.to_owned());
    }
    let how = match (leg_over, handed_over, customer_ends) {
        (false, false, true) => "the customer hung up",
        (false, false, false) => "the operator hung up",
        _ => how,
    };
    let how = format!(
        "{how} at {:.1} s, after {:?}{}",
        ended.duration_since(day.started).as_secs_f64(),
        action,
        if acted { "" } else { " (not done)" }
    );
    let grace = if left_alone {
        day.cfg.reconnect_grace()
    } else {
        Duration::ZERO
    };
    free_within_bound(day, p, sid, ended, grace, &how).await;
}

/// The operator's page after the call: polled until the console has let them go, within the
/// bound after the call's end, or after the grace the console gives an operator whose leg left
/// a customer alone (see `Config::reconnect_grace`). The time the store was down after the
/// call's end is left out: no write lands while it is.
async fn free_within_bound(day: &Day, p: &Person, sid: &str, ended: Instant, grace: Duration, how: &str) {
    let bound = day.cfg.free_bound() + grace;
    let give_up = bound * 3;
    loop {
        let me = day.api(&p.token, "GET", "/api/operators/me", None).await;
        // Free of this call: no call, or already offered the next one.
        let current = me.body["current_call"].as_str();
        let free = me.status == 200 && current != Some(sid) && !(current.is_none() && me.body["status"] == "on_call");
        let now = Instant::now();
        let down = day.outages.down_between(ended, now);
        let waited = now.saturating_duration_since(ended).saturating_sub(down);
        let timed = if down.is_zero() {
            String::new()
        } else {
            format!(", less {:.1} s the store was down", down.as_secs_f64())
        };
        // What kind of end kept them, for the table of what happened.
        let kind = || {
            format!(
                "operators stuck after {} ({}; by {:.0} s at most)",
                how.split(" at ").next().unwrap_or(how),
                if down.is_zero() {
                    "the store up"
                } else {
                    "their call ended while the store was down"
                },
                (waited.saturating_sub(bound).as_secs_f64() / 10.0).ceil() * 10.0
            )
        };
        if free {
            day.free_delays.lock().unwrap().push(waited.as_secs_f64());
            if waited > bound {
                day.count(kind());
                day.fail(
                    "stuck",
                    format!(
                        "{} free {:.1} s after call {sid} ended ({how}; bound {:.1} s{timed}); {}; the call record: {}",
                        p.id,
                        waited.as_secs_f64(),
                        bound.as_secs_f64(),
                        story(day, sid),
                        record_of(day, sid).await
                    ),
                );
            }
            if me.body["status"] != "available" && !day.closing.load(Ordering::SeqCst) {
                set_status(day, p, "available").await;
            }
            return;
        }
        if waited > give_up {
            day.free_delays.lock().unwrap().push(waited.as_secs_f64());
            day.count(kind());
            day.fail(
                "stuck",
                format!(
                    "{} still {} with call {} {:.0} s after call {sid} ended ({how}; bound {:.1} s{timed}); {}; \
                     the call record: {}",
                    p.id,
                    me.body["status"],
                    me.body["current_call"],
                    waited.as_secs_f64(),
                    bound.as_secs_f64(),
                    story(day, sid),
                    record_of(day, sid).await
                ),
            );
            return;
        }
        sleep_s(1.0).await;
    }
}

/// Does the call's middle part; true when the operator's part in the call is over (transferred).
async fn act(day: &Arc<Day>, p: &Person, sid: &str, action: Action) -> bool {
    let path = |what: &str| format!("/api/calls/{sid}/{what}");
    match action {
        Action::Talk => false,
        Action::Hold => {
            day.count("holds");
            day.api(&p.token, "POST", &path("hold"), None).await;
            sleep_s(1.5).await;
            day.api(&p.token, "POST", &path("unhold"), None).await;
            false
        }
        Action::Consult => {
            day.count("consultations");
            day.api(&p.token, "POST", &path("hold"), None).await;
            let to = format!("+8150{:08}", rand::rng().random_range(10_000_000..99_999_999));
            let c = day
                .api(
                    &p.token,
                    "POST",
                    &path("consult"),
                    Some(json!({"to": to, "line_id": "main"})),
                )
                .await;
            if c.status < 300 {
                sleep_s(3.0).await;
                day.api(&p.token, "DELETE", &path("consult"), None).await;
            }
            sleep_s(0.5).await;
            day.api(&p.token, "POST", &path("unhold"), None).await;
            false
        }
        Action::Warm | Action::Screen | Action::Cold => transfer(day, p, sid, action).await,
    }
}

async fn transfer(day: &Arc<Day>, p: &Person, sid: &str, action: Action) -> bool {
    let list = day.api(&p.token, "GET", "/api/operators", None).await;
    let ops = day
        .operators
        .lock()
        .unwrap()
        .iter()
        .map(|o| o.id.clone())
        .collect::<Vec<_>>();
    let free: Vec<String> = list
        .body
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|o| o["status"] == "available" && o["id"] != p.id.as_str())
                .filter_map(|o| o["id"].as_str().map(str::to_owned))
                .filter(|id| ops.contains(id))
                .collect()
        })
        .unwrap_or_default();
    let Some(to) = free.choose(&mut rand::rng()).cloned() else {
        day.count("transfers skipped: nobody free");
        return false;
    };
    let mut body = json!({"to_operator": to, "mode": if action == Action::Cold { "cold" } else { "warm" }});
    if action == Action::Screen {
        let memo = day.memos.lock().unwrap().get(sid).cloned().unwrap_or_default();
        body["screen"] = json!({"memo": memo, "response_status": "callback",
                                "inquiry": {"object": "inquiry", "fields": {"subject": "引き継ぎ"}}});
    }
    let t = day
        .api(&p.token, "POST", &format!("/api/calls/{sid}/transfer"), Some(body))
        .await;
    if t.status != 201 {
        day.count(format!(
            "transfers refused ({} {})",
            t.status,
            t.body["error"]["code"].as_str().unwrap_or("")
        ));
        return false;
    }
    day.count(match action {
        Action::Cold => "cold transfers",
        Action::Screen => "screen transfers",
        _ => "warm transfers",
    });
    if action == Action::Cold {
        return true;
    }
    // Warm: talk to the colleague once they are in, then leave them with the customer.
    let conf = sid.to_owned();
    let joined = day
        .sim
        .wait_for(Duration::from_secs(15), move |w| {
            w.conferences
                .values()
                .find(|c| c.friendly_name == conf && c.status != "completed")
                .filter(|c| c.participants.iter().any(|x| x.label.as_deref() == Some("transfer")))
                .map(|_| ())
        })
        .await;
    if joined.is_none() {
        day.count("warm transfers called off: the colleague did not answer");
        day.api(&p.token, "DELETE", &format!("/api/calls/{sid}/transfer"), None)
            .await;
        day.api(&p.token, "POST", &format!("/api/calls/{sid}/unhold"), None)
            .await;
        return false;
    }
    sleep_s(1.5).await;
    let a = day
        .api(&p.token, "POST", &format!("/api/calls/{sid}/hangup"), None)
        .await;
    a.status < 300
}

/// Data entry: an inquiry record with a word it can be found by later.
async fn record_inquiry(day: &Day, p: &Person, sid: &str, from: Option<&str>) {
    if day.records.lock().unwrap().iter().any(|(_, _, s)| s == sid) {
        return;
    }
    let word = format!(
        "cd{}",
        ulid::Ulid::new().to_string().to_lowercase().get(16..).unwrap_or("x")
    );
    let body = json!({
        "fields": {"subject": format!("問い合わせ {word}"), "category": "other", "status": "open",
                   "detail": "負荷試験の記録", "phone": from.unwrap_or(""),
                   "received_at": chrono::Utc::now().to_rfc3339()},
        "call_sid": sid,
    });
    let r = day
        .api(&p.token, "POST", "/api/crm/objects/inquiry/records", Some(body))
        .await;
    if let (201, Some(id)) = (r.status, r.body["id"].as_str()) {
        day.records.lock().unwrap().push((id.to_owned(), word, sid.to_owned()));
    } else {
        day.count(format!("inquiry records refused ({})", r.status));
    }
}

/// The tab closes mid-call: the softphone's leg drops with it; the operator opens the page
/// again a few seconds later and rejoins the call if it still goes on. Returns the new leg.
async fn close_tab(day: &Day, p: &Person, phone: &mut Phone, sid: &str, leg: &str) -> Option<String> {
    day.count("tabs closed mid-call");
    let _ = day.sim.disconnect(&phone.identity, leg);
    day.sim.unregister(phone.device);
    sleep_s(4.0).await;
    phone.device = day.sim.register(&phone.identity, phone.tx.clone());
    day.api(&p.token, "GET", "/api/operators/me", None).await;
    let current = day.api(&p.token, "GET", "/api/calls/current", None).await;
    if current.body["call"]["sid"].as_str() != Some(sid) {
        day.count("closed tabs whose call had ended");
        return None;
    }
    // The page offers 再接続; the operator presses it again while the console still counts the
    // closed tab's leg as connected.
    let mut rejoined = false;
    for _ in 0..5 {
        let r = day
            .api(&p.token, "POST", &format!("/api/calls/{sid}/rejoin"), None)
            .await;
        if r.status < 300 {
            rejoined = true;
            break;
        }
        day.count(format!(
            "rejoins refused ({} {})",
            r.status,
            r.body["error"]["code"].as_str().unwrap_or("")
        ));
        sleep_s(2.0).await;
    }
    if !rejoined {
        return None;
    }
    let new_leg = phone
        .wait(Duration::from_secs(15), |ev| match ev {
            PhoneEvent::Incoming { call_sid, .. } => Some(call_sid.clone()),
            _ => None,
        })
        .await?;
    day.sim.accept(&phone.identity, &new_leg).ok()?;
    day.count("calls rejoined after the tab closed");
    Some(new_leg)
}

/// A supervisor's day: the board every 1.5 s; now and then they listen to a call, whisper to the
/// operator, barge in and leave.
pub async fn supervisor(day: Arc<Day>, p: Person) {
    let mut phone = Phone::register(&day, p.identity());
    let mut next_watch = Instant::now() + Duration::from_secs_f64(rand_between((5.0, 20.0)));
    while !day.over.load(Ordering::SeqCst) {
        let board = day.api(&p.token, "GET", "/api/monitor", None).await;
        if Instant::now() >= next_watch && board.status == 200 && !day.closing.load(Ordering::SeqCst) {
            let on_calls: Vec<String> = board.body["operators"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|o| o["call"]["sid"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            let chosen = on_calls.choose(&mut rand::rng()).cloned();
            if let Some(sid) = chosen {
                watch(&day, &p, &mut phone, &sid).await;
            }
            next_watch = Instant::now() + Duration::from_secs_f64(rand_between((15.0, 40.0)));
        }
        sleep_s(1.5).await;
    }
    day.sim.unregister(phone.device);
}

async fn watch(day: &Day, p: &Person, phone: &mut Phone, sid: &str) {
    let path = format!("/api/monitor/calls/{sid}");
    let join = day.api(&p.token, "POST", &path, Some(json!({"mode": "listen"}))).await;
    if join.status >= 300 {
        day.count(format!(
            "monitoring refused ({} {})",
            join.status,
            join.body["error"]["code"].as_str().unwrap_or("")
        ));
        return;
    }
    let Some(leg) = phone
        .wait(Duration::from_secs(10), |ev| match ev {
            PhoneEvent::Incoming { call_sid, .. } => Some(call_sid.clone()),
            _ => None,
        })
        .await
    else {
        day.count("monitoring legs that never rang");
        return;
    };
    if day.sim.accept(&phone.identity, &leg).is_err() {
        day.count("monitoring legs gone before answered");
        return;
    }
    day.count("calls monitored");
    for mode in ["whisper", "barge"] {
        sleep_s(1.5).await;
        let a = day.api(&p.token, "POST", &path, Some(json!({"mode": mode}))).await;
        if a.status < 300 {
            day.count(if mode == "whisper" { "whispers" } else { "barge-ins" });
        }
    }
    sleep_s(1.5).await;
    day.api(&p.token, "DELETE", &path, None).await;
    let l = leg.clone();
    if phone
        .wait(Duration::from_secs(10), |ev| match ev {
            PhoneEvent::Disconnected { call_sid } if *call_sid == l => Some(()),
            _ => None,
        })
        .await
        .is_none()
    {
        let _ = day.sim.disconnect(&phone.identity, &leg);
    }
}

/// When the calls arrive (seconds from the start): steady, with three bursts at four times the
/// rate, sorted.
fn arrivals(n: usize, day_s: f64) -> Vec<f64> {
    let in_burst = |x: f64| [0.15, 0.45, 0.75].iter().any(|b| (x - b).abs() < 0.03);
    let mut rng = rand::rng();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let x: f64 = rng.random();
        let weight = if in_burst(x) { 1.0 } else { 0.25 };
        if rng.random_bool(weight) {
            out.push(x * day_s);
        }
    }
    out.sort_by(|a, b| a.total_cmp(b));
    out
}

/// The callers of the day.
pub async fn customers(day: Arc<Day>) {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (i, at) in arrivals(day.cfg.calls, day.cfg.day_s).into_iter().enumerate() {
        let due = start + Duration::from_secs_f64(at);
        tokio::time::sleep_until(due.into()).await;
        tasks.push(tokio::spawn(customer(day.clone(), i)));
    }
    for t in tasks {
        let _ = t.await;
    }
}

async fn customer(day: Arc<Day>, i: usize) {
    let from = caller_number(i);
    let to = day.line.lock().unwrap().clone();
    let sid = day.sim.start_incoming(&from, &to);
    let started = Instant::now();
    day.calls.lock().unwrap().insert(
        sid.clone(),
        CallTrack {
            from,
            started: Some(started),
            ..CallTrack::default()
        },
    );
    let patience = Duration::from_secs_f64(rand_between(day.cfg.patience));
    loop {
        sleep_s(0.5).await;
        if day
            .calls
            .lock()
            .unwrap()
            .get(&sid)
            .is_some_and(|c| c.answered.is_some())
        {
            return;
        }
        if !customer_live(&day, &sid) || day.over.load(Ordering::SeqCst) {
            return;
        }
        if started.elapsed() > patience {
            if let Some(c) = day.calls.lock().unwrap().get_mut(&sid) {
                c.abandoned = true;
            }
            day.sim.hang_up(&sid);
            return;
        }
    }
}

/// Puts the simulator's webhook faults (replacing those set).
async fn webhook_faults(day: &Day, faults: Value) {
    let a = day.raw("PUT", "/sim/faults", json!({"webhooks": faults})).await;
    if a.status != 204 {
        day.fail("setup", format!("webhook faults refused: {} {}", a.status, a.body));
    }
}

/// The faults of the day, at fixed points of it.
pub async fn faults(day: Arc<Day>) {
    let day_s = day.cfg.day_s;
    let start = Instant::now();
    let at = |f: f64| tokio::time::sleep_until((start + Duration::from_secs_f64(day_s * f)).into());
    let window = |f: f64| (day_s * f * 1000.0) as u64;

    let outage = {
        let day = day.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs_f64(day.cfg.day_s * 0.2)).await;
            println!("  {:>6.1} s  store down for {:.0} s", day.elapsed(), day.cfg.outage_s);
            day.outages.begin();
            day.probe.set_down(true);
            sleep_s(day.cfg.outage_s).await;
            day.probe.set_down(false);
            day.outages.end();
            println!("  {:>6.1} s  store back", day.elapsed());
        })
    };
    at(0.35).await;
    println!("  {:>6.1} s  callbacks dropped beyond Twilio's retries", day.elapsed());
    webhook_faults(
        &day,
        json!([
            {"kind": "drop", "paths": "/twilio/voice/status", "fraction": 0.1, "for_ms": window(0.1)},
            {"kind": "drop", "paths": "/twilio/voice/conference", "fraction": 0.05, "for_ms": window(0.1)},
            {"kind": "drop", "paths": "/twilio/voice/operator-leg", "fraction": 0.05, "for_ms": window(0.1)},
        ]),
    )
    .await;
    at(0.5).await;
    println!("  {:>6.1} s  webhooks throttled (429)", day.elapsed());
    // The Lambda throttle hits what API Gateway forwards to the functions; the fallback is a
    // static document on the CDN, which it never reaches.
    let throttled: Vec<Value> = ["incoming", "wait", "status", "conference", "operator-leg", "hold"]
        .iter()
        .map(|p| json!({"kind": "throttle", "paths": format!("/twilio/voice/{p}"), "fraction": 0.1, "for_ms": window(0.08)}))
        .collect();
    webhook_faults(&day, Value::Array(throttled)).await;
    at(0.62).await;
    println!("  {:>6.1} s  callbacks duplicated and reordered", day.elapsed());
    webhook_faults(
        &day,
        json!([
            {"kind": "duplicate", "paths": "/twilio/voice/", "fraction": 0.15, "for_ms": window(0.18)},
            {"kind": "reorder", "paths": "/twilio/voice/", "fraction": 0.15, "for_ms": window(0.18)},
        ]),
    )
    .await;
    at(0.7).await;
    let on_calls: Vec<String> = {
        let calls = day.calls.lock().unwrap();
        calls
            .values()
            .flat_map(|c| c.takers.iter().filter(|t| t.2.is_none()).map(|t| t.0.clone()))
            .collect()
    };
    let chosen: Vec<String> = on_calls.choose_multiple(&mut rand::rng(), 3).cloned().collect();
    println!("  {:>6.1} s  {} tabs closed mid-call", day.elapsed(), chosen.len());
    day.close_tab.lock().unwrap().extend(chosen);
    at(0.85).await;
    let a = day.raw("DELETE", "/sim/faults", json!({})).await;
    if a.status != 204 {
        day.fail("setup", format!("faults not cleared: {}", a.status));
    }
    let _ = outage.await;
}

/// The checks made once everyone has stopped.
pub async fn check_at_end(day: &Day) {
    let token = day.admin.lock().unwrap().clone();
    let calls = day.calls.lock().unwrap().clone();
    for (sid, c) in &calls {
        if c.outbound || c.answered.is_some() || c.abandoned {
            continue;
        }
        let (status, heard) = heard(day, sid);
        if heard.iter().any(|h| h.contains("おかけ直し")) {
            day.count("goodbye");
            continue;
        }
        let waited = c.started.map(|s| s.elapsed().as_secs_f64()).unwrap_or(0.0);
        day.fail(
            "lost",
            format!(
                "call {sid} ({status}, {waited:.0} s ago) reached no operator and no goodbye; heard: {}",
                heard
                    .last()
                    .map(|h| h.chars().take(40).collect::<String>())
                    .unwrap_or_else(|| "nothing".into())
            ),
        );
    }

    // Read back in parallel, as many pages would.
    let memos: Vec<(String, String)> = day.memos.lock().unwrap().clone().into_iter().collect();
    let token = &token;
    futures::stream::iter(memos)
        .for_each_concurrent(16, |(sid, typed)| async move {
            let stored = day.api(token, "GET", &format!("/api/memos/{sid}"), None).await;
            let text = stored.body["text"].as_str().unwrap_or_default();
            if stored.status != 200 || text != typed {
                let refused = day.memo_refused.lock().unwrap().get(&sid).cloned().unwrap_or_default();
                let conflicts = day.memo_conflicts.lock().unwrap().get(&sid).map(Vec::len).unwrap_or(0);
                let record = record_of(day, &sid).await;
                let takers = day
                    .calls
                    .lock()
                    .unwrap()
                    .get(&sid)
                    .map(|c| {
                        c.takers
                            .iter()
                            .map(|(op, from, to)| {
                                let at = |t: &Instant| t.duration_since(day.started).as_secs_f64();
                                format!(
                                    "{op} {:.1}–{}",
                                    at(from),
                                    to.map(|t| format!("{:.1} s", at(&t))).unwrap_or("…".into())
                                )
                            })
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                day.fail(
                    "memo lost",
                    format!(
                        "call {sid}: typed {} characters, stored {} ({}): the last {} characters missing; \
                         saves refused: [{}]; kept as 競合 in an outbox: {conflicts}; taken by: [{}]; \
                         the call record: {record}; {}",
                        typed.chars().count(),
                        text.chars().count(),
                        stored.status,
                        typed.chars().count().saturating_sub(text.chars().count()),
                        refused.join(", "),
                        takers.join(", "),
                        story(day, &sid)
                    ),
                );
            }
        })
        .await;

    let records = day.records.lock().unwrap().clone();
    futures::stream::iter(records)
        .for_each_concurrent(16, |(id, word, sid)| async move {
            let hits = day
                .api(
                    token,
                    "GET",
                    &format!("/api/crm/search?object=inquiry&q={word}&limit=20"),
                    None,
                )
                .await;
            let found = hits.body["items"]
                .as_array()
                .is_some_and(|items| items.iter().any(|h| h["id"] == id.as_str()));
            if !found {
                day.fail(
                    "unfindable",
                    format!("inquiry {id} (call {sid}) not found by “{word}”: {}", hits.status),
                );
            }
        })
        .await;

    let grace = Duration::from_secs(2);
    for e in day.stats.errors() {
        if !day.outages.covers(e.sent, e.answered, grace) {
            day.fail(
                "5xx",
                format!(
                    "{} answered {} at {:.1} s: {}",
                    e.route,
                    e.status,
                    e.sent.duration_since(day.started).as_secs_f64(),
                    e.body
                ),
            );
        }
    }

    let ops = day.operators.lock().unwrap().clone();
    for p in &ops {
        let me = day.api(&p.token, "GET", "/api/operators/me", None).await;
        if !me.body["current_call"].is_null() {
            let already = day
                .failures
                .lock()
                .unwrap()
                .iter()
                .any(|f| f.check == "stuck" && f.detail.starts_with(&p.id));
            if !already {
                day.fail(
                    "stuck",
                    format!(
                        "{} still on call {} at the end of the day",
                        p.id, me.body["current_call"]
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrivals_come_in_bursts_within_the_day() {
        let a = arrivals(4000, 100.0);
        assert_eq!(a.len(), 4000);
        assert!(a.windows(2).all(|w| w[0] <= w[1]));
        assert!(a.iter().all(|t| (0.0..=100.0).contains(t)));
        let in_burst = a.iter().filter(|t| (**t - 45.0).abs() < 3.0).count();
        let steady = a.iter().filter(|t| (**t - 30.0).abs() < 3.0).count();
        assert!(in_burst > steady * 2, "a burst has more calls: {in_burst} vs {steady}");
    }

    #[test]
    fn callers_are_mobile_numbers_some_calling_again() {
        assert_eq!(caller_number(0), "+819010000000");
        assert_eq!(caller_number(0), caller_number(4000));
        assert_eq!(caller_number(1).len(), 13);
    }
}
