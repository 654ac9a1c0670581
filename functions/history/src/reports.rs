//! Reports (レポート) for supervisors and admins: a range's figures as JSON, and the report and
//! the call history of a range as CSV files that open in Excel — UTF-8 with a BOM, or Shift_JIS
//! (Windows-31J, Excel's default in Japan). Routes live under `/api/reports`.
//!
//! CSV: every field is quoted (a quote doubled), lines end in CRLF, and a field starting with
//! `=`, `+`, `-` or `@` is prefixed with `'` so Excel shows it instead of computing it
//! (`+81…` numbers, a memo starting with `=`). Shift_JIS is CP932, so 機種依存文字 such as ①
//! and ㈱ are kept; a character CP932 does not have (𠮷, emoji) is replaced with 〓, and the file
//! says so on its first line (the replaced rows are named in `X-Replaced-Rows` for the history
//! export's pages).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use shared::auth::{Caller, Role};
use shared::domain::Services;
use shared::domain::reports::{CALL_RESULTS, DayRange, EXPORT_PAGE, ExportCall, Figures, OUTBOUND_RESULTS, Report};
use shared::domain::settings::Settings;
use shared::error::{ApiError, ApiResult, DomainError};
use shared::http::Query;

/// The report routes, for mounting beside the history routes.
pub fn routes() -> Router<Services> {
    Router::new()
        .route("/api/reports", get(report))
        .route("/api/reports/export", get(export_report))
        .route("/api/reports/calls", get(export_calls))
}

/// A range of days, `YYYY-MM-DD` (Japan time), at most 92 days.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct RangeParams {
    from: Option<String>,
    to: Option<String>,
}

/// A range, and how the CSV file is encoded.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct ExportParams {
    from: Option<String>,
    to: Option<String>,
    /// `utf8` (UTF-8 with a BOM, the default) or `sjis` (Shift_JIS, Windows-31J).
    encoding: Option<String>,
    /// The previous page's `X-Next-Cursor` (history export only).
    cursor: Option<String>,
    /// Calls per page, 1 to 100 (default 100; history export only).
    limit: Option<usize>,
}

fn supervisors_only(caller: &Caller) -> Result<(), ApiError> {
    if caller.role < Role::Supervisor {
        return Err(ApiError::forbidden(
            "レポートはスーパーバイザーと管理者だけが見られます",
        ));
    }
    Ok(())
}

fn range(from: &Option<String>, to: &Option<String>) -> Result<DayRange, ApiError> {
    Ok(DayRange::parse(from.as_deref(), to.as_deref())?)
}

/// A range's figures: the centre's totals and presence, per day, per operator (with 稼働率 and
/// 占有率), per queue and per response status.
#[utoipa::path(get, path = "/api/reports", params(RangeParams), tag = "reports",
    responses((status = 200, body = Report), (status = 422, description = "the range is missing, malformed, reversed or over 92 days"), (status = 403)))]
#[tracing::instrument(name = "reports.report", skip_all)]
pub async fn report(
    State(s): State<Services>,
    caller: Caller,
    Query(p): Query<RangeParams>,
) -> ApiResult<axum::Json<Report>> {
    supervisors_only(&caller)?;
    let r = range(&p.from, &p.to)?;
    Ok(axum::Json(s.reports.report(r).await?))
}

/// The report of a range as one CSV file: the centre's totals, then a table per day, per
/// operator, per queue and per response status, and the call lists' results by code, each
/// under its title.
#[utoipa::path(get, path = "/api/reports/export", params(ExportParams), tag = "reports",
    responses((status = 200, content_type = "text/csv", body = String), (status = 422), (status = 403)))]
