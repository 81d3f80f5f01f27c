//! Judging one answer: its status, headers and body, by the rules in
//! `crate::response`.
//!
//! The body is parsed by the engine's `JSON.parse` (exact for strings, free
//! in wasm bytes); list answers first get their long integers quoted, so an
//! id above 2^53 arrives as its exact digits. Fields are read as own
//! properties only (`Object.entries`), so a polluted prototype cannot
//! supply a `Success: true` the server never sent.

use alloc::string::String;

use js_sys::{Array, JsString};
use wasm_bindgen::{JsCast, JsValue};

use super::js;
use crate::error::{DmsError, Kind};
use crate::operation::{Answer, Operation, WireParam, STATUS_NAMES};
use crate::params::{id_from_f64, id_to_string, is_integer, parse_id};
use crate::response::{classify, quote_long_integers, retry_after_ms, Body, Fields};

/// Header `name` of a headers object, when it has one.
pub(crate) fn header(headers: &JsValue, name: &str) -> Option<String> {
    headers
        .unchecked_ref::<js::HeadersLike>()
        .get(name)
        .ok()
        .and_then(|v| v.as_string())
}

pub(crate) fn judge(
    op: &Operation,
    params: &[WireParam],
    status: &JsValue,
    headers: &JsValue,
    body: Option<&JsString>,
) -> Result<JsValue, DmsError> {
    let header = |name: &str| header(headers, name);
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
    let request_id_header = header("x-acs-request-id");
    let ok = (200..300).contains(&status);
    // Retry hints only matter on errors; a 2xx is judged by its body alone.
    let hint = if ok {
        None
    } else {
        retry_after_ms(
            header("x-acs-retry-after").as_deref(),
            header("retry-after").as_deref(),
        )
    };
    let parsed = body.map(|text| parse(op, text));
    let fields = match &parsed {
        None => Body::TooLarge,
        Some(Some(object)) => Body::Object(fields(object)),
        Some(None) => Body::NotJson,
    };
    let result = classify(status, fields, hint).and_then(|done| {
        let object = parsed.flatten().unwrap_or(JsValue::UNDEFINED);
        let mut pairs = Array::new();
        push(
            &mut pairs,
            "requestId",
            &JsValue::from_str(&done.request_id),
        );
        match op.answer {
            Answer::Rerun => {
                push(&mut pairs, "success", &JsValue::TRUE);
                if let Some(code) = &done.error_code {
                    push(&mut pairs, "errorCode", &JsValue::from_str(code));
                }
                if let Some(message) = &done.error_message {
                    push(&mut pairs, "errorMessage", &JsValue::from_str(message));
                }
            }
            Answer::List => list(&mut pairs, &object, params)?,
        }
        js::from_entries(&pairs).map_err(|_| not_json(status))
    });
    result.map_err(|mut err| {
        // Gateway pages that are not JSON still carry the id in a header.
        if err.request_id.is_none() {
            err.request_id = request_id_header;
        }
        err
    })
}

fn not_json(status: u16) -> DmsError {
    let mut err = DmsError::new(
        Kind::InvalidResponse,
        "InvalidResponse.NotJson",
        "response body is not the expected JSON",
    );
    err.http_status = Some(status);
    err
}

/// The body as a JSON object, or `None` (not JSON, or JSON of another type).
fn parse(op: &Operation, text: &JsString) -> Option<JsValue> {
    let parsed = match op.answer {
        Answer::Rerun => js::json_parse(text),
        Answer::List => {
            let raw = JsValue::from(text).as_string()?;
            match quote_long_integers(&raw) {
                Some(quoted) => js::json_parse(&JsValue::from_str(&quoted)),
                None => js::json_parse(text),
            }
        }
    };
    parsed
        .ok()
        .filter(|value| value.is_object() && !Array::is_array(value))
}

/// `object`'s own property `key` (never its prototype's).
fn own(object: &JsValue, key: &str) -> JsValue {
    let Ok(entries) = js::own_entries(object) else {
        return JsValue::UNDEFINED;
    };
    for entry in entries.iter() {
        let pair: Array = entry.unchecked_into();
        if pair.get(0).as_string().as_deref() == Some(key) {
            return pair.get(1);
        }
    }
    JsValue::UNDEFINED
}

/// The fields `classify` judges, each of its JSON type or `None`.
fn fields(object: &JsValue) -> Fields {
    let mut fields = Fields::default();
    let Ok(entries) = js::own_entries(object) else {
        return fields;
    };
    for entry in entries.iter() {
        let pair: Array = entry.unchecked_into();
        let value = pair.get(1);
        match pair.get(0).as_string().as_deref() {
            Some("RequestId") => fields.request_id = value.as_string(),
            Some("Success") => fields.success = value.as_bool(),
            Some("ErrorCode") => fields.error_code = value.as_string(),
            Some("ErrorMessage") => fields.error_message = value.as_string(),
            Some("Code") => fields.code = value.as_string(),
            Some("Message") => fields.message = value.as_string(),
            Some("Recommend") => fields.recommend = value.as_string(),
            _ => {}
        }
    }
    fields
}

fn push(pairs: &mut Array, key: &str, value: &JsValue) {
    pairs.push(&Array::of2(&JsValue::from_str(key), value));
}

