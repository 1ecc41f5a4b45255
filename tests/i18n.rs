//! Every string of the app exists in both of its languages: each key in every
//! `src/web/locales/*.yml` file (rust-i18n `_version: 2` layout) has a non-empty `en` and
//! `zh-CN` text, with the same `%{…}` placeholders, and no key is defined twice.

use std::collections::{BTreeMap, BTreeSet};

fn placeholders(text: &str) -> BTreeSet<String> {
    text.split("%{")
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
        .collect()
}

/// Flattens nested maps into dotted keys down to the `{en, zh-CN}` leaves.
fn leaves(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, serde_json::Value)>) {
    match value.as_object() {
        Some(map) if !map.contains_key("en") && !map.contains_key("zh-CN") => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(&key, v, out);
            }
        }
        _ => out.push((prefix.to_owned(), value.clone())),
    }
}

#[test]
fn every_key_has_english_and_chinese_with_the_same_placeholders() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/web/locales");
    let mut seen = BTreeMap::new();
    let mut problems = Vec::new();
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("yml") {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        let doc: BTreeMap<String, serde_json::Value> = serde_saphyr::from_str(&text).unwrap();
        let mut all = Vec::new();
        for (key, value) in &doc {
            if key != "_version" {
                leaves(key, value, &mut all);
            }
        }
        for (key, value) in all {
            if let Some(other) = seen.insert(key.clone(), path.display().to_string()) {
                problems.push(format!("{key}: defined in {other} and {}", path.display()));
            }
            let text = |lang: &str| {
                value
                    .get(lang)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_owned()
            };
            let (en, zh) = (text("en"), text("zh-CN"));
            if en.trim().is_empty() || zh.trim().is_empty() {
                problems.push(format!("{key}: missing en or zh-CN"));
            } else if placeholders(&en) != placeholders(&zh) {
                problems.push(format!("{key}: placeholders differ: {en:?} / {zh:?}"));
            }
        }
    }
    assert!(files >= 1, "no locale files in {dir}");
    assert!(seen.len() > 50, "only {} keys found", seen.len());
    assert_eq!(problems, Vec::<String>::new());
}