#[tracing::instrument(name = "reports.export", skip_all)]
pub async fn export_report(
    State(s): State<Services>,
    caller: Caller,
    Query(p): Query<ExportParams>,
) -> ApiResult<Response> {
    supervisors_only(&caller)?;
    let encoding = Encoding::parse(p.encoding.as_deref())?;
    let r = s.reports.report(range(&p.from, &p.to)?).await?;
    let mut csv = Csv::new(encoding);
    csv.row(&["レポート".into(), r.from.clone(), r.to.clone()]);
    csv.row(&["サービスレベルの基準（秒）".into(), r.service_level_seconds.to_string()]);
    csv.blank();
    csv.row(&["センター合計".into()]);
    csv.row(&figure_header(&["期間"]));
    csv.row(&figure_cells(&[format!("{}～{}", r.from, r.to)], &r.totals));
    csv.blank();
    csv.row(&["日別".into()]);
    csv.row(&figure_header(&["日付"]));
    for d in &r.days {
        csv.row(&figure_cells(std::slice::from_ref(&d.day), &d.figures));
    }
    csv.blank();
    csv.row(&["オペレーター別".into()]);
    let mut header = figure_header(&["ID", "名前"]);
    header.extend(["ログイン時間（秒）", "受付可（秒）", "稼働率（%）", "占有率（%）"].map(String::from));
    csv.row(&header);
    for o in &r.operators {
        let mut cells = figure_cells(&[o.id.clone(), o.name.clone()], &o.figures);
        cells.extend([
            o.presence.login_seconds.to_string(),
            o.presence.available_seconds.to_string(),
            pct(o.presence.utilisation_percent),
            pct(o.presence.occupancy_percent),
        ]);
        csv.row(&cells);
    }
    csv.blank();
    csv.row(&["窓口別".into()]);
    csv.row(&figure_header(&["ID", "名前"]));
    for q in &r.queues {
        csv.row(&figure_cells(&[q.id.clone(), q.name.clone()], &q.figures));
    }
    csv.blank();
    csv.row(&["対応ステータス別".into()]);
    csv.row(&figure_header(&["ID", "名前"]));
    for st in &r.statuses {
        csv.row(&figure_cells(&[st.id.clone(), st.name.clone()], &st.figures));
    }
    csv.blank();
    csv.row(&["架電結果（コールリスト）".into()]);
    let mut header: Vec<String> = ["集計単位", "ID", "名前"].map(String::from).to_vec();
    header.extend(CALL_RESULTS.map(|c| result_label(c).to_owned()));
    header.push("合計".into());
    csv.row(&header);
    let results = |unit: &str, id: &str, name: &str, f: &Figures| {
        let mut cells = vec![unit.to_owned(), id.to_owned(), name.to_owned()];
        cells.extend(CALL_RESULTS.map(|c| f.call_results.get(c).copied().unwrap_or(0).to_string()));
        cells.push(f.results.to_string());
        cells
    };
    csv.row(&results("センター", "", "全体", &r.totals));
    for o in r.operators.iter().filter(|o| o.figures.results > 0) {
        csv.row(&results("オペレーター", &o.id, &o.name, &o.figures));
    }
    for l in &r.lists {
        csv.row(&results("コールリスト", &l.id, &l.name, &l.figures));
    }
    let name = format!("report_{}_{}", r.from, r.to);
    Ok(csv.into_response(&name, None))
}

/// One page of the calls of a range as CSV rows, oldest first, with their memos: the first page
/// starts with the header (and the BOM, or the Shift_JIS note), later pages are rows only, so
/// the page joins them into one file. `X-Next-Cursor` names the next page (absent after the
/// last), `X-Rows` the calls in this one.
#[utoipa::path(get, path = "/api/reports/calls", params(ExportParams), tag = "reports",
    responses((status = 200, content_type = "text/csv", body = String, headers(("X-Next-Cursor" = String), ("X-Rows" = u32), ("X-Replaced-Rows" = String))), (status = 422), (status = 403)))]
