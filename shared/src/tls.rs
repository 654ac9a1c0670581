//! One TLS stack for every binary: rustls with the *ring* crypto provider, for the AWS SDK
//! (DynamoDB, Secrets Manager, Cognito, the live channel's management API) and for reqwest
//! (Twilio's REST API, the JWKS) alike, trusting one set of roots read once per process.
//!
//! The crates' defaults would each bring aws-lc-rs, a large C library, into every Lambda
//! package; one provider keeps the zipped packages small. Every HTTP client of the product is
//! built here, so no code path can fall back to a client without a crypto provider.
//!
//! The roots ([`roots`]) are read once and handed to both clients. Left to themselves, the SDK's
//! client and reqwest's platform verifier each read the system's trust store (on Debian the
//! bundle and the 140-file certificate directory, parsed twice), which was most of a function's
//! own start. Where they come from:
//! - the environment names a CA file or directory (`SSL_CERT_FILE`, `SSL_CERT_DIR`): those, as
//!   OpenSSL would read them — a deployment behind a proxy with its own CA sets one;
//! - otherwise Mozilla's roots compiled into the binary (`webpki-root-certs`): no file is read
//!   at start. Lambda's runtimes name no CA file, and every server the functions talk to
//!   (AWS's endpoints, Twilio, Cognito's JWKS) chains to a root in Mozilla's program.
//!
//! `tests/bench coldstart` measured the choice, CPU to the first answer (p50 of 20 starts,
//! release build, 2026-12): the system store read by both clients, voice 22.5–28.4 ms and crm
//! 16.8–17.3 ms; read once here, the bundle and the directory 22.9 / 20.6 ms, the bundle alone
//! 15.9 / 15.4 ms; compiled in, 14.7–18.4 / 12.9–14.0 ms. Compiled in is the cheapest and needs
//! no file the runtime may lack; a named CA file is still honoured, for the deployments that
//! need their own.

use std::sync::{Arc, Once, OnceLock};

use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore, rustls_provider::CryptoMode};
use base64::Engine;
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;

/// Where the trusted roots came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootSource {
    /// The CA file or directory the environment names (`SSL_CERT_FILE`, `SSL_CERT_DIR`).
    Environment,
    /// Mozilla's roots, compiled in.
    CompiledIn,
}

/// The trusted roots of the process, read once: as rustls keeps them (for reqwest) and as PEM
/// (the form the SDK's client takes them in).
pub struct Roots {
    pub source: RootSource,
    store: Arc<RootCertStore>,
    pem: Vec<u8>,
}

impl Roots {
    /// How many roots are trusted.
    pub fn len(&self) -> usize {
        self.store.len()
    }

    /// Whether no root is trusted (an environment naming an empty or unreadable CA file).
    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }

    fn from_certs(source: RootSource, certs: impl IntoIterator<Item = CertificateDer<'static>>) -> Self {
        let mut store = RootCertStore::empty();
        let mut pem = Vec::new();
        for cert in certs {
            // Only what rustls accepts as a root goes on to the SDK, which refuses a whole
            // client for one certificate it cannot read.
            if store.add(cert.clone()).is_ok() {
                pem_encode(&cert, &mut pem);
            }
        }
        Self {
            source,
            store: Arc::new(store),
            pem,
        }
    }
}

fn pem_encode(der: &[u8], out: &mut Vec<u8>) {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    out.extend_from_slice(b"-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out.extend_from_slice(b"-----END CERTIFICATE-----\n");
}

/// Whether the environment names where the trusted roots are (see the module's doc).
fn environment_names_roots() -> bool {
    ["SSL_CERT_FILE", "SSL_CERT_DIR"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|p| !p.is_empty()))
}

fn load_roots() -> Roots {
    if environment_names_roots() {
        let found = rustls_native_certs::load_native_certs();
        for error in &found.errors {
            tracing::warn!(%error, "a CA certificate named by SSL_CERT_FILE or SSL_CERT_DIR could not be read");
        }
        let roots = Roots::from_certs(RootSource::Environment, found.certs);
        if roots.is_empty() {
            tracing::error!("SSL_CERT_FILE or SSL_CERT_DIR names no usable CA certificate: TLS connections will fail");
        }
        roots
    } else {
        Roots::from_certs(
            RootSource::CompiledIn,
            webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned(),
        )
    }
}

/// The process's trusted roots, read at the first call.
pub fn roots() -> &'static Roots {
    static ROOTS: OnceLock<Roots> = OnceLock::new();
    ROOTS.get_or_init(load_roots)
}

