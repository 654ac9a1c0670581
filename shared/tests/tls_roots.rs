//! Both HTTP clients of the product (the AWS SDK's and reqwest) reach an HTTPS server whose
//! certificate chains to the CA file the environment names (`SSL_CERT_FILE`), through the roots
//! `shared::tls` read once; and a server they cannot verify is refused by both. This is its own
//! test binary: the roots are read once per process, so the variable is set before anything
//! asks for them.
//!
//! `fixtures/tls/`: a test CA (`ca.pem`, its key thrown away), a certificate for `localhost`
//! and 127.0.0.1 it signed (`server.pem`, key `server.key`) and one for the same names and key
//! signed by another CA nothing trusts (`untrusted.pem`, by `other-ca.pem`), valid until 2126;
//! used by no one but this test.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use shared::store::{Key, Store, StoreError};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls");

/// An HTTPS server on loopback answering every request 200 with `{}` (to DynamoDB's GetItem:
/// no such item), with `chain` as its certificate; counts the requests it answered.
fn https_server(chain: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> (u16, Arc<AtomicUsize>) {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("the server's certificate and key");
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let answered = Arc::new(AtomicUsize::new(0));
    let count = answered.clone();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let config = config.clone();
            let count = count.clone();
            std::thread::spawn(move || {
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut reader = BufReader::new(&mut tls);
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    // A client that refused the certificate closes here.
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}";
                if tls.write_all(answer.as_bytes()).and_then(|()| tls.flush()).is_ok() {
                    count.fetch_add(1, Ordering::SeqCst);
                }
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    (port, answered)
}

fn server_identity() -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    let chain = CertificateDer::pem_file_iter(format!("{FIXTURES}/server.pem"))
        .expect("server.pem")
        .collect::<Result<Vec<_>, _>>()
        .expect("server.pem holds certificates");
    let key = PrivateKeyDer::from_pem_file(format!("{FIXTURES}/server.key")).expect("server.key");
    (chain, key)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_clients_trust_the_ca_file_the_environment_names_and_nothing_else() {
    // SAFETY: set before any thread of this test binary reads the environment.
    unsafe { std::env::set_var("SSL_CERT_FILE", format!("{FIXTURES}/ca.pem")) };
    unsafe { std::env::remove_var("SSL_CERT_DIR") };
    let roots = shared::tls::roots();
    assert_eq!(roots.source, shared::tls::RootSource::Environment);
    assert_eq!(roots.len(), 1, "only the named CA file's one certificate");

    // Given a server whose certificate the test CA signed,
    let (chain, key) = server_identity();
    let (port, answered) = https_server(chain, key.clone_key());

    // reqwest (Twilio's REST client, the JWKS) reaches it,
    let http = shared::tls::http_client().build().expect("a client");
    let reply = http
        .get(format!("https://localhost:{port}/"))
        .send()
        .await
        .expect("reqwest trusts the CA the environment names");
    assert_eq!(reply.status(), 200);

    // and so does the AWS SDK (DynamoDB here), through the same roots.
    let client = shared::testing::local_dynamodb_client(&format!("https://localhost:{port}"));
    let store = shared::store::dynamo::DynamoStore::new(client, "console-tls");
    assert_eq!(
        store.get(&Key::new("A#1", "X")).await.expect("the SDK trusts it too"),
        None
    );
    assert_eq!(answered.load(Ordering::SeqCst), 2);

    // A server whose certificate (for the same names) no trusted CA signed is refused by both.
    let untrusted = CertificateDer::pem_file_iter(format!("{FIXTURES}/untrusted.pem"))
        .expect("untrusted.pem")
        .collect::<Result<Vec<_>, _>>()
        .expect("untrusted.pem");
    let (wrong_port, wrong_answered) = https_server(untrusted, key);
    let refused = http.get(format!("https://localhost:{wrong_port}/")).send().await;
    assert!(refused.is_err(), "reqwest refuses an unverifiable server: {refused:?}");
    let client = shared::testing::local_dynamodb_client(&format!("https://localhost:{wrong_port}"));
    let store = shared::store::dynamo::DynamoStore::new(client, "console-tls");
    let refused = store.get(&Key::new("A#1", "X")).await;
    assert!(
        matches!(refused, Err(StoreError::Unavailable(_) | StoreError::Rejected(_))),
        "the SDK refuses it: {refused:?}"
    );
    assert_eq!(
        wrong_answered.load(Ordering::SeqCst),
        0,
        "no request reached the unverifiable server"
    );

    // A client told to trust that certificate as well (the rehearsal's simulator and its CA)
    // reaches it, and still trusts the process's roots.
    let pem = std::fs::read(format!("{FIXTURES}/other-ca.pem")).expect("other-ca.pem");
    let also = shared::tls::http_client_also_trusting(&pem)
        .expect("a client")
        .build()
        .expect("a client");
    let reply = also
        .get(format!("https://localhost:{wrong_port}/"))
        .send()
        .await
        .expect("trusted now");
    assert_eq!(reply.status(), 200);
    let reply = also
        .get(format!("https://localhost:{port}/"))
        .send()
        .await
        .expect("the roots still hold");
    assert_eq!(reply.status(), 200);
    assert!(shared::tls::http_client_also_trusting(b"not a certificate").is_err());
}
