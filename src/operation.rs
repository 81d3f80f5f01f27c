//! Operations as data: one table per API operation (JS field, wire name, type,
//! presence) that validation and signing both follow.
//!
//! A third operation is a new table here plus its answer's reading in
//! `response`, not new plumbing: the bindings read every field a table names,
//! in table order, and `validate` turns each into its wire value.

use alloc::string::String;
use alloc::vec::Vec;

use crate::clock::is_valid_date;
use crate::error::DmsError;
use crate::params::{id_from_f64, id_to_string, is_integer, parse_id, MAX_SAFE_INTEGER};

/// Longest string input, in UTF-8 bytes. Checked before the bindings copy a
/// string into wasm memory, which never shrinks: one 40 MiB `dagVersion`
/// used to grow it to 851 MiB for good.
pub const MAX_TEXT_BYTES: usize = 4096;
/// Longest total of every string input of one call, in UTF-8 bytes.
pub const MAX_TOTAL_TEXT_BYTES: usize = 16 * 1024;

/// What the caller passed for one field, after the bindings read it once.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Absent, `undefined` or `null`.
    Missing,
    /// A JS `number`.
    Number(f64),
    /// A JS `bigint`, as decimal text (`None` if it could not be rendered).
    BigInt(Option<String>),
    /// A JS string (already checked for length and lone surrogates).
    Text(String),
    /// A JS boolean.
    Bool(bool),
    /// Any other JS value.
    Other,
}

/// The type of one parameter, and the rule its value must follow.
#[derive(Clone, Copy, Debug)]
pub enum Type {
    /// A `Long` id in 0..2^63−1: safe integer number, bigint or canonical decimal string.
    Id,
    /// A non-empty string, signed verbatim.
    Text,
    /// An integer `number` in `min..=max`.
    Integer {
        /// Smallest allowed value.
        min: u32,
        /// Largest allowed value.
        max: u32,
    },
    /// A real calendar date `YYYY-MM-DD`.
    Date,
    /// A boolean, sent as `true` / `false`.
    Flag,
    /// One of the names, or its index as an integer `number`; sent as the index.
    Choice(&'static [&'static str]),
    /// One of the names exactly, kept as given.
    Word(&'static [&'static str]),
}

/// Whether a parameter must be given.
#[derive(Clone, Copy, Debug)]
pub enum Presence {
    /// The call is refused without it.
    Required,
    /// Sent only when given.
    Optional,
    /// Sent with this wire value when not given.
    Default(&'static str),
}

/// One parameter of an operation.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    /// Its name in the JS request object (and in `InvalidParameter.<Field>`).
    pub field: &'static str,
    /// Its name in the signed query.
    pub wire: &'static str,
    /// Its type and rule.
    pub ty: Type,
    /// Required, optional or defaulted.
    pub presence: Presence,
}

/// What a successful answer holds, so `response` knows how to read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// `RequestId`, `Success` and optional codes.
    Rerun,
    /// A page of execution records.
    List,
}

/// One API operation.
#[derive(Debug)]
pub struct Operation {
    /// The `Action` parameter.
    pub action: &'static str,
    /// Its own parameters (the common ones are added by `request`).
    pub params: &'static [Param],
    /// Read-only operations may also retry network failures: sending one
    /// twice changes nothing. A rerun is not read-only.
    pub read_only: bool,
    /// How to read its answer.
    pub answer: Answer,
}

/// The `Config` fields every operation takes (`signal` and `fetch`, JS
/// objects, follow them and are read by the bindings). Their "wire" name is
/// the field itself: none is a query parameter as such.
pub const CONFIG: &[Param] = &[
    text_param("accessKeyId", Presence::Required),
    text_param("accessKeySecret", Presence::Required),
    text_param("securityToken", Presence::Optional),
    text_param("endpoint", Presence::Optional),
    text_param("regionId", Presence::Optional),
    Param {
        field: "method",
        wire: "method",
        ty: Type::Word(&["POST", "GET"]),
        presence: Presence::Default("POST"),
    },
    Param {
        field: "timeoutMs",
        wire: "timeoutMs",
        ty: Type::Integer {
            min: 0,
            max: i32::MAX as u32,
        },
        presence: Presence::Default("10000"),
    },
    Param {
        field: "maxRetries",
        wire: "maxRetries",
        ty: Type::Integer { min: 0, max: 10 },
        presence: Presence::Default("2"),
    },
];

