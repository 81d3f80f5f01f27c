//! Published and officially generated signature vectors, one JSON file each
//! under `tests/vectors/`. Adding a case is adding a file.

use std::collections::BTreeMap;

use dms_rerun::sign::{sign, Method};
use serde::Deserialize;

#[derive(Deserialize)]
struct Vector {
    source: String,
    method: String,
    secret: String,
    params: BTreeMap<String, String>,
    #[serde(default)]
    string_to_sign: Option<String>,
    signature: String,
}

#[test]
fn every_vector_signs_exactly() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).expect("vectors dir") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read vector");
        let cases: Vec<Vector> = if text.trim_start().starts_with('[') {
            serde_json::from_str(&text).expect("parse vector list")
        } else {
            vec![serde_json::from_str(&text).expect("parse vector")]
        };
        for case in cases {
            let method = if case.method == "GET" {
                Method::Get
            } else {
                Method::Post
            };
            let mut params: Vec<(&str, &str)> = case
                .params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let signed = sign(method, &mut params, &case.secret);
            if let Some(expected) = &case.string_to_sign {
                assert_eq!(
                    &signed.string_to_sign,
                    expected,
                    "{} ({})",
                    path.display(),
                    case.source
                );
            }
            assert_eq!(
                signed.signature,
                case.signature,
                "{} ({})",
                path.display(),
                case.source
            );
            checked += 1;
        }
    }
    assert!(checked >= 1, "no vectors found");
    println!("{checked} vectors checked");
}