#[tracing::instrument(name = "reports.calls", skip_all)]
pub async fn export_calls(
    State(s): State<Services>,
    caller: Caller,
    Query(p): Query<ExportParams>,
) -> ApiResult<Response> {
    supervisors_only(&caller)?;
    let encoding = Encoding::parse(p.encoding.as_deref())?;
    let r = range(&p.from, &p.to)?;
    let limit = match p.limit {
        None => EXPORT_PAGE,
        Some(n) if (1..=EXPORT_PAGE).contains(&n) => n,
        Some(_) => {
            return Err(DomainError::invalid_field(
                "invalid_limit",
                "limit",
                format!("limit は1〜{EXPORT_PAGE}で指定してください"),
            )
            .into());
        }
    };
    let page = s.reports.export_page(r, p.cursor.as_deref(), limit).await?;
    let settings = s.settings.get().await?;
    let first = p.cursor.is_none();
    let mut csv = Csv::new(encoding);
    csv.with_preamble = first;
    if first {
        csv.row(
            &[
                "開始日時",
                "方向",
                "お客様の番号",
                "回線",
                "窓口",
                "オペレーター",
                "結果",
                "待ち時間（秒）",
                "通話時間（秒）",
                "保留時間（秒）",
                "対応ステータス",
                "メモ",
                "通話ID",
            ]
            .map(String::from),
        );
    }
    for c in &page.calls {
        csv.row(&call_cells(c, &settings));
    }
    let name = format!("calls_{}_{}", r.from.format("%Y-%m-%d"), r.to.format("%Y-%m-%d"));
    let rows = page.calls.len();
    let mut resp = csv.into_response(&name, page.cursor.as_deref());
    if let Ok(v) = HeaderValue::from_str(&rows.to_string()) {
        resp.headers_mut().insert("x-rows", v);
    }
    Ok(resp)
}

/// How a CSV file is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 with a BOM (Excel reads it as UTF-8 only with one).
    Utf8,
    /// Shift_JIS as Windows writes it (CP932, with NEC and IBM extensions: ①, ㈱, ｱ).
    ShiftJis,
}

impl Encoding {
    fn parse(v: Option<&str>) -> Result<Self, ApiError> {
        match v {
            None | Some("utf8") => Ok(Encoding::Utf8),
            Some("sjis") => Ok(Encoding::ShiftJis),
            Some(other) => Err(DomainError::invalid_field(
                "invalid_encoding",
                "encoding",
                format!("encoding の「{other}」は使えません。utf8（UTF-8）か sjis（Shift_JIS）を指定してください"),
            )
            .into()),
        }
    }
}

/// What the Shift_JIS file's first line says about characters it cannot hold.
pub const SJIS_NOTE: &str = "※Shift_JIS（Windows-31J）で表せない文字（一部の異体字や絵文字など）は〓に置き換えています";

/// A CSV file being written: rows of quoted fields, encoded as asked.
pub struct Csv {
    encoding: Encoding,
    rows: Vec<String>,
    /// Whether the file starts here (the BOM, or the Shift_JIS note).
    pub with_preamble: bool,
}

impl Csv {
    pub fn new(encoding: Encoding) -> Self {
        Self {
            encoding,
            rows: Vec::new(),
            with_preamble: true,
        }
    }

    /// Adds a row.
    pub fn row(&mut self, cells: &[String]) {
        let line: Vec<String> = cells.iter().map(|c| quote(c)).collect();
        self.rows.push(line.join(","));
    }

    fn blank(&mut self) {
        self.rows.push(String::new());
    }

    /// The file's bytes, and the rows (1 = the first row added) where a character was replaced.
    pub fn encode(&self) -> (Vec<u8>, Vec<usize>) {
        match self.encoding {
            Encoding::Utf8 => {
                let mut out = Vec::new();
                if self.with_preamble {
                    out.extend_from_slice(b"\xEF\xBB\xBF");
                }
                for r in &self.rows {
                    out.extend_from_slice(r.as_bytes());
                    out.extend_from_slice(b"\r\n");
                }
                (out, Vec::new())
            }
            Encoding::ShiftJis => {
                let mut out = Vec::new();
                let mut replaced = Vec::new();
                if self.with_preamble {
                    out.extend(to_sjis(&quote(SJIS_NOTE)).0);
                    out.extend_from_slice(b"\r\n");
                }
                for (i, r) in self.rows.iter().enumerate() {
                    let (bytes, any) = to_sjis(r);
                    if any {
                        replaced.push(i + 1);
                    }
                    out.extend(bytes);
                    out.extend_from_slice(b"\r\n");
                }
                (out, replaced)
            }
        }
    }

