//! Demo data for a first start: Japanese accounts and contacts with kana readings and numbers
//! written in the many ways people write them, inquiries, deals (a custom object), past calls
//! with memos, operators, two outbound lines, response statuses and talk scripts. Everything
//! goes through the domain services, so indexes are built exactly as in production.

use serde_json::{Map, Value, json};
use shared::auth::Role;
use shared::domain::Services;
use shared::domain::call_lists::{
    ColumnMapping, ColumnRef, CsvRow, ImportEncoding, NewCallList, NewImport, Outcome, ResultInput, TargetId,
};
use shared::domain::calls::{CallSummary, Direction};
use shared::domain::crm::NewRecord;
use shared::error::DomainError;
use shared::ids::{ObjectName, OperatorId, RecordId};
use shared::phone::PhoneNumber;
use shared::store::{Cond, Item, Key};

use crate::devauth::DevUser;

/// The users of the demo organisation.
pub fn users() -> Vec<DevUser> {
    let u = |id: &str, name: &str, role| DevUser {
        id: id.into(),
        name: name.into(),
        role,
    };
    vec![
        u("op-sato", "佐藤 花子", Role::Operator),
        u("op-suzuki", "鈴木 一郎", Role::Operator),
        u("op-takahashi", "高橋 美咲", Role::Operator),
        u("op-tanaka", "田中 健太", Role::Operator),
        u("sv-ito", "伊藤 直樹", Role::Supervisor),
        u("admin-watanabe", "渡辺 由美", Role::Admin),
    ]
}

const ACCOUNTS: [(&str, &str, &str); 30] = [
    ("山田商事株式会社", "ヤマダショウジ", "商社"),
    ("株式会社佐藤製作所", "サトウセイサクショ", "製造"),
    ("鈴木物産株式会社", "スズキブッサン", "商社"),
    ("高橋工業株式会社", "タカハシコウギョウ", "製造"),
    ("田中電機株式会社", "タナカデンキ", "電機"),
    ("伊藤運輸株式会社", "イトウウンユ", "物流"),
    ("渡辺建設株式会社", "ワタナベケンセツ", "建設"),
    ("中村食品株式会社", "ナカムラショクヒン", "食品"),
    ("小林薬品株式会社", "コバヤシヤクヒン", "医薬"),
    ("加藤システム株式会社", "カトウシステム", "情報通信"),
    ("吉田不動産株式会社", "ヨシダフドウサン", "不動産"),
    ("山本印刷株式会社", "ヤマモトインサツ", "印刷"),
    ("松本化学株式会社", "マツモトカガク", "化学"),
    ("井上精機株式会社", "イノウエセイキ", "製造"),
    ("木村商店", "キムラショウテン", "小売"),
    ("林ホールディングス株式会社", "ハヤシホールディングス", "持株会社"),
    ("清水産業株式会社", "シミズサンギョウ", "製造"),
    ("山口水産株式会社", "ヤマグチスイサン", "水産"),
    ("森田ソフトウェア株式会社", "モリタソフトウェア", "情報通信"),
    ("池田エンジニアリング株式会社", "イケダエンジニアリング", "技術サービス"),
    ("橋本医療器株式会社", "ハシモトイリョウキ", "医療機器"),
    ("石川テクノロジー株式会社", "イシカワテクノロジー", "情報通信"),
    ("前田物流株式会社", "マエダブツリュウ", "物流"),
    (
        "藤田コンサルティング株式会社",
        "フジタコンサルティング",
        "コンサルティング",
    ),
    ("岡田農園", "オカダノウエン", "農業"),
    ("後藤通信株式会社", "ゴトウツウシン", "情報通信"),
    ("長谷川設計事務所", "ハセガワセッケイジムショ", "建築設計"),
    ("村上繊維株式会社", "ムラカミセンイ", "繊維"),
    ("近藤自動車株式会社", "コンドウジドウシャ", "自動車"),
    ("アイウ商会", "アイウショウカイ", "卸売"),
];