/// The `overrides` of a preview.
pub const OVERRIDES: &[Param] = &[
    text_param("timestamp", Presence::Optional),
    text_param("nonce", Presence::Optional),
];

const fn text_param(field: &'static str, presence: Presence) -> Param {
    Param {
        field,
        wire: field,
        ty: Type::Text,
        presence,
    }
}

/// Status names of an execution record, indexed by the API's number.
pub const STATUS_NAMES: &[&str] = &[
    "waiting",
    "running",
    "suspended",
    "failed",
    "succeeded",
    "completed",
];

/// Trigger type names, indexed by the API's number.
pub const TRIGGER_NAMES: &[&str] = &["scheduled", "manual"];

/// `DagId`: the task flow, in every operation.
const DAG_ID: Param = Param {
    field: "dagId",
    wire: "DagId",
    ty: Type::Id,
    presence: Presence::Required,
};

/// `Tid`: the tenant, sent only when given, in every operation.
const TID: Param = Param {
    field: "tid",
    wire: "Tid",
    ty: Type::Id,
    presence: Presence::Optional,
};

/// `ReRunTaskFlowInstance`: reruns one execution record.
pub const RERUN: Operation = Operation {
    action: "ReRunTaskFlowInstance",
    params: &[
        TID,
        DAG_ID,
        Param {
            field: "dagInstanceId",
            wire: "DagInstanceId",
            ty: Type::Id,
            presence: Presence::Required,
        },
        Param {
            field: "dagVersion",
            wire: "DagVersion",
            ty: Type::Text,
            presence: Presence::Required,
        },
    ],
    read_only: false,
    answer: Answer::Rerun,
};

/// `ListTaskFlowInstance`: one page of a task flow's execution records.
pub const LIST: Operation = Operation {
    action: "ListTaskFlowInstance",
    params: &[
        DAG_ID,
        TID,
        Param {
            field: "pageIndex",
            wire: "PageIndex",
            ty: Type::Integer {
                min: 1,
                max: i32::MAX as u32,
            },
            presence: Presence::Default("1"),
        },
        Param {
            field: "pageSize",
            wire: "PageSize",
            ty: Type::Integer { min: 1, max: 100 },
            presence: Presence::Default("20"),
        },
        Param {
            field: "startTimeBegin",
            wire: "StartTimeBegin",
            ty: Type::Date,
            presence: Presence::Optional,
        },
        Param {
            field: "startTimeEnd",
            wire: "StartTimeEnd",
            ty: Type::Date,
            presence: Presence::Optional,
        },
        Param {
            field: "useBizDate",
            wire: "UseBizDate",
            ty: Type::Flag,
            presence: Presence::Optional,
        },
        Param {
            field: "status",
            wire: "Status",
            ty: Type::Choice(STATUS_NAMES),
            presence: Presence::Optional,
        },
        Param {
            field: "triggerType",
            wire: "TriggerType",
            ty: Type::Choice(TRIGGER_NAMES),
            presence: Presence::Optional,
        },
    ],
    read_only: true,
    answer: Answer::List,
};

/// Every operation, looked up by its `Action`.
pub const OPERATIONS: &[&Operation] = &[&RERUN, &LIST];

/// The operation whose `Action` is `action`.
pub fn by_action(action: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().copied().find(|op| op.action == action)
}

