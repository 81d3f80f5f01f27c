//! Judging one answer: its status, headers and body, by the pure rules in
//! `crate::response` and `crate::list`.
//!
//! The body is read by `crate::json` (exact numbers, own keys only) and the
//! result is built as JSON text that the entry parses into the object the
//! caller gets: one crossing instead of one per field.

use alloc::string::String;

use js_sys::JsString;
use wasm_bindgen::{JsCast, JsValue};

use super::js;
use crate::error::{DmsError, Kind};
use crate::json::{parse, Json};
use crate::list::list_result;
use crate::operation::{Answer, Operation, WireParam};
use crate::params::{is_integer, parse_id};
use crate::response::{classify, fields_of, rerun_result, retry_after_ms, Body};

/// Header `name` of a headers object, when it has one.
pub(crate) fn header(headers: &JsValue, name: &str) -> Option<String> {
    headers
        .unchecked_ref::<js::HeadersLike>()
        .get(name)
        .ok()
        .and_then(|v| v.as_string())
}

/// The page asked for, echoed in a list result (the answer does not repeat it).
fn page(params: &[WireParam], wire: &str) -> u32 {
    params
        .iter()
        .find(|(w, _)| *w == wire)
        .and_then(|(_, v)| parse_id(v))
        .unwrap_or(0) as u32
}

pub(crate) fn judge(
    op: &Operation,
    params: &[WireParam],
    status: &JsValue,
    headers: &JsValue,
    body: Option<&JsString>,
) -> Result<String, DmsError> {
    let Some(status) = status
        .as_f64()
        .filter(|&s| (100.0..=599.0).contains(&s) && is_integer(s))
        .map(|s| s as u16)
    else {
        return Err(DmsError::new(
            Kind::InvalidResponse,
            "InvalidResponse.NotHttp",
            "fetch returned something that is not a Response",
        ));
    };
    let request_id_header = header(headers, "x-acs-request-id");
    // Retry hints only matter on errors; a 2xx is judged by its body alone.
    let hint = if (200..300).contains(&status) {
        None
    } else {
        retry_after_ms(
            header(headers, "x-acs-retry-after").as_deref(),
            header(headers, "retry-after").as_deref(),
        )
    };
    let text = body.map(|b| JsValue::from(b).as_string().unwrap_or_default());
    let answer = text.as_deref().and_then(parse);
    let judged = match (&text, &answer) {
        (None, _) => Body::TooLarge,
        (_, Some(object @ Json::Object(_))) => Body::Object(fields_of(object)),
        _ => Body::NotJson,
    };
    let result = classify(status, judged, hint).and_then(|done| {
        Ok(match (op.answer, &answer) {
            (Answer::List, Some(object)) => list_result(
                object,
                &done.request_id,
                page(params, "PageIndex"),
                page(params, "PageSize"),
            )
            .map_err(|mut err| {
                // The answer was read: keep its status and id like any other.
                err.http_status = Some(status);
                err.request_id = Some(done.request_id.clone()).filter(|id| !id.is_empty());
                err
            })?,
            _ => rerun_result(&done),
        })
    });
    result.map_err(|mut err| {
        // Gateway pages that are not JSON still carry the id in a header.
        if err.request_id.is_none() {
            err.request_id = request_id_header;
        }
        err
    })
}
