//! What the page saw: latency and status of every API request by route, and the 5xx answers
//! with when they were sent, to tell those inside the injected outage from the others.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One route's figures.
#[derive(Default)]
pub struct Route {
    pub millis: Vec<f64>,
    pub by_class: [u64; 6],
}

/// A 5xx (or a request that got no answer at all) the page saw.
#[derive(Debug, Clone)]
pub struct ServerError {
    pub route: String,
    pub status: u16,
    pub sent: Instant,
    pub answered: Instant,
    pub body: String,
}

#[derive(Default)]
pub struct Stats {
    routes: Mutex<BTreeMap<String, Route>>,
    errors: Mutex<Vec<ServerError>>,
    /// The first body of each refusal (4xx), by route and status, to say what was refused.
    refusals: Mutex<BTreeMap<(String, u16), (u64, String)>>,
}

impl Stats {
    pub fn record(&self, route: &str, status: u16, sent: Instant, answered: Instant, body: &str) {
        let ms = answered.duration_since(sent).as_secs_f64() * 1000.0;
        {
            let mut routes = self.routes.lock().unwrap();
            let r = routes.entry(route.to_owned()).or_default();
            r.millis.push(ms);
            r.by_class[usize::from(status / 100).min(5)] += 1;
        }
        if (400..500).contains(&status) {
            let mut refusals = self.refusals.lock().unwrap();
            let entry = refusals
                .entry((route.to_owned(), status))
                .or_insert_with(|| (0, body.chars().take(200).collect()));
            entry.0 += 1;
        }
        if status >= 500 || status == 0 {
            self.errors.lock().unwrap().push(ServerError {
                route: route.to_owned(),
                status,
                sent,
                answered,
                body: body.chars().take(160).collect(),
            });
        }
    }

    /// Refusals by route and status: how many, and the first one's body.
    pub fn refusals(&self) -> BTreeMap<(String, u16), (u64, String)> {
        self.refusals.lock().unwrap().clone()
    }

    pub fn errors(&self) -> Vec<ServerError> {
        self.errors.lock().unwrap().clone()
    }

    /// Route, requests, p50 and p99 in ms, 4xx and 5xx counts; sorted by route.
    pub fn table(&self) -> Vec<(String, usize, f64, f64, u64, u64)> {
        let routes = self.routes.lock().unwrap();
        routes
            .iter()
            .map(|(name, r)| {
                let mut ms = r.millis.clone();
                ms.sort_by(|a, b| a.total_cmp(b));
                (
                    name.clone(),
                    ms.len(),
                    percentile(&ms, 0.50),
                    percentile(&ms, 0.99),
                    r.by_class[4],
                    r.by_class[5] + r.by_class[0],
                )
            })
            .collect()
    }
}

/// The `q` quantile of sorted values (nearest rank); 0 when empty.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Windows of the injected store outage, the end `None` while it lasts.
#[derive(Default)]
pub struct Outages(Mutex<Vec<(Instant, Option<Instant>)>>);

impl Outages {
    pub fn begin(&self) {
        self.0.lock().unwrap().push((Instant::now(), None));
    }

    pub fn end(&self) {
        if let Some(last) = self.0.lock().unwrap().last_mut() {
            last.1 = Some(Instant::now());
        }
    }

    /// How long the store was down between `from` and `to` (an outage still on counts up to
    /// `to`). Nothing the console does (letting an operator go included) can land while its
    /// store is down, so a bound on the console's time leaves that time out.
    pub fn down_between(&self, from: Instant, to: Instant) -> Duration {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|(begin, end)| {
                let begin = (*begin).max(from);
                let end = end.unwrap_or(to).min(to);
                end.saturating_duration_since(begin)
            })
            .sum()
    }

    /// Whether a request sent and answered at these times overlaps an outage (its end extended
    /// by `grace`, for requests that were queued behind the refused ones).
    pub fn covers(&self, sent: Instant, answered: Instant, grace: Duration) -> bool {
        self.0.lock().unwrap().iter().any(|(begin, end)| {
            let end = end.map(|e| e + grace).unwrap_or_else(|| Instant::now() + grace);
            sent <= end && answered >= *begin
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_the_store_was_down_is_counted_only_inside_the_window_asked_about() {
        let o = Outages::default();
        let before = Instant::now();
        std::thread::sleep(Duration::from_millis(5));
        o.begin();
        std::thread::sleep(Duration::from_millis(5));
        let during = Instant::now();
        std::thread::sleep(Duration::from_millis(5));
        o.end();
        std::thread::sleep(Duration::from_millis(5));
        let after = Instant::now();
        let (begin, back) = {
            let w = o.0.lock().unwrap();
            (w[0].0, w[0].1.unwrap())
        };
        assert_eq!(o.down_between(before, after), back - begin);
        assert_eq!(o.down_between(during, after), back - during);
        assert_eq!(o.down_between(before, during), during - begin);
        assert_eq!(o.down_between(back, after), Duration::ZERO);
        assert_eq!(o.down_between(after, after + Duration::from_millis(5)), Duration::ZERO);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), 50.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&[7.0], 0.99), 7.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }

    #[test]
    fn a_request_is_inside_the_outage_only_when_it_overlaps_it_or_its_grace() {
        let o = Outages::default();
        let before = Instant::now();
        std::thread::sleep(Duration::from_millis(5));
        o.begin();
        std::thread::sleep(Duration::from_millis(5));
        o.end();
        let grace = Duration::from_millis(20);
        assert!(!o.covers(before, before, grace), "answered before it began");
        let inside = Instant::now();
        assert!(o.covers(inside, inside, grace), "within the grace after it ended");
        std::thread::sleep(Duration::from_millis(30));
        let after = Instant::now();
        assert!(!o.covers(after, after, grace), "sent after the grace");
    }

    #[test]
    fn server_errors_are_kept_with_their_route_and_the_rest_counted_by_class() {
        let s = Stats::default();
        let t = Instant::now();
        s.record("GET /api/monitor", 200, t, t, "");
        s.record("GET /api/monitor", 503, t, t, "{\"error\":{}}");
        s.record("GET /api/monitor", 409, t, t, "");
        let table = s.table();
        assert_eq!(table[0].1, 3);
        assert_eq!((table[0].4, table[0].5), (1, 1));
        assert_eq!(s.errors().len(), 1);
        assert_eq!(s.errors()[0].status, 503);
        assert_eq!(s.refusals()[&("GET /api/monitor".to_owned(), 409)].0, 1);
    }
}
