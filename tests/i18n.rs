//! Every string of the app exists in both of its languages: each key in every
//! `src/web/locales/{resident,staff}/*.yml` file (rust-i18n `_version: 2` layout) has a
//! non-empty `en` and `zh-CN` text, with the same `%{…}` placeholders, and no key is defined
//! twice. And every key the resident bundle's source names is in `resident/` (the only
//! strings that bundle carries).

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

const LOCALES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/web/locales");

/// Every key of the `.yml` files in `src/web/locales/<bundle>/`, with its file and value.
fn keys_of(bundle: &str) -> Vec<(String, String, serde_json::Value)> {
    let dir = format!("{LOCALES}/{bundle}");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("yml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let doc: BTreeMap<String, serde_json::Value> = serde_saphyr::from_str(&text).unwrap();
        let mut all = Vec::new();
        for (key, value) in &doc {
            if key != "_version" {
                leaves(key, value, &mut all);
            }
        }
        out.extend(
            all.into_iter()
                .map(|(key, value)| (key, path.display().to_string(), value)),
        );
    }
    out
}

#[test]
fn every_key_has_english_and_chinese_with_the_same_placeholders() {
    let mut seen = BTreeMap::new();
    let mut problems = Vec::new();
    let stray: Vec<_> = std::fs::read_dir(LOCALES)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "resident" && name != "staff")
        .collect();
    assert_eq!(
        stray,
        Vec::<String>::new(),
        "locale files belong in resident/ or staff/"
    );
    for (key, file, value) in keys_of("resident").into_iter().chain(keys_of("staff")) {
        if let Some(other) = seen.insert(key.clone(), file.clone()) {
            problems.push(format!("{key}: defined in {other} and {file}"));
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
    assert!(seen.len() > 50, "only {} keys found", seen.len());
    assert_eq!(problems, Vec::<String>::new());
}

/// The keys named literally in `tr!(lang, "key"…)` calls of a source file (comments
/// skipped).
fn keys_named_in(source: &str) -> BTreeSet<String> {
    let code: String = source
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    code.split("tr!(")
        .skip(1)
        .filter_map(|call| {
            let (_, rest) = call.split_once('"')?;
            let (key, _) = rest.split_once('"')?;
            (!key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._".contains(c)))
            .then(|| key.to_owned())
        })
        .collect()
}

#[test]
fn the_resident_bundle_carries_every_string_it_names() {
    // The files the resident bundle (src/bin/app.rs → web::mount_resident) is made of.
    let files = [
        "mod.rs",
        "resident.rs",
        "scanner.rs",
        "camera.rs",
        "store.rs",
        "pwa.rs",
        "i18n.rs",
        "wakelock.rs",
        "file_input.rs",
        "clock.rs",
        "worker.rs",
    ];
    let resident: BTreeSet<String> = keys_of("resident").into_iter().map(|(k, _, _)| k).collect();
    let mut named = BTreeSet::new();
    for file in files {
        let path = format!("{}/src/web/{file}", env!("CARGO_MANIFEST_DIR"));
        named.extend(keys_named_in(&std::fs::read_to_string(&path).unwrap()));
    }
    assert!(
        named.len() > 40,
        "only {} keys named: {named:?}",
        named.len()
    );
    let missing: Vec<_> = named.difference(&resident).collect();
    assert_eq!(
        missing,
        Vec::<&String>::new(),
        "named by the resident bundle but not in locales/resident/"
    );
}
