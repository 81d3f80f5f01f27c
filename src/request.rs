//! The ReRunTaskFlowInstance operation: its exact parameter set and the
//! signed request built from it.

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
    let mut params: Vec<(&str, &str)> = Vec::with_capacity(13);
    params.extend_from_slice(&[
        ("Action", "ReRunTaskFlowInstance"),
        ("Version", "2018-11-01"),
        ("Format", "JSON"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", nonce),
        ("Timestamp", timestamp),
        ("AccessKeyId", &credentials.access_key_id),
        ("DagId", &dag_id),
        ("DagInstanceId", &dag_instance_id),
        ("DagVersion", &request.dag_version),
    ]);
    if let Some(token) = &credentials.security_token {
        params.push(("SecurityToken", token));
    }
    if let Some(tid) = &tid {
        params.push(("Tid", tid));
    }
    let signed = sign(method, &mut params, &credentials.access_key_secret);
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
