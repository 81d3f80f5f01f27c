//! The ReRunTaskFlowInstance operation: its exact parameter set and the
//! signed request built from it.

use alloc::string::String;
use alloc::vec::Vec;

use crate::params::id_to_string;
use crate::sign::{sign_sorted, Method};

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

/// Signs a ReRunTaskFlowInstance call to `endpoint` (a normalised origin).
pub fn sign_rerun(
    endpoint: &str,
    method: Method,
    credentials: &Credentials,
    request: &RerunRequest,
    timestamp: &str,
    nonce: &str,
) -> SignedRequest {
    let dag_id = id_to_string(request.dag_id);
    let dag_instance_id = id_to_string(request.dag_instance_id);
    let tid = request.tid.map(id_to_string);
    // Listed in byte order of the keys, so the canonical query needs no sort
    // (a unit test keeps this list sorted).
    let pairs = [
        Some(("AccessKeyId", credentials.access_key_id.as_str())),
        Some(("Action", "ReRunTaskFlowInstance")),
        Some(("DagId", dag_id.as_str())),
        Some(("DagInstanceId", dag_instance_id.as_str())),
        Some(("DagVersion", request.dag_version.as_str())),
        Some(("Format", "JSON")),
        credentials
            .security_token
            .as_deref()
            .map(|token| ("SecurityToken", token)),
        Some(("SignatureMethod", "HMAC-SHA1")),
        Some(("SignatureNonce", nonce)),
        Some(("SignatureVersion", "1.0")),
        tid.as_deref().map(|tid| ("Tid", tid)),
        Some(("Timestamp", timestamp)),
        Some(("Version", "2018-11-01")),
    ];
    let params: Vec<(&str, &str)> = pairs.into_iter().flatten().collect();
    let signed = sign_sorted(method, &params, &credentials.access_key_secret);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::sign;

    #[test]
    fn fixed_order_equals_sorted_order() {
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
