//! A search hit carries its record's phone number, so データ検索 can dial it from the list: the
//! first phone field with a value, stored (E.164) and as an operator reads it, kept in step
//! when the number changes.

use serde_json::json;
use shared::domain::Services;
use shared::domain::crm::{NewRecord, RecordPatch};
use shared::ids::{ObjectName, OperatorId};
use shared::store::embedded::EmbeddedStore;
use std::sync::Arc;

fn record(fields: serde_json::Value) -> NewRecord {
    NewRecord {
        fields: fields.as_object().unwrap().clone(),
        account_id: None,
        contact_id: None,
        call_sid: None,
    }
}

#[tokio::test]
async fn a_hit_carries_the_records_phone_number_and_follows_its_change() {
    // Given an account with a phone number and one without,
    let s = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    let account = ObjectName::parse("account").unwrap();
    let by = OperatorId::parse("op-sato").unwrap();
    let with = s
        .crm
        .create(
            &account,
            record(json!({"name": "青葉物産株式会社", "phone": "03-1234-9876"})),
            &by,
        )
        .await
        .unwrap();
    s.crm
        .create(&account, record(json!({"name": "青葉建設株式会社"})), &by)
        .await
        .unwrap();
    // when the operator searches their name,
    let hits = s.crm.search(&account, "青葉", 10, None).await.unwrap().items;
    assert_eq!(hits.len(), 2, "{hits:?}");
    // then the hit of the first carries its number, and the other none;
    let first = hits.iter().find(|h| h.id == with.id.as_str()).unwrap();
    assert_eq!(first.phone.as_deref(), Some("+81312349876"));
    assert_eq!(first.phone_display.as_deref(), Some("03-1234-9876"));
    let other = hits.iter().find(|h| h.id != with.id.as_str()).unwrap();
    assert_eq!(other.phone, None);
    assert_eq!(other.phone_display, None);
    // and when the number changes, the hit shows the new one.
    let patch: RecordPatch =
        serde_json::from_value(json!({"version": with.version, "fields": {"phone": "06-6543-2100"}})).unwrap();
    s.crm.update(&account, &with.id, patch, &by).await.unwrap();
    let hits = s.crm.search(&account, "青葉物産", 10, None).await.unwrap().items;
    assert_eq!(hits[0].phone.as_deref(), Some("+81665432100"));
    assert_eq!(hits[0].phone_display.as_deref(), Some("06-6543-2100"));
}
