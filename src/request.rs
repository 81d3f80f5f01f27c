//! Signed requests: the common RPC parameters plus an operation's own, ready
//! to apply to any HTTP client.

use alloc::string::String;
use alloc::vec::Vec;

use crate::params::id_to_string;
use crate::sign::{sign, Method};

/// Alibaba credentials: a long-lived AccessKey, or STS temporary ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// `AccessKeyId` (signed and sent).
    pub access_key_id: String,
    /// Signing key; never sent, never put in any output.
    pub access_key_secret: String,
    /// `SecurityToken`, only with STS credentials.
    pub security_token: Option<String>,
}

/// The operation's own parameters, already validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RerunRequest {
    /// Tenant id (`Tid`), sent only when given.
    pub tid: Option<u64>,
    /// Task flow id (`DagId`).
    pub dag_id: u64,
    /// Execution record id (`DagInstanceId`).
    pub dag_instance_id: u64,
    /// Task flow version (`DagVersion`), signed verbatim.
    pub dag_version: String,
}

/// A request ready to send: apply it to any HTTP client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedRequest {
    /// `POST` or `GET`.
    pub method: Method,
    /// Origin + `/?` + canonical query + `&Signature=…`.
    pub url: String,
    /// Sorted, encoded pairs without the signature.
    pub canonical_query: String,
    /// What was HMAC'd.
    pub string_to_sign: String,
    /// base64 signature.
    pub signature: String,
}

/// Signs one call of `action` to `endpoint` (a normalised origin): the
/// common parameters plus the operation's validated `params`, sorted into
/// canonical order.
pub fn sign_call(
    endpoint: &str,
    method: Method,
    credentials: &Credentials,
    action: &str,
    params: &[(&str, String)],
    timestamp: &str,
    nonce: &str,
) -> SignedRequest {
    let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(params.len() + 10);
    pairs.extend_from_slice(&[
        ("AccessKeyId", credentials.access_key_id.as_str()),
        ("Action", action),
        ("Format", "JSON"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", nonce),
        ("SignatureVersion", "1.0"),
        ("Timestamp", timestamp),
        ("Version", "2018-11-01"),
    ]);
    if let Some(token) = credentials.security_token.as_deref() {
        pairs.push(("SecurityToken", token));
    }
    pairs.extend(params.iter().map(|(k, v)| (*k, v.as_str())));
    let signed = sign(method, &mut pairs, &credentials.access_key_secret);
    let mut url = String::with_capacity(endpoint.len() + 2 + signed.query.len());
    url.push_str(endpoint);
    url.push_str("/?");
    url.push_str(&signed.query);
    SignedRequest {
        method,
        url,
        canonical_query: signed.canonical_query,
        string_to_sign: signed.string_to_sign,
        signature: signed.signature,
    }
}

/// Signs a ReRunTaskFlowInstance call (the typed form of [`sign_call`] with
/// the rerun's parameters).
pub fn sign_rerun(
    endpoint: &str,
    method: Method,
    credentials: &Credentials,
    request: &RerunRequest,
    timestamp: &str,
    nonce: &str,
) -> SignedRequest {
    let mut params = Vec::with_capacity(4);
    params.push(("DagId", id_to_string(request.dag_id)));
    params.push(("DagInstanceId", id_to_string(request.dag_instance_id)));
    params.push(("DagVersion", request.dag_version.clone()));
    if let Some(tid) = request.tid {
        params.push(("Tid", id_to_string(tid)));
    }
    sign_call(
        endpoint,
        method,
        credentials,
        "ReRunTaskFlowInstance",
        &params,
        timestamp,
        nonce,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::sign;

    #[test]
    fn rerun_signs_its_parameter_set_like_the_generic_signer() {
        for (token, tid) in [
            (None, None),
            (Some("CAIS+t/=="), None),
            (None, Some(9)),
            (Some("tok"), Some(0)),
        ] {
            let credentials = Credentials {
                access_key_id: "id".into(),
                access_key_secret: "secret".into(),
                security_token: token.map(String::from),
            };
            let request = RerunRequest {
                tid,
                dag_id: 7,
                dag_instance_id: 47,
                dag_version: "2".into(),
            };
            let signed = sign_rerun(
                "https://h",
                Method::Post,
                &credentials,
                &request,
                "2016-02-23T12:46:24Z",
                "n",
            );
            let mut params = vec![
                ("Version", "2018-11-01"),
                ("Timestamp", "2016-02-23T12:46:24Z"),
                ("SignatureVersion", "1.0"),
                ("SignatureNonce", "n"),
                ("SignatureMethod", "HMAC-SHA1"),
                ("Format", "JSON"),
                ("DagVersion", "2"),
                ("DagInstanceId", "47"),
                ("DagId", "7"),
                ("Action", "ReRunTaskFlowInstance"),
                ("AccessKeyId", "id"),
            ];
            let tid_text = tid.map(crate::params::id_to_string);
            if let Some(t) = &tid_text {
                params.push(("Tid", t));
            }
            if let Some(t) = token {
                params.push(("SecurityToken", t));
            }
            let expected = sign(Method::Post, &mut params, "secret");
            assert_eq!(signed.canonical_query, expected.canonical_query);
            assert_eq!(signed.signature, expected.signature);
        }
    }
}
