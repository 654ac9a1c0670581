//! Uploading hold and wait music: only admins get an upload URL, a wrong name, type or size is
//! refused in Japanese, and the presigned S3 URL is the one boto3 (an independent SigV4
//! implementation) gives for the same inputs.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use axum::http::StatusCode;
use serde_json::json;
use settings::upload::S3Presigner;
use shared::auth::Role;
use shared::domain::Services;
use shared::store::embedded::EmbeddedStore;
use shared::testing::{call, json_request, signed_in};

const KEY_ID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// 2026-12-03T12:00:00Z.
fn fixed_now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_299_200)
}

fn presigner() -> S3Presigner {
    S3Presigner::new(
        "page-bucket",
        "ap-northeast-1",
        SharedCredentialsProvider::new(Credentials::from_keys(KEY_ID, SECRET, None)),
        Arc::new(fixed_now),
    )
}

fn app() -> axum::Router {
    settings::router(
        Services::new(Arc::new(EmbeddedStore::in_memory().unwrap())),
        Arc::new(presigner()),
    )
}

fn query(url: &str) -> HashMap<String, String> {
    let q = url.split_once('?').expect("a query string").1;
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

#[tokio::test]
async fn an_admin_gets_a_five_minute_put_url_for_the_music_folder_of_the_page_bucket() {
    // given an admin choosing hold.mp3 (1 MB of MP3)
    let req = json!({"file_name": "hold.mp3", "content_type": "audio/mpeg", "size": 1_000_000});
    // when they ask where to upload it
    let (status, body) = call(
        &app(),
        signed_in(
            json_request("POST", "/api/settings/music-upload", &req),
            "adm",
            Role::Admin,
        ),
    )
    .await;
    // then the answer is a presigned PUT for music/<uuid>-hold.mp3 in the page bucket
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["method"], "PUT");
    assert_eq!(body["headers"]["content-type"], "audio/mpeg");
    let path = body["path"].as_str().unwrap();
    let uuid = path
        .strip_prefix("music/")
        .and_then(|p| p.strip_suffix("-hold.mp3"))
        .expect(path);
    assert_eq!(uuid.len(), 36, "{uuid}");
    assert_eq!(uuid.as_bytes()[14], b'4', "a version 4 UUID: {uuid}");
    let url = body["upload_url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("https://page-bucket.s3.ap-northeast-1.amazonaws.com/{path}?")),
        "{url}"
    );
    let q = query(url);
    assert_eq!(q["X-Amz-Algorithm"], "AWS4-HMAC-SHA256");
    assert_eq!(q["X-Amz-Expires"], "300");
    assert_eq!(q["X-Amz-Date"], "20261203T120000Z");
    assert_eq!(
        q["X-Amz-Credential"],
        "AKIDEXAMPLE/20261203/ap-northeast-1/s3/aws4_request"
    );
    assert_eq!(q["X-Amz-SignedHeaders"], "content-type;host");
    assert_eq!(q["X-Amz-Signature"].len(), 64);
    // and two uploads of the same name do not overwrite each other
    let (_, again) = call(
        &app(),
        signed_in(
            json_request("POST", "/api/settings/music-upload", &req),
            "adm",
            Role::Admin,
        ),
    )
    .await;
    assert_ne!(again["path"], body["path"]);
}

#[tokio::test]
async fn operators_and_supervisors_get_no_upload_url() {
    let req = json!({"file_name": "hold.mp3", "content_type": "audio/mpeg", "size": 10});
    for role in [Role::Operator, Role::Supervisor] {
        let (status, _) = call(
            &app(),
            signed_in(json_request("POST", "/api/settings/music-upload", &req), "u", role),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role:?}");
    }
}