const CITIES: [&str; 6] = [
    "東京都千代田区丸の内1-1-1",
    "大阪府大阪市北区梅田2-2-2",
    "愛知県名古屋市中区栄3-3-3",
    "北海道札幌市中央区北1条西4-4",
    "福岡県福岡市博多区博多駅前5-5-5",
    "神奈川県横浜市西区みなとみらい6-6",
];

const SURNAMES: [(&str, &str); 20] = [
    ("山田", "ヤマダ"),
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山本", "ヤマモト"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("清水", "シミズ"),
    ("森", "モリ"),
    ("池田", "イケダ"),
    ("阿部", "アベ"),
];

const GIVEN: [(&str, &str); 12] = [
    ("太郎", "タロウ"),
    ("花子", "ハナコ"),
    ("一郎", "イチロウ"),
    ("美咲", "ミサキ"),
    ("健太", "ケンタ"),
    ("由美", "ユミ"),
    ("大輔", "ダイスケ"),
    ("直子", "ナオコ"),
    ("翔", "ショウ"),
    ("陽子", "ヨウコ"),
    ("誠", "マコト"),
    ("恵", "メグミ"),
];

const DEPARTMENTS: [(&str, &str); 6] = [
    ("総務部", "部長"),
    ("経理部", "課長"),
    ("営業部", "主任"),
    ("購買部", "担当"),
    ("情報システム部", "課長"),
    ("カスタマーサポート", "担当"),
];

const SUBJECTS: [(&str, &str, &str); 8] = [
    (
        "請求書の再発行について",
        "billing",
        "先月分の請求書が届いていないため再発行の依頼。",
    ),
    (
        "製品の操作方法",
        "product",
        "管理画面でのユーザー追加手順について質問。",
    ),
    ("配送遅延の問い合わせ", "other", "注文品の到着予定日の確認。"),
    ("故障の修理依頼", "repair", "本体の電源が入らない。引き取り修理を案内。"),
    ("契約プラン変更の相談", "billing", "上位プランへの変更と費用について。"),
    ("解約手続きについて", "cancel", "年度末での解約希望。手続き書類を送付。"),
    ("新製品の資料請求", "product", "パンフレットと価格表を送付希望。"),
    ("ログインできない", "product", "パスワード再設定メールが届かない。"),
];

const MEMOS: [(&str, &str); 6] = [
    (
        "【お客様】請求書が届いていない\n【オペレータ】再送を手配、本日中に発送と案内",
        "resolved",
    ),
    (
        "【お客様】担当の方から折り返しがほしい\n【オペレータ】営業担当へ伝達、明日午前に折り返し",
        "callback",
    ),
    (
        "【お客様】製品が動かない\n【オペレータ】技術部門へエスカレーション済み",
        "escalated",
    ),
    ("【オペレータ】ご担当者様不在、改めて架電予定", "absent"),
    (
        "【お客様】操作方法の確認\n【オペレータ】マニュアルの該当ページを案内し解決",
        "resolved",
    ),
    (
        "【お客様】営業電話は不要とのこと\n【オペレータ】リストから除外",
        "out_of_scope",
    ),
];

