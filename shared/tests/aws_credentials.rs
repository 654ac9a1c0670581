//! Where the AWS SDK's credentials come from (`shared::tls::aws_config_loader`): on Lambda, the
//! keys the environment holds for the function's role, session token included; anywhere the
//! environment holds none, the SDK's default chain (here a profile's credentials file). This is
//! its own test binary: it sets the process's environment.

use aws_credential_types::provider::ProvideCredentials;

async fn access_key_and_token() -> (String, Option<String>) {
    let conf = shared::tls::aws_config_loader().load().await;
    let credentials = conf
        .credentials_provider()
        .expect("a credentials provider")
        .provide_credentials()
        .await
        .expect("credentials");
    (
        credentials.access_key_id().to_owned(),
        credentials.session_token().map(str::to_owned),
    )
}

#[tokio::test]
async fn the_environments_keys_are_used_where_lambda_sets_them_and_the_default_chain_elsewhere() {
    // Given a profile whose credentials file holds other keys,
    let dir = tempfile::tempdir().expect("a directory");
    let credentials = dir.path().join("credentials");
    let config = dir.path().join("config");
    std::fs::write(
        &credentials,
        "[default]\naws_access_key_id = AKIDFROMPROFILE\naws_secret_access_key = profile-secret\n",
    )
    .expect("credentials file");
    std::fs::write(&config, "[default]\nregion = ap-northeast-1\n").expect("config file");
    // SAFETY: this test binary's one test sets the environment before anything reads it.
    unsafe {
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &credentials);
        std::env::set_var("AWS_CONFIG_FILE", &config);
        std::env::set_var("AWS_REGION", "ap-northeast-1");
        // and the variables Lambda sets for the function's role,
        std::env::set_var("AWS_ACCESS_KEY_ID", "AKIDFROMLAMBDA");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "lambda-secret");
        std::env::set_var("AWS_SESSION_TOKEN", "lambda-session");
    }

    // the role's keys sign the requests, with their session token;
    assert_eq!(
        access_key_and_token().await,
        ("AKIDFROMLAMBDA".to_owned(), Some("lambda-session".to_owned()))
    );

    // where the environment holds no keys, the default chain finds the profile's.
    // SAFETY: as above.
    unsafe {
        std::env::remove_var("AWS_ACCESS_KEY_ID");
        std::env::remove_var("AWS_SECRET_ACCESS_KEY");
        std::env::remove_var("AWS_SESSION_TOKEN");
    }
    assert_eq!(access_key_and_token().await, ("AKIDFROMPROFILE".to_owned(), None));
}