    fn into_response(self, name: &str, next: Option<&str>) -> Response {
        let (bytes, replaced) = self.encode();
        let mut headers = HeaderMap::new();
        let charset = match self.encoding {
            Encoding::Utf8 => "utf-8",
            Encoding::ShiftJis => "shift_jis",
        };
        let suffix = match self.encoding {
            Encoding::Utf8 => "utf8",
            Encoding::ShiftJis => "sjis",
        };
        if let Ok(v) = HeaderValue::from_str(&format!("text/csv; charset={charset}")) {
            headers.insert(header::CONTENT_TYPE, v);
        }
        // Deployed, lambda_http hands a `text/*` body to API Gateway as text decoded with its
        // charset: Shift_JIS would leave as UTF-8 and the UTF-8 file without its BOM, and Excel
        // would garble both. A body with a Content-Encoding goes out as the bytes written
        // (base64, binary); `identity` says they are not transformed.
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("identity"));
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}_{suffix}.csv\"")) {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
        if let Some(v) = next.and_then(|n| HeaderValue::from_str(n).ok()) {
            headers.insert("x-next-cursor", v);
        }
        if !replaced.is_empty() {
            let list: Vec<String> = replaced.iter().map(usize::to_string).collect();
            if let Ok(v) = HeaderValue::from_str(&list.join(",")) {
                headers.insert("x-replaced-rows", v);
            }
        }
        headers.insert(
            "access-control-expose-headers",
            HeaderValue::from_static("x-next-cursor, x-rows, x-replaced-rows, content-disposition"),
        );
        (headers, bytes).into_response()
    }
}