fn install_ring() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// The rustls configuration of every reqwest client: ring, the process's roots.
fn client_config() -> rustls::ClientConfig {
    static CONFIG: OnceLock<rustls::ClientConfig> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .expect("ring supports TLS 1.2 and 1.3")
                .with_root_certificates(roots().store.clone())
                .with_no_client_auth()
        })
        .clone()
}

/// A reqwest client builder whose TLS runs on ring and trusts the process's [`roots`]. The
/// process-wide rustls provider is ring's too (installing is first-come; nothing else in the
/// product installs one), for the crates that read it.
pub fn http_client() -> reqwest::ClientBuilder {
    install_ring();
    reqwest::Client::builder().tls_backend_preconfigured(client_config())
}

/// [`http_client`] trusting, besides the process's roots, the CA certificates in `pem` (the deploy
/// rehearsal's Twilio simulator trusts the run's own CA this way). reqwest ignores roots added
/// to a builder whose TLS is preconfigured, so extra roots come in here, not through
/// `add_root_certificate`.
pub fn http_client_also_trusting(pem: &[u8]) -> Result<reqwest::ClientBuilder, rustls::Error> {
    use rustls::pki_types::pem::PemObject;
    install_ring();
    let mut store = (*roots().store).clone();
    let mut added = 0;
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| rustls::Error::General(format!("a CA certificate could not be read: {e}")))?;
        store.add(cert)?;
        added += 1;
    }
    if added == 0 {
        return Err(rustls::Error::General("no CA certificate in the PEM given".into()));
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(store)
        .with_no_client_auth();
    Ok(reqwest::Client::builder().tls_backend_preconfigured(config))
}

/// The HTTP client for AWS SDK clients: HTTPS with rustls on ring, trusting the process's
/// [`roots`] (and not reading the system's store again).
pub fn aws_http_client() -> SharedHttpClient {
    static CLIENT: OnceLock<SharedHttpClient> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let trust = TrustStore::empty()
                .with_native_roots(false)
                .with_pem_certificate(roots().pem.clone());
            aws_smithy_http_client::Builder::new()
                .tls_provider(Provider::Rustls(CryptoMode::Ring))
                .tls_context(
                    TlsContext::builder()
                        .with_trust_store(trust)
                        .build()
                        .expect("a TLS context"),
                )
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
    use rustls::pki_types::pem::PemObject;

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
        assert_eq!(names(client_config().crypto_provider()), names(&ring));
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

    #[test]
    fn the_compiled_in_roots_hold_the_authorities_of_aws_and_twilio() {
        let roots = Roots::from_certs(
            RootSource::CompiledIn,
            webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned(),
        );
        assert!(
            roots.len() > 100,
            "Mozilla's program has well over 100 roots: {}",
            roots.len()
        );
        let subjects: Vec<String> = roots
            .store
            .roots
            .iter()
            .map(|a| String::from_utf8_lossy(a.subject.as_ref()).into_owned())
            .collect();
        // AWS's endpoints chain to Amazon Root CA 1 (or Starfield's), Twilio's API to DigiCert's.
        for name in [
            "Amazon Root CA 1",
            "Starfield Services Root Certificate Authority",
            "DigiCert Global Root G2",
        ] {
            assert!(subjects.iter().any(|s| s.contains(name)), "{name} is trusted");
        }
    }

    #[test]
    fn the_sdk_is_handed_every_root_reqwest_trusts_and_nothing_else() {
        let roots = Roots::from_certs(
            RootSource::CompiledIn,
            webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned(),
        );
        let reread: Vec<_> = CertificateDer::pem_slice_iter(&roots.pem)
            .collect::<Result<_, _>>()
            .expect("the PEM handed to the SDK reads back");
        assert_eq!(reread.len(), roots.len());
        let mut again = RootCertStore::empty();
        for cert in reread {
            again.add(cert).expect("each is a root rustls accepts");
        }
        assert_eq!(again.roots, roots.store.roots);
    }

    #[test]
    fn a_certificate_rustls_cannot_read_is_left_out_not_fatal() {
        let good = webpki_root_certs::TLS_SERVER_ROOT_CERTS[0].clone();
        let roots = Roots::from_certs(
            RootSource::Environment,
            [CertificateDer::from(vec![0x30, 0x03, 1, 2, 3]), good],
        );
        assert_eq!(roots.len(), 1);
        assert_eq!(CertificateDer::pem_slice_iter(&roots.pem).count(), 1);
    }
}
