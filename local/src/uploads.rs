//! The local twin of the page bucket's music uploads: the settings function's upload route is
//! answered with a one-time URL on this runtime's own port (`/local-uploads/<token>`), valid five
//! minutes like a presigned S3 URL, which accepts one PUT of the file (its type, at most 10 MB)
//! and writes it under the uploads folder (beside the data file, out of git); that folder's
//! `music/` is served at `/music/…`, where the deployed page bucket serves it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::put;
use settings::upload::{EXPIRES, MAX_BYTES, MusicUpload, UploadSigner};
use shared::error::DomainError;

struct Pending {
    path: String,
    content_type: String,
    size: u64,
    until: Instant,
}

/// One-time upload URLs on the local port, and the folder the files land in.
#[derive(Clone)]
pub struct LocalUploads {
    base_url: String,
    dir: PathBuf,
    pending: Arc<Mutex<HashMap<String, Pending>>>,
}

impl LocalUploads {
    /// Uploads to `dir`, their URLs on `base_url`.
    pub fn new(base_url: &str, dir: &Path) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            dir: dir.to_owned(),
            pending: Arc::default(),
        }
    }

    /// The folder uploaded files are written to (`music/…` inside it).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The PUT route the URLs point at, outside sign-in as S3's presigned URLs are.
    pub fn routes(&self) -> Router {
        Router::new()
            .route("/local-uploads/{token}", put(receive))
            .layer(DefaultBodyLimit::max(MAX_BYTES as usize + 1))
            .with_state(self.clone())
    }
}

#[async_trait::async_trait]
impl UploadSigner for LocalUploads {
    async fn put_url(&self, upload: &MusicUpload) -> Result<String, DomainError> {
        let token: String = rand::random::<[u8; 16]>().iter().map(|b| format!("{b:02x}")).collect();
        let mut pending = self.pending.lock().expect("upload list lock");
        let now = Instant::now();
        pending.retain(|_, p| p.until > now);
        pending.insert(
            token.clone(),
            Pending {
                path: upload.path.clone(),
                content_type: upload.content_type.clone(),
                size: upload.size,
                until: now + EXPIRES,
            },
        );
        Ok(format!("{}/local-uploads/{token}", self.base_url))
    }
}

async fn receive(
    State(u): State<LocalUploads>,
    axum::extract::Path(token): axum::extract::Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let Some(p) = u.pending.lock().expect("upload list lock").remove(&token) else {
        return (StatusCode::FORBIDDEN, "this upload URL is unknown or was used already");
    };
    if p.until < Instant::now() {
        return (StatusCode::FORBIDDEN, "this upload URL has expired");
    }
    let sent_type = headers.get("content-type").and_then(|v| v.to_str().ok());
    if sent_type != Some(p.content_type.as_str()) {
        return (
            StatusCode::FORBIDDEN,
            "content-type differs from the one the URL was given for",
        );
    }
    if body.is_empty() || body.len() as u64 > p.size.max(1) || body.len() as u64 > MAX_BYTES {
        return (
            StatusCode::BAD_REQUEST,
            "the file's size differs from the one the URL was given for",
        );
    }
    let target = u.dir.join(&p.path);
    let written = async {
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        tokio::fs::write(&target, &body).await
    };
    match tokio::time::timeout(Duration::from_secs(30), written).await {
        Ok(Ok(())) => (StatusCode::OK, ""),
        other => {
            tracing::error!(?other, path = %target.display(), "an uploaded file could not be written");
            (StatusCode::INTERNAL_SERVER_ERROR, "the file could not be saved")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    fn upload(size: u64) -> MusicUpload {
        MusicUpload {
            path: "music/0f8e2b1c-3d4a-4b5c-8d6e-7f8091a2b3c4-hold.wav".into(),
            content_type: "audio/wav".into(),
            size,
        }
    }

    async fn send(u: &LocalUploads, url: &str, content_type: &str, body: &'static [u8]) -> StatusCode {
        let path = url.strip_prefix("http://127.0.0.1:9/").unwrap();
        let req = Request::put(format!("/{path}"))
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap();
        u.routes().oneshot(req).await.unwrap().status()
    }

    #[tokio::test]
    async fn an_upload_url_takes_one_file_of_its_type_and_size_once() {
        let dir = std::env::temp_dir().join(format!("uploads-test-{}", std::process::id()));
        let u = LocalUploads::new("http://127.0.0.1:9", &dir);
        // a different type is refused and spends the URL
        let url = u.put_url(&upload(4)).await.unwrap();
        assert_eq!(send(&u, &url, "audio/mpeg", b"RIFF").await, StatusCode::FORBIDDEN);
        assert_eq!(send(&u, &url, "audio/wav", b"RIFF").await, StatusCode::FORBIDDEN);
        // more bytes than announced are refused
        let url = u.put_url(&upload(4)).await.unwrap();
        assert_eq!(send(&u, &url, "audio/wav", b"RIFF....").await, StatusCode::BAD_REQUEST);
        // the announced file is written where /music/… is served from, once
        let url = u.put_url(&upload(4)).await.unwrap();
        assert_eq!(send(&u, &url, "audio/wav", b"RIFF").await, StatusCode::OK);
        assert_eq!(std::fs::read(dir.join(upload(4).path)).unwrap(), b"RIFF");
        assert_eq!(send(&u, &url, "audio/wav", b"RIFF").await, StatusCode::FORBIDDEN);
        let _ = std::fs::remove_dir_all(dir);
    }
}
