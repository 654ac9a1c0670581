//! The console's domain: CRM objects and records, settings, lookup, history and search. It
//! knows the store port and nothing of HTTP or of DynamoDB.

pub mod audit;
pub mod call_lists;
pub mod calls;
pub mod callstate;
pub mod crm;
pub mod handoff;
pub mod history;
pub mod holidays;
pub mod memos;
pub mod monitor;
pub mod objects;
pub mod operators;
pub mod reports;
pub mod routing;
pub mod settings;
pub mod tasks;
pub mod transcripts;

use std::sync::Arc;
use std::time::Duration;

use crate::store::Store;

/// The domain services a function needs, built once at cold start and shared by handlers.
#[derive(Clone)]
pub struct Services {
    pub store: Arc<dyn Store>,
    pub settings: Arc<settings::SettingsService>,
    pub crm: Arc<crm::Crm>,
    pub call_lists: Arc<call_lists::CallLists>,
    pub history: Arc<history::History>,
    pub memos: Arc<memos::Memos>,
    pub operators: Arc<operators::Operators>,
    pub routing: Arc<routing::Routing>,
    pub call_state: Arc<callstate::CallState>,
    pub transfers: Arc<handoff::Transfers>,
    pub monitor: Arc<monitor::Monitor>,
    pub reports: Arc<reports::Reports>,
    pub tasks: Arc<tasks::Tasks>,
    pub transcripts: Arc<transcripts::Transcripts>,
}

impl Services {
    /// Settings are cached for 5 seconds in each warm instance; a change made through this
    /// instance is seen at once.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::with_settings_ttl(store, Duration::from_secs(5))
    }

    pub fn with_settings_ttl(store: Arc<dyn Store>, ttl: Duration) -> Self {
        let settings = Arc::new(settings::SettingsService::new(store.clone(), ttl));
        let routing = Arc::new(routing::Routing::new(store.clone(), settings.clone()));
        let operators = Arc::new(operators::Operators::new(store.clone(), settings.clone()));
        let memos = Arc::new(memos::Memos::new(store.clone(), settings.clone()));
        Self {
            crm: Arc::new(crm::Crm::new(store.clone(), settings.clone())),
            call_lists: Arc::new(call_lists::CallLists::new(store.clone(), settings.clone())),
            history: Arc::new(history::History::new(store.clone(), settings.clone())),
            transcripts: Arc::new(transcripts::Transcripts::new(store.clone(), memos.clone())),
            memos,
            operators: operators.clone(),
            reports: Arc::new(reports::Reports::new(store.clone(), settings.clone())),
            monitor: Arc::new(monitor::Monitor::new(store.clone(), operators, settings.clone())),
            transfers: Arc::new(handoff::Transfers::new(
                store.clone(),
                settings.clone(),
                routing.clone(),
            )),
            routing,
            call_state: Arc::new(callstate::CallState::new(store.clone())),
            tasks: Arc::new(tasks::Tasks::new(store.clone())),
            settings,
            store,
        }
    }
}