/// Writes ways to write a Japanese number, so the demo shows they all find the same customer.
fn formats(n: u32, i: usize) -> String {
    let (a, b) = (n / 10_000, n % 10_000);
    match i % 6 {
        0 => format!("03-{a:04}-{b:04}"),
        1 => format!(
            "０３（{}）{}",
            full_width(&format!("{a:04}")),
            full_width(&format!("{b:04}"))
        ),
        2 => format!("+81 3 {a:04} {b:04}"),
        3 => format!("03{a:04}{b:04}"),
        4 => format!("(03) {a:04}-{b:04}"),
        _ => format!("+81-3-{a:04}-{b:04}"),
    }
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

fn fields(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn name(s: &str) -> ObjectName {
    ObjectName::parse(s).expect("seed object")
}

/// Seeds the store unless it was seeded before. Returns whether it seeded.
pub async fn seed(services: &Services) -> Result<bool, DomainError> {
    let marker = Key::new("SEED", "SEED");
    if services.store.get(&marker).await?.is_some() {
        return Ok(false);
    }
    settings(services).await?;
    operators(services).await?;
    let admin = OperatorId::parse("admin-watanabe").expect("seed id");
    let crm = &services.crm;
    let mut accounts = Vec::new();
    let mut contacts = Vec::new();
    for (i, (company, kana, industry)) in ACCOUNTS.iter().enumerate() {
        let number = if i == 0 {
            12_345_678
        } else {
            50_000_000 + (i as u32) * 101_357
        };
        let rank = ["a", "b", "c"][i % 3];
        let notes = match i % 4 {
            0 => "重要顧客。請求関連は経理部の担当者へ直接つなぐこと。",
            1 => "午前中の架電を希望。",
            2 => "",
            _ => "前回のクレーム対応あり。丁寧な対応を。",
        };
        let mut f = json!({
            "name": company, "name_kana": kana, "phone": formats(number, i), "industry": industry,
            "address": CITIES[i % CITIES.len()], "rank": rank,
        });
        if !notes.is_empty() {
            f["notes"] = json!(notes);
        }
        if i % 5 == 0 {
            f["email"] = json!(format!("info{i}@example.co.jp"));
        }
        let acc = crm
            .create(
                &name("account"),
                NewRecord {
                    fields: fields(f),
                    account_id: None,
                    contact_id: None,
                    call_sid: None,
                },
                &admin,
            )
            .await?;
        for j in 0..2 {
            let k = i * 2 + j;
            let (sn, sk) = SURNAMES[(i + j * 7) % SURNAMES.len()];
            let (gn, gk) = GIVEN[k % GIVEN.len()];
            let (dept, title) = DEPARTMENTS[k % DEPARTMENTS.len()];
            let mobile = format!("090-{:04}-{:04}", 1000 + k * 37 % 9000, 2000 + k * 91 % 7000);
            let mut f = json!({
                "name": format!("{sn} {gn}"), "name_kana": format!("{sk} {gk}"),
                "department": dept, "title": title, "mobile": mobile,
            });
            if j == 0 {
                // The first contact shares the company's number, as a direct line does.
                f["phone"] = json!(formats(number, i + 1));
            }
            if k % 3 == 0 {
                f["email"] = json!(format!("contact{k}@example.co.jp"));
            }
            if k % 7 == 0 {
                f["notes"] = json!("聴覚に配慮し、ゆっくり話すこと。");
            }
            let c = crm
                .create(
                    &name("contact"),
                    NewRecord {
                        fields: fields(f),
                        account_id: Some(acc.id.clone()),
                        contact_id: None,
                        call_sid: None,
                    },
                    &admin,
                )
                .await?;
            contacts.push((acc.id.clone(), c.id.clone(), mobile));
        }
        accounts.push((
            acc.id.clone(),
            acc.fields["phone"].as_str().unwrap_or_default().to_owned(),
        ));
    }
    // Inquiries and deals on the first accounts, so history tabs have something to show.
    let now = chrono::Utc::now();
    for (n, (acc, phone)) in accounts.iter().enumerate().take(20) {
        for m in 0..(1 + n % 3) {
            let (subject, category, detail) = SUBJECTS[(n + m) % SUBJECTS.len()];
            let status = ["closed", "in_progress", "open"][(n + m) % 3];
            let at = (now - chrono::Duration::days((n * 3 + m * 5) as i64 + 1))
                .with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).expect("JST"));
            let contact = contacts.iter().find(|(a, _, _)| a == acc).map(|(_, c, _)| c.clone());
            crm.create(
                &name("inquiry"),
                NewRecord {
                    fields: fields(json!({"subject": subject, "category": category, "status": status, "detail": detail, "phone": phone, "received_at": at.to_rfc3339()})),
                    account_id: Some(acc.clone()),
                    contact_id: contact,
                    call_sid: None,
                },
                &admin,
            )
            .await?;
        }
        if n % 2 == 0 {
            let stage = ["proposal", "quote", "negotiation", "won", "lost"][n % 5];
            let close = (now + chrono::Duration::days(14 + n as i64))
                .format("%Y-%m-%d")
                .to_string();
            crm.create(
                &name("deal"),
                NewRecord {
                    fields: fields(json!({"name": format!("{}様 システム更新案件", ACCOUNTS[n].0), "amount": 500_000 + n * 120_000, "stage": stage, "close_date": close})),
                    account_id: Some(acc.clone()),
                    contact_id: None,
                    call_sid: None,
                },
                &admin,
            )
            .await?;
        }
    }
    past_calls(services, &accounts).await?;
    let known: Vec<String> = accounts.iter().take(12).map(|(_, phone)| phone.clone()).collect();
    call_list(services, &admin, &known).await?;
    let mut m = Item::new();
    m.insert("PK".into(), "SEED".into());
    m.insert("SK".into(), "SEED".into());
    m.insert("at".into(), chrono::Utc::now().to_rfc3339().into());
    services.store.put(m, Some(Cond::NotExists)).await?;
    Ok(true)
}