#[tokio::test]
async fn a_wrong_name_type_or_size_is_refused_saying_what_to_fix() {
    let cases = [
        (
            json!({"file_name": "保留音.mp3", "content_type": "audio/mpeg", "size": 10}),
            "英数字と - _ .",
        ),
        (
            json!({"file_name": "../hold.mp3", "content_type": "audio/mpeg", "size": 10}),
            "英数字と - _ .",
        ),
        (
            json!({"file_name": ".mp3", "content_type": "audio/mpeg", "size": 10}),
            "英数字と - _ .",
        ),
        (
            json!({"file_name": "hold.ogg", "content_type": "audio/mpeg", "size": 10}),
            ".mp3 か .wav",
        ),
        (
            json!({"file_name": "hold.mp3", "content_type": "text/html", "size": 10}),
            "MP3（audio/mpeg）かWAV",
        ),
        (
            json!({"file_name": "hold.wav", "content_type": "audio/ogg", "size": 10}),
            "MP3（audio/mpeg）かWAV",
        ),
        (
            json!({"file_name": "hold.wav", "content_type": "audio/wav", "size": 0}),
            "1バイト〜10MB",
        ),
        (
            json!({"file_name": "hold.wav", "content_type": "audio/x-wav", "size": 10_485_761}),
            "1バイト〜10MB",
        ),
    ];
    for (req, fix) in cases {
        let (status, body) = call(
            &app(),
            signed_in(
                json_request("POST", "/api/settings/music-upload", &req),
                "adm",
                Role::Admin,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{req} → {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(fix), "{req}: {message}");
    }
    // the limits themselves are accepted
    for (name, t, size) in [
        ("a.WAV", "audio/x-wav", 1),
        ("Hold_music-2.wav", "audio/wav", 10_485_760),
    ] {
        let req = json!({"file_name": name, "content_type": t, "size": size});
        let (status, body) = call(
            &app(),
            signed_in(
                json_request("POST", "/api/settings/music-upload", &req),
                "adm",
                Role::Admin,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{req} → {body}");
    }
}

/// What boto3 answers for `generate_presigned_url('put_object', …)` with the same credentials,
/// bucket, key, content type, region, 300 s and clock (2026-12-03T12:00:00Z).
const BOTO3_SIGNATURE: &str = "c72616a2df109336ba5a4ee4afb6a6cf559121a56841a7867c4a81d4a255d94e";
const KEY: &str = "music/0f8e2b1c-3d4a-4b5c-8d6e-7f8091a2b3c4-hold.mp3";

const BOTO3: &str = r#"
import boto3, datetime, sys
from botocore.config import Config
from unittest import mock
token = sys.argv[4] if len(sys.argv) > 4 else None
s = boto3.session.Session(aws_access_key_id=sys.argv[1], aws_secret_access_key=sys.argv[2], aws_session_token=token, region_name='ap-northeast-1')
c = s.client('s3', config=Config(signature_version='s3v4', s3={'addressing_style': 'virtual'}))
with mock.patch('botocore.auth.get_current_datetime', return_value=datetime.datetime(2026, 12, 3, 12, 0, 0)):
    print(c.generate_presigned_url('put_object', Params={'Bucket': 'page-bucket', 'Key': sys.argv[3], 'ContentType': 'audio/mpeg'}, ExpiresIn=300))
"#;

#[test]
fn the_presigned_url_is_the_one_boto3_signs_for_the_same_inputs() {
    // given fixed credentials, clock, bucket and key
    let ours = presigner()
        .presign(
            Credentials::from_keys(KEY_ID, SECRET, None),
            KEY,
            "audio/mpeg",
            fixed_now(),
        )
        .unwrap();
    // then its signature is the one boto3 computed for them
    assert_eq!(query(&ours)["X-Amz-Signature"], BOTO3_SIGNATURE, "{ours}");
    // and, where the test tools are installed, boto3 gives the very same URL now
    let Ok(python) = std::env::var("TWILIO_ORACLE_PYTHON") else {
        return;
    };
    let out = std::process::Command::new(python)
        .args(["-c", BOTO3, KEY_ID, SECRET, KEY])
        .output()
        .expect("the oracle's python runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let theirs = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        ours.split_once('?').unwrap().0,
        theirs.trim().split_once('?').unwrap().0
    );
    assert_eq!(query(&ours), query(theirs.trim()));
}

#[test]
fn a_session_token_is_signed_into_the_url_as_boto3_signs_it() {
    // given the temporary credentials a Lambda function runs with
    let ours = presigner()
        .presign(
            Credentials::from_keys(KEY_ID, SECRET, Some("tok+en/=".into())),
            KEY,
            "audio/mpeg",
            fixed_now(),
        )
        .unwrap();
    // then the token is in the URL and the signature covers it
    assert_eq!(query(&ours)["X-Amz-Security-Token"], "tok+en/=");
    assert_ne!(query(&ours)["X-Amz-Signature"], BOTO3_SIGNATURE);
    let Ok(python) = std::env::var("TWILIO_ORACLE_PYTHON") else {
        return;
    };
    let out = std::process::Command::new(python)
        .args(["-c", BOTO3, KEY_ID, SECRET, KEY, "tok+en/="])
        .output()
        .expect("the oracle's python runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(query(&ours), query(String::from_utf8(out.stdout).unwrap().trim()));
}

#[tokio::test]
async fn without_a_page_bucket_an_upload_is_refused_saying_to_use_a_url() {
    // given a stack with no page bucket (the SAM template without PageBucketName)
    let app = settings::router(
        Services::new(Arc::new(EmbeddedStore::in_memory().unwrap())),
        Arc::new(settings::upload::NoPageBucket),
    );
    // when an admin asks to upload
    let req = json!({"file_name": "hold.mp3", "content_type": "audio/mpeg", "size": 10});
    let (status, body) = call(
        &app,
        signed_in(
            json_request("POST", "/api/settings/music-upload", &req),
            "adm",
            Role::Admin,
        ),
    )
    .await;
    // then they are told to name the music by URL
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("https:// のURLを指定してください"),
        "{body}"
    );
}
