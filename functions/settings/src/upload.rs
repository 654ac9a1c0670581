//! Hold and wait music the admin uploads from the page into the page's bucket: the request
//! (`POST /api/settings/music-upload` with a file's name, type and size) is checked here, and a
//! [`UploadSigner`] answers where the browser PUTs the file: deployed, a SigV4 presigned S3 URL
//! for `music/<uuid>-<name>` in the page bucket, valid five minutes; locally, a one-time URL on
//! the local runtime's own port. The file is then served with the page at `/<path>`, the path the
//! line's `waiting` setting names.
//!
//! The presigned URL is built with `aws-sigv4` (already in the dependency tree through
//! aws-config) and the function's credentials from aws-config, not with `aws-sdk-s3`: the S3 SDK
//! is one of the largest crates to compile and would add minutes to every CI build for one URL.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{
    PercentEncodingMode, SignableBody, SignableRequest, SignatureLocation, SigningSettings, UriPathNormalizationMode,
    sign,
};
use aws_sigv4::sign::v4;
use serde::{Deserialize, Serialize};
use shared::error::DomainError;

/// The largest file an admin may upload: 10 MB.
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;
/// How long a presigned URL stays valid.
pub const EXPIRES: Duration = Duration::from_secs(300);
/// The audio types accepted.
pub const CONTENT_TYPES: [&str; 3] = ["audio/mpeg", "audio/wav", "audio/x-wav"];
/// The longest file name accepted.
const MAX_NAME: usize = 100;

/// What the page asks to upload.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MusicUploadRequest {
    /// The file's name: letters, digits, `-`, `_`, `.`, ending .mp3 or .wav.
    pub file_name: String,
    /// `audio/mpeg`, `audio/wav` or `audio/x-wav`.
    pub content_type: String,
    /// The file's size in bytes (1 byte to 10 MB).
    pub size: u64,
}

/// A checked upload: the bucket path the file will have and its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MusicUpload {
    /// `music/<uuid>-<name>`.
    pub path: String,
    pub content_type: String,
    pub size: u64,
}

impl MusicUpload {
    /// Checks the request; each refusal says in Japanese what to fix.
    pub fn parse(req: MusicUploadRequest) -> Result<Self, DomainError> {
        let invalid = |m: String| DomainError::invalid("invalid_upload", m);
        let name = req.file_name.trim();
        let clean = !name.is_empty()
            && name.len() <= MAX_NAME
            && !name.starts_with('.')
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !clean {
            return Err(invalid(format!(
                "ファイル名「{name}」は英数字と - _ . だけの{MAX_NAME}文字以内にしてください（例: hold-music.mp3）"
            )));
        }
        let lower = name.to_ascii_lowercase();
        if !lower.ends_with(".mp3") && !lower.ends_with(".wav") {
            return Err(invalid(format!(
                "ファイル「{name}」は .mp3 か .wav のファイルにしてください"
            )));
        }
        if !CONTENT_TYPES.contains(&req.content_type.as_str()) {
            return Err(invalid(format!(
                "ファイルの種類「{}」はアップロードできません。MP3（audio/mpeg）かWAV（audio/wav）の音声にしてください",
                req.content_type
            )));
        }
        if req.size == 0 || req.size > MAX_BYTES {
            return Err(invalid(format!(
                "ファイルの大きさ（{}バイト）は1バイト〜10MBにしてください",
                req.size
            )));
        }
        Ok(Self {
            path: format!("music/{}-{name}", uuid_v4()),
            content_type: req.content_type,
            size: req.size,
        })
    }
}

/// A random UUID (version 4) in its usual text form.
fn uuid_v4() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Where and how the browser sends the file.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadTarget {
    /// The URL to PUT the file's bytes to.
    pub upload_url: String,
    /// Always `PUT`.
    pub method: &'static str,
    /// The headers to send with it (`content-type`, which the URL's signature covers).
    pub headers: UploadHeaders,
    /// The file's path in the page's bucket, for the line's `waiting` setting.
    pub path: String,
}

/// The headers of the upload.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadHeaders {
    #[serde(rename = "content-type")]
    pub content_type: String,
}

/// Gives the URL a checked upload is PUT to.
#[async_trait::async_trait]
pub trait UploadSigner: Send + Sync {
    /// A URL accepting one PUT of `upload` (its type and at most its size) for a short while.
    async fn put_url(&self, upload: &MusicUpload) -> Result<String, DomainError>;
}

/// The clock presigned URLs are dated by (fixed in tests).
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Presigned S3 PUT URLs for the page bucket, signed with the function's credentials.
pub struct S3Presigner {
    bucket: String,
    region: String,
    credentials: SharedCredentialsProvider,
    clock: Clock,
}

impl S3Presigner {
    /// A presigner for `bucket` in `region`, dating URLs by `clock`.
    pub fn new(bucket: &str, region: &str, credentials: SharedCredentialsProvider, clock: Clock) -> Self {
        Self {
            bucket: bucket.to_owned(),
            region: region.to_owned(),
            credentials,
            clock,
        }
    }

    /// The presigned URL for `key` with `credentials` at `now`.
    pub fn presign(
        &self,
        credentials: Credentials,
        key: &str,
        content_type: &str,
        now: SystemTime,
    ) -> Result<String, DomainError> {
        let unavailable = |e: Box<dyn std::error::Error + Send + Sync>| DomainError::Unavailable(e);
        let host = format!("{}.s3.{}.amazonaws.com", self.bucket, self.region);
        let url = format!("https://{host}/{key}");
        let mut settings = SigningSettings::default();
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(EXPIRES);
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        let identity = credentials.into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("s3")
            .time(now)
            .settings(settings)
            .build()
            .map_err(|e| unavailable(Box::new(e)))?
            .into();
        let headers = [("host", host.as_str()), ("content-type", content_type)];
        let request = SignableRequest::new("PUT", &url, headers.into_iter(), SignableBody::UnsignedPayload)
            .map_err(|e| unavailable(Box::new(e)))?;
        let (instructions, _) = sign(request, &params)
            .map_err(|e| unavailable(Box::new(e)))?
            .into_parts();
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in instructions.params() {
            query.append_pair(name, value);
        }
        Ok(format!("{url}?{}", query.finish().replace('+', "%20")))
    }
}

#[async_trait::async_trait]
impl UploadSigner for S3Presigner {
    async fn put_url(&self, upload: &MusicUpload) -> Result<String, DomainError> {
        let credentials = self
            .credentials
            .provide_credentials()
            .await
            .map_err(|e| DomainError::Unavailable(Box::new(e)))?;
        self.presign(credentials, &upload.path, &upload.content_type, (self.clock)())
    }
}

/// Where the stack has no page bucket (the SAM template without `PageBucketName`): every upload
/// is refused, saying to name the music by URL instead.
pub struct NoPageBucket;

#[async_trait::async_trait]
impl UploadSigner for NoPageBucket {
    async fn put_url(&self, _upload: &MusicUpload) -> Result<String, DomainError> {
        Err(DomainError::Conflict {
            code: "no_page_bucket",
            message: "この環境にはページのバケットがないため、音声ファイルをアップロードできません。https:// のURLを指定してください"
                .to_owned(),
            current: None,
        })
    }
}
