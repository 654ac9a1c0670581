//! Where Twilio reaches this function, which is the base of the URL every signature is checked
//! against and of every URL handed back to Twilio.
//!
//! Deployed, Twilio calls the function at its own Lambda function URL,
//! `https://<url-id>.lambda-url.<region>.on.aws/`. The template cannot tell the function that
//! URL (the URL is made from the function, so naming it in the function's environment is a
//! circular dependency), so the stack gives it the region's function URL domain instead —
//! `PUBLIC_BASE_URL=https://lambda-url.<region>.on.aws` — and each request names the rest: a
//! function URL's event carries the domain it was called at in `requestContext.domainName`, set
//! by Lambda, not by the caller. That domain is the base for the request: its signature is
//! checked over `https://<domain><path>?<query>`, exactly the URL Twilio called and signed, and
//! its TwiML and REST requests name callbacks under it. A request that did not come through a
//! function URL of that region cannot be checked and is refused (403) before anything is read.
//!
//! Any other `PUBLIC_BASE_URL` (the local runtime, the tests) is the base of every request.

use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use lambda_http::request::RequestContext;
use shared::control::CallbackUrls;
use tower::ServiceExt;

use crate::VoiceState;
use crate::signed::Refused;

/// The region's function URL domain, as `PUBLIC_BASE_URL` names it: the function answers at
/// its own function URL under it, learnt from each request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionUrls {
    /// `.lambda-url.<region>.on.aws`: what a function URL's domain ends with after its id.
    suffix: String,
}

impl FunctionUrls {
    /// The function URLs a configured base names: `https://lambda-url.<region>.on.aws` (a
    /// trailing `/` allowed); `None` for any other base, which is then used as it is.
    pub fn named_by(base: &str) -> Option<Self> {
        let host = base.strip_prefix("https://")?.trim_end_matches('/');
        let region = host.strip_prefix("lambda-url.")?.strip_suffix(".on.aws")?;
        let region_ok = !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        region_ok.then(|| Self {
            suffix: format!(".lambda-url.{region}.on.aws"),
        })
    }

    /// The origin (`https://<url-id>.lambda-url.<region>.on.aws`) of a request that came
    /// through a function URL of this region, from the domain Lambda put in its request
    /// context; `None` for any other request (no such context, another domain).
    pub fn origin_of(&self, req: &Request) -> Option<String> {
        let Some(RequestContext::ApiGatewayV2(context)) = req.extensions().get::<RequestContext>() else {
            return None;
        };
        let domain = context.domain_name.as_deref()?;
        let id = domain.strip_suffix(self.suffix.as_str())?;
        let id_ok = !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        id_ok.then(|| format!("https://{domain}"))
    }

    /// The function's routes at its own function URL: each request served with the URLs under
    /// the origin it was called at, refused (403) when it came some other way.
    pub(crate) fn router(self, state: VoiceState) -> Router {
        let at = AtOwnUrl {
            urls: self,
            state,
            latest: Arc::new(Mutex::new(None)),
        };
        Router::new().fallback(move |req: Request| {
            let at = at.clone();
            async move { at.serve(req).await }
        })
    }
}

/// The routes as served at the function's own URL, built for the origin requests come in at
/// (one function has one URL: the routes of the latest origin are kept, so a warm instance
/// builds them once).
#[derive(Clone)]
struct AtOwnUrl {
    urls: FunctionUrls,
    state: VoiceState,
    latest: Arc<Mutex<Option<(String, Router)>>>,
}

impl AtOwnUrl {
    async fn serve(&self, req: Request) -> Response {
        let Some(origin) = self.urls.origin_of(&req) else {
            tracing::warn!(
                path = req.uri().path(),
                "refused a webhook that did not come through the function URL"
            );
            return Refused::Forged.into_response();
        };
        let routes = self.routes_at(origin);
        routes.oneshot(req).await.unwrap_or_else(|never| match never {})
    }

    fn routes_at(&self, origin: String) -> Router {
        let mut latest = self.latest.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((known, routes)) = latest.as_ref()
            && *known == origin
        {
            return routes.clone();
        }
        let mut state = self.state.clone();
        state.control.urls = CallbackUrls::new(&origin);
        let routes = crate::routes(state);
        *latest = Some((origin, routes.clone()));
        routes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_regions_function_url_domain_names_function_urls() {
        assert_eq!(
            FunctionUrls::named_by("https://lambda-url.ap-northeast-1.on.aws"),
            Some(FunctionUrls {
                suffix: ".lambda-url.ap-northeast-1.on.aws".into()
            })
        );
        assert!(FunctionUrls::named_by("https://lambda-url.ap-northeast-1.on.aws/").is_some());
        for base in [
            "https://console.example.co.jp",
            "http://lambda-url.ap-northeast-1.on.aws",
            "https://abc.lambda-url.ap-northeast-1.on.aws",
            "https://lambda-url..on.aws",
            "https://lambda-url.ap-northeast-1.on.aws/twilio",
            "http://127.0.0.1:3000",
        ] {
            assert_eq!(FunctionUrls::named_by(base), None, "{base}");
        }
    }
}
