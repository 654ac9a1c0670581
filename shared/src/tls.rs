//! One TLS stack for every binary: rustls with the *ring* crypto provider, for the AWS SDK
//! (DynamoDB, Secrets Manager, Cognito, the live channel's management API) and for reqwest
//! (Twilio's REST API, the JWKS) alike, with trusted roots settled once per process.
//!
//! The crates' defaults would each bring aws-lc-rs, a large C library, into every Lambda
//! package; one provider keeps the zipped packages small. Every HTTP client of the product is
//! built here, so no code path can fall back to a client without a crypto provider.
//!
//! The roots ([`roots`]) are settled once and handed to both clients. Left to themselves, the
//! SDK's client and reqwest's platform verifier each read the system's trust store (on Debian
//! the bundle and the 140-file certificate directory, parsed twice). Where they come from:
//! - the environment names a CA file or directory (`SSL_CERT_FILE`, `SSL_CERT_DIR`): those, as
//!   OpenSSL would read them, for both clients — a deployment behind a proxy with its own CA
//!   sets one;
//! - otherwise roots compiled into the binary, and no file is read: reqwest trusts Mozilla's
//!   program (`webpki-root-certs`), and the AWS SDK trusts the five roots of Amazon Trust Services
//!   ([`AWS_ROOTS_PEM`]: Amazon Root CA 1–4 and Starfield Services Root Certificate Authority
//!   – G2), the ones AWS documents its service endpoints chaining to. Lambda's runtimes name no
//!   CA file.
//!
//! Why the SDK gets the five only: it takes roots as PEM and decodes all of them again for each
//! connector it builds (the Secrets Manager and DynamoDB clients build theirs before a
//! function's first answer), and `rustls-pki-types`' decoder is slow: handed Mozilla's 118
//! roots, that decoding, the PEM written for it and the copies of it were about 1.3 ms of
//! voice's 11 ms of CPU to its first answer (perf profile of 20 starts,
//! `tests/perf/coldstart.py --breakdown`). A certificate for an AWS endpoint issued under any
//! other authority is refused, which is also what AWS's own guidance asks a client to accept.
//!
//! `tests/bench coldstart` measured the choice, CPU to the first answer (p50 of 20 starts,
//! release build, 2026-12): the system store read by both clients, voice 22.5–28.4 ms and crm
//! 16.8–17.3 ms; read once here, the bundle and the directory 22.9 / 20.6 ms, the bundle alone
//! 15.9 / 15.4 ms; Mozilla's roots compiled in, 14.7–18.4 / 12.9–14.0 ms. Compiled in is the
//! cheapest and needs no file the runtime may lack; a named CA file is still honoured, for the
//! deployments that need their own. Later (quiet machine, three runs of 20 starts each, back to
//! back): Mozilla's roots for both clients, voice 10.9–11.2 ms; Amazon's five for the SDK, with
//! the credentials below and the phone-number library read ahead (`shared::wiring`), 9.3–9.6 ms.

use std::borrow::Cow;
use std::sync::{Arc, Once, OnceLock};

use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore, rustls_provider::CryptoMode};
use base64::Engine;
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;

/// The roots of Amazon Trust Services, as PEM: what the AWS SDK's clients trust when the
/// environment names no CA (see the module's doc). Copied from Mozilla's program as
/// `webpki-root-certs` carries it (a test checks each is there, byte for byte); they expire in
/// 2037–2040.
pub const AWS_ROOTS_PEM: &[u8] = include_bytes!("tls/aws-roots.pem");

/// Where the trusted roots came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootSource {
    /// The CA file or directory the environment names (`SSL_CERT_FILE`, `SSL_CERT_DIR`).
    Environment,
    /// Compiled in: Mozilla's roots for reqwest, Amazon Trust Services' for the AWS SDK.
    CompiledIn,
}

/// The trusted roots of the process, settled once: as rustls keeps them (for reqwest) and, for
/// the AWS SDK, as PEM (the form its client takes them in).
pub struct Roots {
    pub source: RootSource,
    store: Arc<RootCertStore>,
    aws_pem: Cow<'static, [u8]>,
}

impl Roots {
    /// How many roots reqwest's clients trust.
    pub fn len(&self) -> usize {
        self.store.len()
    }