/// One validated parameter: wire name and the exact text that is signed.
pub type WireParam = (&'static str, String);

/// Validates `values` (one per param, in table order) into wire pairs.
pub fn validate(params: &[Param], values: &[Value]) -> Result<Vec<WireParam>, DmsError> {
    let mut out = Vec::with_capacity(params.len());
    for (i, param) in params.iter().enumerate() {
        let value = values.get(i).unwrap_or(&Value::Missing);
        match (value, param.presence) {
            (Value::Missing, Presence::Required) => {
                return Err(DmsError::invalid(param.field, "is required"))
            }
            (Value::Missing, Presence::Optional) => {}
            (Value::Missing, Presence::Default(text)) => out.push((param.wire, String::from(text))),
            (value, _) => out.push((param.wire, wire_value(param, value)?)),
        }
    }
    Ok(out)
}

/// The wire text of a given (non-missing) value.
fn wire_value(param: &Param, value: &Value) -> Result<String, DmsError> {
    let field = param.field;
    match param.ty {
        Type::Id => id(field, value).map(id_to_string),
        Type::Text => match value {
            Value::Text(text) if text.is_empty() => {
                Err(DmsError::invalid(field, "must not be empty"))
            }
            Value::Text(text) => Ok(text.clone()),
            _ => Err(DmsError::invalid(field, "must be a string")),
        },
        Type::Integer { min, max } => match value {
            Value::Number(n) if is_integer(*n) && (f64::from(min)..=f64::from(max)).contains(n) => {
                Ok(id_to_string(*n as u64))
            }
            _ => {
                let mut problem = String::from("must be an integer from ");
                problem.push_str(&id_to_string(u64::from(min)));
                problem.push_str(" to ");
                problem.push_str(&id_to_string(u64::from(max)));
                Err(DmsError::invalid(field, &problem))
            }
        },
        Type::Date => match value {
            Value::Text(text) if is_valid_date(text) => Ok(text.clone()),
            _ => Err(DmsError::invalid(
                field,
                "must be a calendar date 'YYYY-MM-DD'",
            )),
        },
        Type::Flag => match value {
            Value::Bool(true) => Ok(String::from("true")),
            Value::Bool(false) => Ok(String::from("false")),
            _ => Err(DmsError::invalid(field, "must be a boolean")),
        },
        Type::Word(names) => match value {
            Value::Text(text) if names.contains(&text.as_str()) => Ok(text.clone()),
            _ => Err(DmsError::invalid(field, &one_of(names, ""))),
        },
        Type::Choice(names) => {
            let index = match value {
                Value::Text(text) => names.iter().position(|name| name == text),
                Value::Number(n) if is_integer(*n) && *n >= 0.0 && *n < names.len() as f64 => {
                    Some(*n as usize)
                }
                _ => None,
            };
            index.map(|i| id_to_string(i as u64)).ok_or_else(|| {
                let mut last = String::from(" or its number 0..");
                last.push_str(&id_to_string(names.len().saturating_sub(1) as u64));
                DmsError::invalid(field, &one_of(names, &last))
            })
        }
    }
}

/// "must be one of 'a', 'b'" + `tail`.
fn one_of(names: &[&str], tail: &str) -> String {
    let mut problem = String::from("must be one of ");
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            problem.push_str(", ");
        }
        problem.push('\'');
        problem.push_str(name);
        problem.push('\'');
    }
    problem.push_str(tail);
    problem
}

