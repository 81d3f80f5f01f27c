//! Reading a `ListTaskFlowInstance` answer into the package's shape, as the
//! JSON text the bindings hand to JS.
//!
//! Ids come out as exact decimal strings whether the answer wrote them as
//! bare numbers (the API types them Long) or as strings; an id that is
//! neither a canonical integer in 0..2^63−1 is refused, never rounded.

use alloc::string::String;

use crate::error::{DmsError, Kind};
use crate::json::{unescape, write_string, Json, ObjectWriter};
use crate::operation::STATUS_NAMES;
use crate::params::{id_to_string, parse_id};

/// How one field of an execution record is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    /// A Long, required: exact decimal text.
    Id,
    /// A Long, dropped when absent or malformed.
    OptionalId,
    /// Text (a number becomes its digits: versions may come as numbers).
    Text,
    /// A small integer number.
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

fn bad_list(problem: &str) -> DmsError {
    let mut message = String::from("list answer: ");
    message.push_str(problem);
    DmsError::new(Kind::InvalidResponse, "InvalidResponse.BadList", message)
}

/// An id as exact decimal text, from a number token or a string.
fn id_text(value: &Json<'_>) -> Option<String> {
    let text = match value {
        Json::Number(digits) => String::from(*digits),
        Json::String(raw) => unescape(raw)?,
        _ => return None,
    };
    parse_id(&text).map(id_to_string)
}

/// A small non-negative integer from a number token.
fn small_integer(value: &Json<'_>) -> Option<u32> {
    match value {
        Json::Number(digits) if digits.len() <= 9 => {
            crate::params::parse_digits(digits).map(|n| n as u32)
        }
        _ => None,
    }
}

/// The list result `{requestId, totalCount, pageIndex, pageSize, instances}`
/// as JSON text, from a successful answer.
pub fn list_result(
    answer: &Json<'_>,
    request_id: &str,
    page_index: u32,
    page_size: u32,
) -> Result<String, DmsError> {
    let total = match answer.get("TotalCount") {
        None | Some(Json::Null) => 0,
        Some(value) => id_text(value)
            .and_then(|t| parse_id(&t))
            .filter(|n| *n < 1 << 53)
            .ok_or_else(|| bad_list("TotalCount is not a count"))?,
    };
    let mut out = ObjectWriter::default();
    out.string("requestId", request_id);
    out.raw("totalCount", &id_to_string(total));
    out.raw("pageIndex", &id_to_string(u64::from(page_index)));
    out.raw("pageSize", &id_to_string(u64::from(page_size)));
    let records = match answer.get("DAGInstanceList") {
        None | Some(Json::Null) => None,
        Some(container @ Json::Object(_)) => container.get("DAGInstance"),
        Some(_) => return Err(bad_list("DAGInstanceList is not an object")),
    };
    let list = out.key("instances");
    list.push('[');
    match records {
        None | Some(Json::Null) => {}
        Some(Json::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    list.push(',');
                }
                list.push_str(&instance(item)?);
            }
        }
        Some(_) => return Err(bad_list("DAGInstanceList.DAGInstance is not an array")),
    }
    list.push(']');
    Ok(out.finish())
}

/// One execution record as JSON text.
fn instance(record: &Json<'_>) -> Result<String, DmsError> {
    let Json::Object(members) = record else {
        return Err(bad_list("an instance is not an object"));
    };
    let mut out = ObjectWriter::default();
    let mut status = None;
    for &(wire, name, field) in INSTANCE_FIELDS {
        // The last member of that name, as JSON.parse would keep.
        let Some(value) = members
            .iter()
            .rev()
            .find(|(k, _)| *k == wire)
            .map(|(_, v)| v)
        else {
            if field == Field::Id {
                return Err(bad_list("an instance has no Id"));
            }
            continue;
        };
        match field {
            Field::Id | Field::OptionalId => match id_text(value) {
                Some(text) => out.string(name, &text),
                None if field == Field::Id => {
                    return Err(bad_list("an instance id is not a 64-bit integer"))
                }
                None => {}
            },
            Field::Text => match value {
                // Raw string contents are valid JSON string text already.
                Json::String(raw) => {
                    let buffer = out.key(name);
                    buffer.push('"');
                    buffer.push_str(raw);
                    buffer.push('"');
                }
                Json::Number(_) => {
                    if let Some(text) = id_text(value) {
                        out.string(name, &text);
                    }
                }
                _ => {}
            },
            Field::Integer => {
                if let Some(n) = small_integer(value) {
                    out.raw(name, &id_to_string(u64::from(n)));
                    if name == "status" {
                        status = Some(n);
                    }
                }
            }
        }
    }
    let status_name = status
        .and_then(|n| STATUS_NAMES.get(n as usize))
        .copied()
        .unwrap_or("unknown");
    write_string(out.key("statusName"), status_name);
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn read(body: &str) -> Result<String, DmsError> {
        let answer = parse(body).unwrap_or(Json::Null);
        list_result(&answer, "R", 2, 20)
    }

    #[test]
    fn big_ids_stay_exact_and_fields_are_renamed() {
        let body = r#"{"RequestId":"R","Success":true,"TotalCount":3,"DAGInstanceList":{"DAGInstance":[
            {"Id":9223372036854775807,"DagId":"7","DagVersion":"v\"1","Status":3,"TriggerType":1,"startTime":"2026-01-01 00:00:00","HistoryDagId":9007199254740993,"Message":"x\ny"},
            {"Id":"9007199254740993","DagId":7,"DagVersion":2,"Status":9,"StartTime":"s"}
        ]}}"#;
        assert_eq!(
            read(body).as_deref().unwrap_or_default(),
            concat!(
                r#"{"requestId":"R","totalCount":3,"pageIndex":2,"pageSize":20,"instances":["#,
                r#"{"id":"9223372036854775807","dagId":"7","dagVersion":"v\"1","status":3,"triggerType":1,"startTime":"2026-01-01 00:00:00","message":"x\ny","historyDagId":"9007199254740993","statusName":"failed"},"#,
                r#"{"id":"9007199254740993","dagId":"7","dagVersion":"2","status":9,"startTime":"s","statusName":"unknown"}]}"#
            )
        );
    }

    #[test]
    fn absent_or_empty_lists_are_empty() {
        for body in [
            r#"{"Success":true}"#,
            r#"{"Success":true,"TotalCount":0,"DAGInstanceList":{}}"#,
            r#"{"Success":true,"DAGInstanceList":{"DAGInstance":[]}}"#,
            r#"{"Success":true,"DAGInstanceList":null}"#,
        ] {
            let out = read(body).unwrap_or_default();
            assert!(out.ends_with(r#""instances":[]}"#), "{out}");
        }
    }

    #[test]
    fn malformed_lists_are_refused() {
        for body in [
            r#"{"DAGInstanceList":{"DAGInstance":{}}}"#,
            r#"{"DAGInstanceList":[]}"#,
            r#"{"DAGInstanceList":{"DAGInstance":[1]}}"#,
            r#"{"DAGInstanceList":{"DAGInstance":[{"DagId":1}]}}"#,
            r#"{"DAGInstanceList":{"DAGInstance":[{"Id":1.5}]}}"#,
            r#"{"DAGInstanceList":{"DAGInstance":[{"Id":-1}]}}"#,
            r#"{"DAGInstanceList":{"DAGInstance":[{"Id":9223372036854775808}]}}"#,
            r#"{"TotalCount":"many"}"#,
        ] {
            let code = read(body).err().map(|e| e.code);
            assert_eq!(code.as_deref(), Some("InvalidResponse.BadList"), "{body}");
        }
    }
}