    /// Whether no root is trusted (an environment naming an empty or unreadable CA file).
    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }

    /// The roots compiled in: no file is read, and the SDK's are handed over as they are.
    fn compiled_in() -> Self {
        let mut store = RootCertStore::empty();
        store.add_parsable_certificates(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
        Self {
            source: RootSource::CompiledIn,
            store: Arc::new(store),
            aws_pem: Cow::Borrowed(AWS_ROOTS_PEM),
        }
    }

    /// Certificates read from the environment's CA file or directory, trusted by both clients.
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
            aws_pem: Cow::Owned(pem),
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
        Roots::compiled_in()
    }
}

/// The process's trusted roots, settled at the first call.
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
/// [`roots`] as the SDK is given them (and not reading the system's store again).
pub fn aws_http_client() -> SharedHttpClient {
    static CLIENT: OnceLock<SharedHttpClient> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let trust = TrustStore::empty()
                .with_native_roots(false)
                .with_pem_certificate(roots().aws_pem.to_vec());
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
///
/// Where the environment holds the credentials (`AWS_ACCESS_KEY_ID` and
/// `AWS_SECRET_ACCESS_KEY`, with `AWS_SESSION_TOKEN`: Lambda sets them for the function's
/// role), they are taken from there directly. The SDK's default chain would take the same
/// ones, as its first source, but builds its other sources first, among them an STS client
/// for web identity tokens with its own connector (about 0.5 ms of CPU at every cold start).
/// Anywhere else (a developer's profile, a container's role) the default chain looks for them.
pub fn aws_config_loader() -> aws_config::ConfigLoader {
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(aws_http_client());
    if credentials_in_environment() {
        loader.credentials_provider(aws_config::environment::EnvironmentVariableCredentialsProvider::new())
    } else {
        loader
    }
}

/// Whether the environment holds an access key and its secret.
fn credentials_in_environment() -> bool {
    ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
        .iter()
        .all(|v| std::env::var_os(v).is_some_and(|value| !value.is_empty()))
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

    fn subjects(store: &RootCertStore) -> Vec<String> {
        store
            .roots
            .iter()
            .map(|a| String::from_utf8_lossy(a.subject.as_ref()).into_owned())
            .collect()
    }

    #[test]
    fn the_compiled_in_roots_hold_the_authorities_of_aws_and_twilio() {
        let roots = Roots::compiled_in();
        assert!(
            roots.len() > 100,
            "Mozilla's program has well over 100 roots: {}",
            roots.len()
        );
        let subjects = subjects(&roots.store);
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
    fn the_aws_sdk_trusts_the_five_roots_of_amazon_trust_services_as_mozilla_ships_them() {
        let pem: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(AWS_ROOTS_PEM)
            .collect::<Result<_, _>>()
            .expect("the PEM the SDK is given reads back");
        assert_eq!(pem.len(), 5);
        for cert in &pem {
            assert!(
                webpki_root_certs::TLS_SERVER_ROOT_CERTS.contains(cert),
                "each is one of Mozilla's roots, byte for byte"
            );
        }
        let mut store = RootCertStore::empty();
        for cert in pem {
            store.add(cert).expect("each is a root rustls accepts");
        }
        let mut subjects = subjects(&store);
        subjects
            .iter_mut()
            .for_each(|s| s.retain(|c| c.is_ascii_graphic() || c == ' '));
        for name in [
            "Amazon Root CA 1",
            "Amazon Root CA 2",
            "Amazon Root CA 3",
            "Amazon Root CA 4",
            "Starfield Services Root Certificate Authority - G2",
        ] {
            assert_eq!(
                subjects.iter().filter(|s| s.ends_with(name)).count(),
                1,
                "{name}: {subjects:?}"
            );
        }
        let compiled_in = Roots::compiled_in();
        assert_eq!(compiled_in.aws_pem.as_ref(), AWS_ROOTS_PEM);
        for anchor in &store.roots {
            assert!(compiled_in.store.roots.contains(anchor), "reqwest trusts them too");
        }
    }

    #[test]
    fn the_sdk_is_handed_every_root_of_the_environment_reqwest_trusts_and_nothing_else() {
        let roots = Roots::from_certs(
            RootSource::Environment,
            webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned(),
        );
        let reread: Vec<_> = CertificateDer::pem_slice_iter(&roots.aws_pem)
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
        assert_eq!(CertificateDer::pem_slice_iter(&roots.aws_pem).count(), 1);
    }
}