/// A `Long` id from a number, a bigint or a canonical decimal string.
pub fn id(field: &str, value: &Value) -> Result<u64, DmsError> {
    match value {
        Value::Number(number) => match id_from_f64(*number) {
            Some(id) => Ok(id),
            None if is_integer(*number) && *number > MAX_SAFE_INTEGER => Err(DmsError::invalid(
                field,
                "is a number above 2^53-1 and has already lost precision; pass a bigint or a decimal string",
            )),
            None if *number < 0.0 => Err(DmsError::invalid(field, "must not be negative")),
            None => Err(DmsError::invalid(field, "must be a non-negative integer")),
        },
        Value::BigInt(text) => text
            .as_deref()
            .and_then(parse_id)
            .ok_or_else(|| DmsError::invalid(field, "must be a bigint in 0..2^63-1")),
        Value::Text(text) => parse_id(text).ok_or_else(|| {
            DmsError::invalid(
                field,
                "must be a decimal string of digits (no sign, spaces or leading zeros) in 0..2^63-1",
            )
        }),
        _ => Err(DmsError::invalid(
            field,
            "must be a number, a bigint or a decimal string",
        )),
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::Text(String::from(s))
    }

    #[test]
    fn rerun_table_validates_in_order_and_skips_missing_optionals() {
        let values = [Value::Missing, Value::Number(7.0), text("47"), text("2")];
        let wire = validate(RERUN.params, &values).unwrap_or_default();
        assert_eq!(
            wire,
            [
                ("DagId", String::from("7")),
                ("DagInstanceId", String::from("47")),
                ("DagVersion", String::from("2"))
            ]
        );
        let err = validate(RERUN.params, &[Value::Missing, Value::Missing]).err();
        assert_eq!(
            err.map(|e| e.code),
            Some(String::from("InvalidParameter.DagId"))
        );
    }

    #[test]
    fn list_defaults_choices_flags_and_dates() {
        let values = [
            text("9223372036854775807"),
            Value::Missing,
            Value::Missing,
            Value::Number(100.0),
            text("2024-02-29"),
            Value::Missing,
            Value::Bool(true),
            text("failed"),
            Value::Number(1.0),
        ];
        let wire = validate(LIST.params, &values).unwrap_or_default();
        let get = |k: &str| wire.iter().find(|(w, _)| *w == k).map(|(_, v)| v.as_str());
        assert_eq!(get("DagId"), Some("9223372036854775807"));
        assert_eq!(get("PageIndex"), Some("1"));
        assert_eq!(get("PageSize"), Some("100"));
        assert_eq!(get("StartTimeBegin"), Some("2024-02-29"));
        assert_eq!(get("StartTimeEnd"), None);
        assert_eq!(get("UseBizDate"), Some("true"));
        assert_eq!(get("Status"), Some("3"));
        assert_eq!(get("TriggerType"), Some("1"));
        assert_eq!(get("Tid"), None);
    }

    #[test]
    fn list_refuses_bad_values_by_field() {
        let base = || {
            let mut v = vec![Value::Missing; LIST.params.len()];
            v[0] = Value::Number(7.0);
            v
        };
        for (index, bad, code) in [
            (3, Value::Number(101.0), "InvalidParameter.PageSize"),
            (3, Value::Number(0.0), "InvalidParameter.PageSize"),
            (2, Value::Number(1.5), "InvalidParameter.PageIndex"),
            (2, text("1"), "InvalidParameter.PageIndex"),
            (4, text("2023-02-29"), "InvalidParameter.StartTimeBegin"),
            (5, text("2024-13-01"), "InvalidParameter.StartTimeEnd"),
            (5, text("2024-1-01"), "InvalidParameter.StartTimeEnd"),
            (6, text("true"), "InvalidParameter.UseBizDate"),
            (7, text("broken"), "InvalidParameter.Status"),
            (7, Value::Number(6.0), "InvalidParameter.Status"),
            (8, Value::Number(2.0), "InvalidParameter.TriggerType"),
        ] {
            let mut values = base();
            values[index] = bad;
            let err = validate(LIST.params, &values).err().map(|e| e.code);
            assert_eq!(err.as_deref(), Some(code));
        }
    }

    #[test]
    fn operations_are_found_by_action() {
        assert!(by_action("ListTaskFlowInstance").is_some_and(|op| op.read_only));
        assert!(by_action("ReRunTaskFlowInstance").is_some_and(|op| !op.read_only));
        assert!(by_action("DeleteEverything").is_none());
    }
}