/// The demo call list: about twenty targets on the `sales` line (or
/// the first line) with the `outbound` script when there is one; `known_numbers` are
/// numbers of seeded CRM customers, which the import links to their records, mixed with
/// numbers the CRM does not know. A few targets already have results, so the progress
/// counts show every state.
async fn call_list(s: &Services, by: &OperatorId, known_numbers: &[String]) -> Result<(), DomainError> {
    let settings = s.settings.get().await?;
    let line = settings
        .line("sales")
        .or_else(|| settings.lines.first())
        .ok_or_else(|| DomainError::invalid("seed", "the demo call list needs an outbound line in the settings"))?;
    let script_id = settings
        .scripts
        .iter()
        .find(|s| s.id.as_str() == "outbound")
        .map(|s| s.id.to_string());
    let list = s
        .call_lists
        .create(
            NewCallList {
                name: "春の更新キャンペーン".into(),
                line_id: line.id.to_string(),
                script_id,
                description: Some("契約更新のご案内。既存顧客と展示会で名刺交換した見込み客。".into()),
            },
            by,
        )
        .await?;
    let columns: Vec<String> = ["会社名", "担当者", "電話番号", "備考", "地域"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    let import = s
        .call_lists
        .start_import(
            &list.id,
            NewImport {
                columns: columns.clone(),
                mapping: ColumnMapping {
                    phone: ColumnRef::Name("電話番号".into()),
                    name: None,
                    account: Some(ColumnRef::Name("会社名".into())),
                    contact: Some(ColumnRef::Name("担当者".into())),
                    notes: Some(ColumnRef::Name("備考".into())),
                    extra: vec![ColumnRef::Name("地域".into())],
                },
                encoding: ImportEncoding::Auto,
                file_name: Some("demo.csv".into()),
                total_rows: None,
            },
            by,
        )
        .await?;
    const PROSPECTS: [(&str, &str, &str, &str); 8] = [
        ("青山デザイン株式会社", "青山 真理", "03-5500-1201", "東京"),
        ("株式会社みなと商会", "港 健二", "045-330-8812", "神奈川"),
        ("北斗システム株式会社", "北村 翔太", "011-200-4455", "北海道"),
        ("さくら食品株式会社", "桜井 美穂", "06-6300-7710", "大阪"),
        ("株式会社なごやテック", "名取 大地", "052-210-3398", "愛知"),
        ("博多ロジスティクス株式会社", "博田 涼", "092-400-6621", "福岡"),
        ("個人 山内 様", "", "090-8765-4321", "東京"),
        ("京都工芸株式会社", "京野 千尋", "075-250-1180", "京都"),
    ];
    let notes = ["展示会で名刺交換", "資料送付済み", "", "午後希望"];
    let mut rows = Vec::new();
    for (i, n) in known_numbers.iter().take(12).enumerate() {
        rows.push(vec![
            String::new(),
            String::new(),
            n.clone(),
            "既存顧客・契約更新".into(),
            String::new(),
        ]);
        if i % 3 == 0 {
            rows.push(vec![
                PROSPECTS[(i / 3) % PROSPECTS.len()].0.into(),
                PROSPECTS[(i / 3) % PROSPECTS.len()].1.into(),
                PROSPECTS[(i / 3) % PROSPECTS.len()].2.into(),
                notes[i % notes.len()].into(),
                PROSPECTS[(i / 3) % PROSPECTS.len()].3.into(),
            ]);
        }
    }
    for (i, p) in PROSPECTS.iter().enumerate().skip(4) {
        rows.push(vec![
            p.0.into(),
            p.1.into(),
            p.2.into(),
            notes[i % notes.len()].into(),
            p.3.into(),
        ]);
    }
    let rows: Vec<CsvRow> = rows
        .into_iter()
        .enumerate()
        .map(|(i, cells)| CsvRow {
            line: i as u64 + 2,
            cells,
        })
        .collect();
    s.call_lists
        .import_chunk(&list.id, &import.id, 2, "utf-8", rows)
        .await?;

    // A few calls already made, so every state shows in the counts.
    let demo = [
        ("op-sato", "佐藤 花子", Outcome::Done, "resolved", None),
        ("op-suzuki", "鈴木 一郎", Outcome::NoAnswer, "absent", None),
        (
            "op-takahashi",
            "高橋 美咲",
            Outcome::Callback,
            "callback",
            Some(chrono::Duration::hours(3)),
        ),
    ];
    let first = s.call_lists.targets(&list.id, None, 3, None).await?.items;
    for (t, (op, op_name, outcome, status, later)) in first.iter().zip(demo) {
        let op = OperatorId::parse(op).map_err(|e| DomainError::invalid("seed", e.to_string()))?;
        let id = TargetId::parse(&t.id).map_err(|e| DomainError::invalid("seed", e.to_string()))?;
        s.call_lists.lease(&list.id, &id, &op, op_name, None).await?;
        let status = if settings.response_statuses.iter().any(|s| s.id.as_str() == status) {
            status.to_owned()
        } else {
            settings
                .response_statuses
                .first()
                .map(|s| s.id.to_string())
                .unwrap_or_default()
        };
        s.call_lists
            .record_result(
                &list.id,
                &id,
                &op,
                op_name,
                ResultInput {
                    call_sid: None,
                    response_status: status,
                    memo: Some("【オペレータ】デモの架電結果".into()),
                    outcome,
                    callback_at: later.map(|d| (chrono::Utc::now() + d).to_rfc3339()),
                },
            )
            .await?;
    }
    Ok(())
}

async fn settings(s: &Services) -> Result<(), DomainError> {
    let mut objects = shared::domain::objects::builtin_objects();
    objects.push(serde_json::from_value(json!({
        "name": "deal", "label": "商談", "label_en": "Deal", "title_field": "name", "subtitle_field": "stage",
        "fields": [
            {"name": "name", "label": "商談名", "label_en": "Deal name", "type": "text", "required": true},
            {"name": "amount", "label": "金額", "label_en": "Amount", "type": "number"},
            {"name": "stage", "label": "フェーズ", "label_en": "Stage", "type": "select", "options": [
                {"value": "proposal", "label": "提案"}, {"value": "quote", "label": "見積"}, {"value": "negotiation", "label": "交渉"},
                {"value": "won", "label": "受注"}, {"value": "lost", "label": "失注"}]},
            {"name": "close_date", "label": "完了予定日", "label_en": "Close date", "type": "date"},
            {"name": "memo", "label": "メモ", "label_en": "Memo", "type": "long_text"}
        ]
    })).map_err(|e| DomainError::invalid("seed", e.to_string()))?);
    s.settings.put_section("objects", 0, json!(objects)).await?;
    s.settings
        .put_section(
            "scripts",
            0,
            json!([
                {"id": "inbound", "title": "受電時の基本トーク", "body": "お電話ありがとうございます。株式会社サンプル、カスタマーセンターの{オペレータ名}でございます。\n\n1. ご用件をお伺いします。\n2. ご本人確認：お名前とご登録のお電話番号をお願いいたします。\n3. 内容を復唱し、対応をご案内します。\n4. 「他にご不明な点はございませんか。」\n5. 「本日は{オペレータ名}が承りました。お電話ありがとうございました。」"},
                {"id": "outbound", "title": "架電時の基本トーク", "body": "お忙しいところ恐れ入ります。株式会社サンプルの{オペレータ名}と申します。\n{ご担当者名}様はいらっしゃいますでしょうか。\n\n本日は、ご利用中のサービスの更新についてご案内でお電話いたしました。\nただいま2分ほどお時間よろしいでしょうか。"}
            ]),
        )
        .await?;
    s.settings
        .put_section(
            "lines",
            0,
            json!([
                {"id": "main", "number": "03-6800-0001", "label": "代表番号", "label_en": "Main number", "recording": true, "script_id": "inbound"},
                {"id": "sales", "number": "050-3000-1234", "label": "営業部", "label_en": "Sales", "recording": false, "script_id": "outbound"}
            ]),
        )
        .await?;
    s.settings
        .put_section("history_tabs", 0, json!(["inquiry", "deal"]))
        .await?;
    s.settings
        .put_section(
            "search",
            0,
            json!([
                {"object": "account", "fields": ["name", "name_kana", "phone", "address"]},
                {"object": "contact", "fields": ["name", "name_kana", "phone", "mobile", "email"]},
                {"object": "inquiry", "fields": ["subject", "detail"]},
                {"object": "deal", "fields": ["name"]}
            ]),
        )
        .await?;
    s.settings
        .put_section(
            "presence_statuses",
            0,
            json!([{"id": "training", "label": "研修中", "label_en": "Training"}]),
        )
        .await?;
    Ok(())
}

async fn operators(s: &Services) -> Result<(), DomainError> {
    for u in users() {
        let id = OperatorId::parse(&u.id).map_err(|e| DomainError::invalid("seed", e.to_string()))?;
        s.operators.ensure(&id, &u.name, u.role).await?;
    }
    Ok(())
}

async fn past_calls(s: &Services, accounts: &[(RecordId, String)]) -> Result<(), DomainError> {
    let ops = users();
    let now = chrono::Utc::now();
    let mut items = Vec::new();
    for n in 0..60usize {
        let (acc, phone) = &accounts[n % 12];
        let customer = PhoneNumber::parse(phone).map_err(|e| DomainError::invalid("seed", e.to_string()))?;
        let op = &ops[n % 4];
        let started = now - chrono::Duration::hours((n * 11 + 2) as i64);
        let talk = 60 + (n * 47 % 600) as i64;
        let abandoned = n % 13 == 5;
        let (memo, status) = MEMOS[n % MEMOS.len()];
        let sid = format!("CA{:032x}", 0xdead_0000u128 + n as u128);
        let call = CallSummary {
            sid,
            direction: if n % 3 == 0 {
                Direction::Outbound
            } else {
                Direction::Inbound
            },
            customer: Some(customer.as_str().to_owned()),
            customer_display: Some(customer.display()),
            line: Some("+81368000001".into()),
            status: if abandoned {
                "abandoned".into()
            } else {
                "completed".into()
            },
            account_id: Some(acc.to_string()),
            contact_id: None,
            operator_id: (!abandoned).then(|| op.id.clone()),
            operator_name: (!abandoned).then(|| op.name.clone()),
            started_at: started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            answered_at: (!abandoned)
                .then(|| (started + chrono::Duration::seconds(8)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            ended_at: Some(
                (started + chrono::Duration::seconds(talk + 8)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ),
            duration_seconds: Some(if abandoned { 0 } else { talk as u64 }),
            end_reason: Some(if abandoned {
                "caller_hung_up_waiting".into()
            } else {
                "completed".into()
            }),
            memo: (!abandoned).then(|| memo.to_owned()),
            response_status: (!abandoned).then(|| status.to_owned()),
            recording_url: None,
            recording_deleted_at: None,
            external: None,
        };
        items.push(call.to_item());
    }
    s.store.batch_write(items, vec![]).await?;
    Ok(())
}
