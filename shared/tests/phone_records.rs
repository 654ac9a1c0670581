//! A number written with an extension and notes, as CRM exports and call-list files hold it, is
//! kept with its extension where a record keeps a number, shown with it, and found by its line.

use std::sync::Arc;

use serde_json::json;
use shared::domain::Services;
use shared::domain::call_lists::{ColumnMapping, ColumnRef, CsvRow, NewCallList, NewImport};
use shared::domain::crm::NewRecord;
use shared::error::DomainError;
use shared::ids::{ObjectName, OperatorId};
use shared::phone::PhoneNumber;
use shared::store::embedded::EmbeddedStore;

fn services() -> Services {
    Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()))
}

fn record(fields: serde_json::Value) -> NewRecord {
    NewRecord {
        fields: fields.as_object().unwrap().clone(),
        account_id: None,
        contact_id: None,
        call_sid: None,
    }
}

#[tokio::test]
async fn an_account_number_with_an_extension_keeps_it_shows_it_and_is_found_by_its_line() {
    let s = services();
    let account = ObjectName::parse("account").unwrap();
    let by = OperatorId::parse("op-sato").unwrap();

    let created = s
        .crm
        .create(
            &account,
            record(json!({"name": "内線商事", "phone": "TEL：０３－１２３４－５６７８（代表）内線 21"})),
            &by,
        )
        .await
        .unwrap();

    assert_eq!(created.fields["phone"], "+81312345678;ext=21");
    assert_eq!(created.display["phone"], "03-1234-5678 内線 21");
    let pop = s
        .crm
        .lookup(&PhoneNumber::parse("+81312345678").unwrap())
        .await
        .unwrap();
    assert_eq!(pop.accounts.len(), 1);
    assert_eq!(pop.accounts[0].record.id, created.id);
    assert_eq!(pop.accounts[0].record.display["phone"], "03-1234-5678 内線 21");
}

#[tokio::test]
async fn a_record_number_that_is_no_number_is_refused_naming_the_field_with_examples() {
    let s = services();
    let account = ObjectName::parse("account").unwrap();
    let by = OperatorId::parse("op-sato").unwrap();

    let err = s
        .crm
        .create(&account, record(json!({"name": "不正商事", "phone": "03-1234"})), &by)
        .await
        .unwrap_err();

    match err {
        DomainError::Invalid { field, message, .. } => {
            assert_eq!(field.as_deref(), Some("phone"));
            assert!(message.contains("03-1234-5678"), "{message}");
        }
        other => panic!("expected a refusal naming the field, got {other:?}"),
    }
}

#[tokio::test]
async fn a_call_list_row_with_an_extension_and_a_note_becomes_a_target_that_dials_it() {
    let s = services();
    s.settings
        .put_section(
            "lines",
            0,
            json!([{"id": "sales", "number": "050-3000-1234", "label": "営業部"}]),
        )
        .await
        .unwrap();
    let by = OperatorId::parse("admin-watanabe").unwrap();
    let list = s
        .call_lists
        .create(
            NewCallList {
                name: "内線のある取引先".into(),
                line_id: "sales".into(),
                script_id: None,
                description: None,
            },
            &by,
        )
        .await
        .unwrap();
    let import = s
        .call_lists
        .start_import(
            &list.id,
            NewImport {
                columns: vec!["会社名".into(), "電話番号".into()],
                mapping: ColumnMapping {
                    phone: ColumnRef::Name("電話番号".into()),
                    name: Some(ColumnRef::Name("会社名".into())),
                    account: None,
                    contact: None,
                    notes: None,
                    extra: vec![],
                },
                encoding: Default::default(),
                file_name: Some("list.csv".into()),
                total_rows: Some(3),
            },
            &by,
        )
        .await
        .unwrap();
    let row = |line: u64, name: &str, phone: &str| CsvRow {
        line,
        cells: vec![name.into(), phone.into()],
    };

    let report = s
        .call_lists
        .import_chunk(
            &list.id,
            &import.id,
            2,
            "utf-8",
            vec![
                row(2, "内線商事", "03-1234-5678（代表）内線 21"),
                row(3, "携帯の方", "TEL: 090-1234-5678"),
                row(4, "番号違い", "03-1234"),
            ],
        )
        .await
        .unwrap();

    let json = serde_json::to_value(&report.chunk).unwrap();
    assert_eq!(json["imported"], 2, "{json}");
    assert_eq!(json["failed"][0]["line"], 4, "{json}");
    assert_eq!(json["failed"][0]["code"], "invalid_phone");
    let targets = s.call_lists.queue(&list.id, 10).await.unwrap();
    let with_extension = targets.iter().find(|t| t.name == "内線商事").unwrap();
    assert_eq!(with_extension.phone, "+81312345678");
    assert_eq!(with_extension.phone_extension.as_deref(), Some("21"));
    assert_eq!(with_extension.phone_display, "03-1234-5678 内線 21");
    let mobile = targets.iter().find(|t| t.name == "携帯の方").unwrap();
    assert_eq!(mobile.phone, "+819012345678");
    assert_eq!(mobile.phone_extension, None);
}
