//! The Lambda packages carry one TLS stack (rustls on ring, see `shared::tls`): a dependency that
//! switches a crate back to its default aws-lc-rs backend adds a C crypto library to every
//! package, past the deployment's size target. This test names the crate that brought it in.

use std::process::Command;

fn tree_of(krate: &str) -> (bool, String) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .args(["tree", "--workspace", "--target", "all", "-e", "normal", "-i", krate])
        .output()
        .expect("run cargo tree");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn no_second_crypto_backend_in_any_binary() {
    for krate in ["aws-lc-rs", "aws-lc-sys", "openssl-sys", "native-tls"] {
        let (found, text) = tree_of(krate);
        assert!(!found, "{krate} is linked into the workspace's binaries:\n{text}");
        assert!(
            text.contains("did not match any packages"),
            "cargo tree failed for another reason:\n{text}"
        );
    }
}

#[test]
fn ring_is_the_backend_in_use() {
    let (found, text) = tree_of("ring");
    assert!(found, "ring is missing: {text}");
    assert!(text.contains("rustls"), "rustls runs on ring: {text}");
}