fn bad_list(problem: &str) -> DmsError {
    let mut message = String::from("list answer: ");
    message.push_str(problem);
    DmsError::new(Kind::InvalidResponse, "InvalidResponse.BadList", message)
}

/// An id as exact decimal text: a safe integer number, or digits (long
/// integers were quoted before parsing).
fn id_text(value: &JsValue) -> Option<String> {
    if let Some(n) = value.as_f64() {
        return id_from_f64(n).map(id_to_string);
    }
    value.as_string().filter(|s| parse_id(s).is_some())
}

/// The list result: `totalCount` and `instances`, each instance's ids exact.
fn list(pairs: &mut Array, object: &JsValue, params: &[WireParam]) -> Result<(), DmsError> {
    // The page asked for, echoed (the answer does not repeat it).
    for (wire, name) in [("PageIndex", "pageIndex"), ("PageSize", "pageSize")] {
        let value = params
            .iter()
            .find(|(w, _)| *w == wire)
            .and_then(|(_, v)| parse_id(v))
            .unwrap_or(0);
        push(pairs, name, &JsValue::from_f64(value as f64));
    }
    let total = own(object, "TotalCount");
    let total = match total.as_f64() {
        Some(n) if is_integer(n) && n >= 0.0 => n,
        None if total.is_undefined() => 0.0,
        _ => match total.as_string().and_then(|s| parse_id(&s)) {
            Some(n) if n <= (1 << 53) => n as f64,
            _ => return Err(bad_list("TotalCount is not a count")),
        },
    };
    push(pairs, "totalCount", &JsValue::from_f64(total));
    let container = own(object, "DAGInstanceList");
    let records = if container.is_object() {
        own(&container, "DAGInstance")
    } else {
        JsValue::UNDEFINED
    };
    let instances = Array::new();
    if Array::is_array(&records) {
        for record in records.unchecked_ref::<Array>().iter() {
            if !record.is_object() {
                return Err(bad_list("an instance is not an object"));
            }
            instances.push(&instance(&record)?);
        }
    } else if !records.is_undefined() && !records.is_null() {
        return Err(bad_list("DAGInstanceList.DAGInstance is not an array"));
    }
    push(pairs, "instances", &instances);
    Ok(())
}

/// How one field of an execution record is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    /// A Long, required: exact decimal text.
    Id,
    /// A Long, dropped when absent or malformed.
    OptionalId,
    /// Text (a number is turned into its digits: versions may come as numbers).
    Text,
    /// An integer number.
    Integer,
}

/// The answer's field → the package's field, and how to read it.
/// `startTime` is the spelling the official SDK's model reads; `StartTime`
/// is accepted too.
const INSTANCE_FIELDS: &[(&str, &str, Field)] = &[
    ("Id", "id", Field::Id),
    ("DagId", "dagId", Field::Id),
    ("DagVersion", "dagVersion", Field::Text),
    ("DagName", "dagName", Field::Text),
    ("Status", "status", Field::Integer),
    ("TriggerType", "triggerType", Field::Integer),
    ("BusinessTime", "businessTime", Field::Text),
    ("StartTime", "startTime", Field::Text),
    ("startTime", "startTime", Field::Text),
    ("EndTime", "endTime", Field::Text),
    ("Message", "message", Field::Text),
    ("OwnerName", "ownerName", Field::Text),
    ("HistoryDagId", "historyDagId", Field::OptionalId),
];

/// One execution record in the package's shape.
fn instance(record: &JsValue) -> Result<JsValue, DmsError> {
    let entries = js::own_entries(record).map_err(|_| bad_list("an instance could not be read"))?;
    let mut out = Array::new();
    let mut status = None;
    let mut has_id = false;
    for entry in entries.iter() {
        let pair: Array = entry.unchecked_into();
        let key = pair.get(0).as_string();
        let Some(&(_, name, field)) = INSTANCE_FIELDS
            .iter()
            .find(|(wire, _, _)| Some(*wire) == key.as_deref())
        else {
            continue;
        };
        let value = pair.get(1);
        let number = value.as_f64().filter(|n| is_integer(*n));
        let read = match field {
            Field::Id | Field::OptionalId => id_text(&value).map(|t| JsValue::from_str(&t)),
            Field::Text => value
                .as_string()
                .map(|t| JsValue::from_str(&t))
                .or_else(|| {
                    number
                        .filter(|n| *n >= 0.0)
                        .map(|n| JsValue::from_str(&id_to_string(n as u64)))
                }),
            Field::Integer => number.map(JsValue::from_f64),
        };
        match read {
            Some(value) => {
                if name == "status" {
                    status = number;
                }
                has_id |= name == "id";
                push(&mut out, name, &value);
            }
            None if field == Field::Id => {
                return Err(bad_list("an instance id is not a 64-bit integer"))
            }
            None => {}
        }
    }
    if !has_id {
        return Err(bad_list("an instance has no Id"));
    }
    let name = status
        .filter(|n| *n >= 0.0)
        .and_then(|n| STATUS_NAMES.get(n as usize))
        .copied()
        .unwrap_or("unknown");
    push(&mut out, "statusName", &JsValue::from_str(name));
    js::from_entries(&out).map_err(|_| bad_list("an instance could not be built"))
}
