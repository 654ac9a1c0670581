//! Bulk import writes the same record and index items as one-by-one creation.

use std::sync::Arc;

use serde_json::json;
use shared::domain::Services;
use shared::domain::crm::NewRecord;
use shared::error::DomainError;
use shared::ids::{ObjectName, OperatorId};
use shared::phone::PhoneNumber;
use shared::store::embedded::EmbeddedStore;

fn rec(v: serde_json::Value) -> NewRecord {
    NewRecord {
        fields: v.as_object().unwrap().clone(),
        account_id: None,
        contact_id: None,
        call_sid: None,
    }
}

#[tokio::test]
async fn imported_records_are_found_by_phone_and_by_search_like_created_ones() {
    let s = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    let account = ObjectName::parse("account").unwrap();
    let by = OperatorId::parse("importer").unwrap();
    let ids = s
        .crm
        .import(
            &account,
            vec![
                rec(json!({"name": "取込商事", "name_kana": "トリコミショウジ", "phone": "06-1234-5678"})),
                rec(json!({"name": "第二取込"})),
            ],
            &by,
        )
        .await
        .unwrap();
    assert_eq!(ids.len(), 2);
    let pop = s.crm.lookup(&PhoneNumber::parse("0612345678").unwrap()).await.unwrap();
    assert_eq!(pop.accounts[0].record.id, ids[0]);
    let hits = s.crm.search(&account, "とりこみ", 10, None).await.unwrap();
    assert_eq!(hits.items[0].id, ids[0].to_string());
}

#[tokio::test]
async fn an_invalid_row_stops_the_whole_import_and_is_named() {
    let s = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    let account = ObjectName::parse("account").unwrap();
    let by = OperatorId::parse("importer").unwrap();
    let err = s
        .crm
        .import(
            &account,
            vec![
                rec(json!({"name": "正常", "phone": "03-1111-2222"})),
                rec(json!({"name": "不正", "phone": "12"})),
            ],
            &by,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, DomainError::Invalid { message, .. } if message.starts_with("row 2:")),
        "{err}"
    );
    let pop = s.crm.lookup(&PhoneNumber::parse("0311112222").unwrap()).await.unwrap();
    assert!(pop.accounts.is_empty(), "nothing was written");
}
