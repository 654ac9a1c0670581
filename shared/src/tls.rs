//! One TLS stack for every binary: rustls with the *ring* crypto provider, for the AWS SDK
//! (DynamoDB, Secrets Manager) and for reqwest (Twilio's REST API) alike.
//!
//! The crates' defaults would each bring aws-lc-rs, a large C library, into every Lambda
//! package; one provider keeps the zipped packages small. Every HTTP
//! client of the product is built here, so no code path can fall back to a client without a
//! crypto provider.

use std::sync::{Once, OnceLock};

use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};

/// A reqwest client builder whose TLS runs on ring: the process-wide rustls provider, which
/// reqwest reads, is ring's (installing is first-come; nothing else in the product installs one).
pub fn http_client() -> reqwest::ClientBuilder {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder()
}

/// The HTTP client for AWS SDK clients (HTTPS with rustls on ring, certificates from the system).
pub fn aws_http_client() -> SharedHttpClient {
    static CLIENT: OnceLock<SharedHttpClient> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            aws_smithy_http_client::Builder::new()
                .tls_provider(Provider::Rustls(CryptoMode::Ring))
                .build_https()
        })
        .clone()
}

/// The AWS configuration loader every function starts from: the environment's region and
/// credentials, the product's HTTP client.
pub fn aws_config_loader() -> aws_config::ConfigLoader {
    aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(aws_http_client())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reqwest_clients_build_on_the_ring_provider() {
        let client = http_client().build();
        assert!(client.is_ok(), "a client builds without aws-lc: {client:?}");
        let installed = rustls::crypto::CryptoProvider::get_default().expect("a provider is installed");
        let ring = rustls::crypto::ring::default_provider();
        let names = |p: &rustls::crypto::CryptoProvider| {
            p.cipher_suites
                .iter()
                .map(|s| format!("{:?}", s.suite()))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(installed), names(&ring));
    }

    #[tokio::test]
    async fn aws_clients_carry_the_product_http_client() {
        let conf = aws_config_loader()
            .region(aws_config::Region::new("ap-northeast-1"))
            .load()
            .await;
        assert!(
            conf.http_client().is_some(),
            "SDK clients never fall back to a default client"
        );
    }
}