/// A field quoted as Excel reads it: in double quotes, a quote doubled; one Excel would take
/// for a formula is prefixed with `'`.
pub fn quote(field: &str) -> String {
    let guarded = if field.starts_with(['=', '+', '-', '@']) {
        format!("'{field}")
    } else {
        field.to_owned()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

/// Text as Shift_JIS (CP932), every character it cannot hold replaced with 〓; whether any was.
pub fn to_sjis(text: &str) -> (Vec<u8>, bool) {
    let mut encoder = encoding_rs::SHIFT_JIS.new_encoder();
    let mut out = Vec::with_capacity(text.len() * 2);
    let mut rest = text;
    let mut replaced = false;
    loop {
        let mut buf = [0u8; 4096];
        let (result, read, written) = encoder.encode_from_utf8_without_replacement(rest, &mut buf, true);
        out.extend_from_slice(&buf[..written]);
        rest = &rest[read..];
        match result {
            encoding_rs::EncoderResult::InputEmpty => return (out, replaced),
            encoding_rs::EncoderResult::OutputFull => {}
            encoding_rs::EncoderResult::Unmappable(_) => {
                // 〓 (GETA MARK) in Shift_JIS.
                out.extend_from_slice(&[0x81, 0xAC]);
                replaced = true;
            }
        }
    }
}

fn pct(v: Option<f64>) -> String {
    v.map(|p| format!("{p:.1}")).unwrap_or_default()
}

fn figure_header(first: &[&str]) -> Vec<String> {
    let mut h: Vec<String> = first.iter().map(|s| (*s).to_owned()).collect();
    h.extend(
        [
            "入電数",
            "応答数",
            "放棄呼数",
            "基準内応答数",
            "サービスレベル（%）",
            "放棄率（%）",
            "平均応答速度（秒）",
            "対応件数",
            "通話時間（秒）",
            "保留時間（秒）",
            "後処理時間（秒）",
            "平均処理時間（秒）",
            "発信数",
            "発信：つながった",
            "発信：話し中",
            "発信：応答なし",
            "発信：失敗",
            "発信：取消",
            "発信：その他",
        ]
        .map(String::from),
    );
    h
}

fn figure_cells(first: &[String], f: &Figures) -> Vec<String> {
    let mut c = first.to_vec();
    c.extend([
        f.offered.to_string(),
        f.answered.to_string(),
        f.abandoned.to_string(),
        f.answered_in_time.to_string(),
        pct(f.service_level_percent),
        pct(f.abandon_percent),
        f.average_answer_seconds.to_string(),
        f.handled.to_string(),
        f.talk_seconds.to_string(),
        f.hold_seconds.to_string(),
        f.wrap_up_seconds.to_string(),
        f.average_handle_seconds.to_string(),
        f.outbound.to_string(),
    ]);
    c.extend(
        OUTBOUND_RESULTS
            .iter()
            .map(|r| f.outbound_results.get(*r).copied().unwrap_or(0).to_string()),
    );
    c
}

/// A call-list result code's label, as the call-list screen shows it.
fn result_label(code: &str) -> &str {
    match code {
        "done" => "完了",
        "no_answer" => "不在",
        "callback" => "再架電",
        other => other,
    }
}

/// A call's final status in Japanese.
fn result_ja(status: &str) -> &str {
    match status {
        "completed" => "応答",
        "abandoned" => "放棄",
        "voicemail" => "留守番電話",
        "callback_requested" => "折り返し依頼",
        "busy" => "話し中",
        "no_answer" => "応答なし",
        "failed" => "失敗",
        "canceled" => "取消",
        other => other,
    }
}

fn call_cells(c: &ExportCall, settings: &Settings) -> Vec<String> {
    let s = &c.call.summary;
    let started = chrono::DateTime::parse_from_rfc3339(&s.started_at)
        .map(|t| {
            t.with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).expect("+09:00"))
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|_| s.started_at.clone());
    let queue = c
        .queue
        .as_deref()
        .map(|q| settings.queue(q).map_or(q.to_owned(), |d| d.name.clone()))
        .unwrap_or_default();
    let status = c
        .response_status
        .as_deref()
        .map(|id| {
            settings
                .response_statuses
                .iter()
                .find(|r| r.id.as_str() == id)
                .map_or(id.to_owned(), |r| r.label.clone())
        })
        .unwrap_or_default();
    vec![
        started,
        if s.direction == shared::domain::calls::Direction::Inbound {
            "着信".into()
        } else {
            "発信".into()
        },
        s.customer_display
            .clone()
            .or_else(|| s.customer.clone())
            .unwrap_or_else(|| "非通知".into()),
        s.line.clone().unwrap_or_default(),
        queue,
        s.operator_name
            .clone()
            .or_else(|| s.operator_id.clone())
            .unwrap_or_default(),
        result_ja(&s.status).to_owned(),
        c.wait_seconds.to_string(),
        c.talk_seconds.to_string(),
        c.hold_seconds.to_string(),
        status,
        c.memo.clone().unwrap_or_default(),
        s.sid.clone(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_as_excel_reads_them_and_formulas_are_not_computed() {
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("line1\nline2"), "\"line1\nline2\"");
        assert_eq!(quote("=1+1"), "\"'=1+1\"");
        assert_eq!(quote("+81312345678"), "\"'+81312345678\"");
    }

    #[test]
    fn cp932_keeps_machine_dependent_characters_and_replaces_what_it_lacks_with_geta() {
        let (bytes, replaced) = to_sjis("①㈱髙");
        assert!(!replaced, "① ㈱ and 髙 are in Windows-31J");
        let (back, _, errors) = encoding_rs::SHIFT_JIS.decode(&bytes);
        assert!(!errors);
        assert_eq!(back, "①㈱髙");
        let (bytes, replaced) = to_sjis("𠮷野家😀です");
        assert!(replaced);
        assert_eq!(encoding_rs::SHIFT_JIS.decode(&bytes).0, "〓野家〓です");
    }

    #[test]
    fn a_utf8_file_starts_with_a_bom_and_a_sjis_file_with_its_note_and_later_pages_with_neither() {
        let mut csv = Csv::new(Encoding::Utf8);
        csv.row(&["a".into()]);
        assert!(csv.encode().0.starts_with(b"\xEF\xBB\xBF\"a\"\r\n"));
        let mut csv = Csv::new(Encoding::ShiftJis);
        csv.row(&["𠮷".into()]);
        let (bytes, replaced) = csv.encode();
        let text = encoding_rs::SHIFT_JIS.decode(&bytes).0.into_owned();
        assert!(text.starts_with(&format!("\"{SJIS_NOTE}\"\r\n")), "{text}");
        assert_eq!(replaced, [1]);
        csv.with_preamble = false;
        assert_eq!(csv.encode().0, b"\"\x81\xAC\"\r\n");
    }
}
