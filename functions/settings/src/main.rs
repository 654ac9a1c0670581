//! The `settings` Lambda: the router on the table, and music uploads presigned for the page
//! bucket (`PAGE_BUCKET`; empty where the stack has none, and uploads are refused) with the
//! function's own credentials.

use std::sync::Arc;

use settings::upload::{NoPageBucket, S3Presigner, UploadSigner};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::wiring::serve(|deployed| async move {
        let bucket = std::env::var("PAGE_BUCKET").map_err(|_| "PAGE_BUCKET is not set: the page bucket's name")?;
        let uploads: Arc<dyn UploadSigner> = if bucket.is_empty() {
            Arc::new(NoPageBucket)
        } else {
            let region = deployed.aws.region().ok_or("AWS_REGION is not set")?.to_string();
            let credentials = deployed
                .aws
                .credentials_provider()
                .ok_or("no AWS credentials provider")?;
            Arc::new(S3Presigner::new(
                &bucket,
                &region,
                credentials,
                Arc::new(std::time::SystemTime::now),
            ))
        };
        Ok(settings::router(deployed.services(), uploads))
    })
    .await
}
