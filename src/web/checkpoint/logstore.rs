//! The registration log's storage: IndexedDB (MDN: "Using IndexedDB") through the `idb`
//! crate, with the device's own Ed25519 log key kept beside the entries. Nothing reads the
//! whole log at once: opening reads the count and the last entry, a page of the list is one
//! key range ([`crate::log_view`]), the gate's index reads today's tallies
//! ([`crate::gate_index::Tally`]), and a full read (chain check, exports) goes
//! [`CHUNK`] entries at a time.
//!
//! Database `healthcode-log`, version 2, three object stores:
//!
//! | store     | key                              | value                                          |
//! |-----------|----------------------------------|------------------------------------------------|
//! | `entries` | the entry's sequence number (a JS number; exact up to 2⁵³) | `{b, t, c, o}`: `b` the [`Entry`] as postcard bytes (`Uint8Array`), `t` its time (Unix seconds), `c` [`colour_code`], `o` [`outcome_code`] |
//! | `tallies` | the quarter hour, [`bucket_of`] (a JS number) | the bucket's [`Tally`] as postcard bytes |
//! | `meta`    | `"device-key"`, `"schema"`       | the log signing key ([`super::device_key`]: `{private, public}` with a non-extractable WebCrypto `CryptoKey`, or a 32-byte Ed25519 seed as `Uint8Array` where the browser has no WebCrypto Ed25519); `2` once the store is in the version-2 form |
//!
//! `entries` has the indexes of [`crate::log_view::INDEXES`] over `t`, `c` and `o`.
//!
//! **Version 1** stored the bare postcard bytes as the value and had no `tallies`. The upgrade
//! adds the store and the indexes; then [`LogStore::open`] rewrites every version-1 entry in
//! the new form, [`CHUNK`] a transaction, counts the tallies, and writes them with
//! `schema = 2` in one last transaction (an interrupted upgrade is done again from the start
//! at the next open: rewriting is idempotent and the tallies are replaced, not added to).
//!
//! Every write is one `readwrite` transaction opened with `durability: "strict"` (MDN:
//! `IDBDatabase.transaction()`, `IDBTransaction.durability`) and awaited until its `complete`
//! event: the browser has then flushed it to disk, so a verdict shown after [`LogStore::append`]
//! returns is registered even if the phone dies the next moment. An entry and its quarter's
//! tally are written in the same transaction. Entries are added with `add`, never `put`: a
//! second tab that appended the same sequence number makes the write fail
//! (`ConstraintError`) instead of overwriting an entry.

use super::device_key::DeviceKey;
use crate::gate_index::{bucket_of, Tally};
use crate::log::Entry;
use crate::log_view::{colour_code, newest_first_range, outcome_code, LogFilter, Query, INDEXES};
use idb::{CursorDirection, Factory, KeyPath, KeyRange, ObjectStoreParams, TransactionResult};
use std::collections::BTreeMap;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbTransaction, IdbTransactionMode};

const DB_NAME: &str = "healthcode-log";
const DB_VERSION: u32 = 2;
const ENTRIES: &str = "entries";
const TALLIES: &str = "tallies";
const META: &str = "meta";
const SCHEMA: &str = "schema";

/// Entries read or rewritten per step of a full read (chain check, exports, the upgrade):
/// small enough that decoding one chunk stays below a 50 ms long task on a loaded 2-core
/// machine (1,000 a chunk made tasks of 50–200 ms there).
pub const CHUNK: u64 = 250;

/// Why the log could not be read or written; the message names the step and the browser's
/// own error (a `DOMException` name such as `QuotaExceededError`), for staff to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    /// What was being done: `open`, `upgrade`, `read`, `write`, `key`.
    pub step: &'static str,
    /// The browser's words.
    pub detail: String,
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.step, self.detail)
    }
}

fn err(step: &'static str) -> impl Fn(idb::Error) -> StoreError {
    move |e| StoreError {
        step,
        detail: e.to_string(),
    }
}

fn js_err(step: &'static str) -> impl Fn(JsValue) -> StoreError {
    move |e| StoreError {
        step,
        detail: e
            .dyn_ref::<web_sys::DomException>()
            .map(|d| format!("{}: {}", d.name(), d.message()))
            .or_else(|| e.as_string())
            .unwrap_or_else(|| format!("{e:?}")),
    }
}

/// Where the log ends: how many entries it holds and the last one (the chain's head).
pub struct Head {
    /// Entries stored.
    pub count: u64,
    /// The entry with the highest sequence number, `None` for an empty log.
    pub last: Option<Entry>,
}

/// An open registration-log database.
pub struct LogStore {
    db: IdbDatabase,
}

impl LogStore {
    /// Opens (and on first use creates, or upgrades from version 1) the database. Errors:
    /// IndexedDB missing or refused (private browsing in some browsers, storage disabled), or
    /// the upgrade failed.
    pub async fn open() -> Result<LogStore, StoreError> {
        let factory = Factory::new().map_err(err("open"))?;
        let mut request = factory
            .open(DB_NAME, Some(DB_VERSION))
            .map_err(err("open"))?;
        request.on_upgrade_needed(upgrade);
        let db = request.await.map_err(err("open"))?;
        let store = LogStore { db: db.into() };
        store.finish_upgrade().await?;
        Ok(store)
    }

    fn transaction(
        &self,
        stores: &[&str],
        mode: IdbTransactionMode,
        step: &'static str,
    ) -> Result<idb::Transaction, StoreError> {
        let names = js_sys::Array::new();
        for s in stores {
            names.push(&JsValue::from_str(s));
        }
        let raw = if mode == IdbTransactionMode::Readwrite {
            // `db.transaction(stores, "readwrite", {durability: "strict"})`: web-sys has the
            // options only behind its unstable-API flag, so the call is made by reflection.
            strict_transaction(&self.db, &names)
        } else {
            self.db.transaction_with_str_sequence_and_mode(&names, mode)
        };
        raw.map(idb::Transaction::from).map_err(js_err(step))
    }

    /// Rewrites version-1 entries in the version-2 form and counts their tallies, unless
    /// `meta.schema` says this was done.
    async fn finish_upgrade(&self) -> Result<(), StoreError> {
        let step = "upgrade";
        {
            let tx = self.transaction(&[META], IdbTransactionMode::Readonly, step)?;
            let meta = tx.object_store(META).map_err(err(step))?;
            let schema = meta
                .get(JsValue::from_str(SCHEMA))
                .map_err(err(step))?
                .await
                .map_err(err(step))?;
            if schema.and_then(|v| v.as_f64()) == Some(f64::from(DB_VERSION)) {
                return Ok(());
            }
        }
        let mut tallies: BTreeMap<u64, Tally> = BTreeMap::new();
        let mut after = 0u64;
        loop {
            let tx = self.transaction(&[ENTRIES], IdbTransactionMode::Readwrite, step)?;
            let store = tx.object_store(ENTRIES).map_err(err(step))?;
            let range = KeyRange::lower_bound(&JsValue::from_f64(after as f64), Some(true))
                .map_err(err(step))?;
            let values = store
                .get_all(Some(range.into()), Some(CHUNK as u32))
                .map_err(err(step))?
                .await
                .map_err(err(step))?;
            if values.is_empty() {
                break;
            }
            for value in &values {
                let entry = decode(value, step)?;
                tallies
                    .entry(bucket_of(entry.time))
                    .or_default()
                    .add(&entry.scan);
                if value.is_instance_of::<js_sys::Uint8Array>() {
                    store
                        .put(&encode(&entry, step)?, Some(&seq_key(entry.seq)))
                        .map_err(err(step))?;
                }
                after = after.max(entry.seq);
            }
            finish(tx, step).await?;
        }
        let tx = self.transaction(&[TALLIES, META], IdbTransactionMode::Readwrite, step)?;
        let store = tx.object_store(TALLIES).map_err(err(step))?;
        store.clear().map_err(err(step))?;
        for (bucket, tally) in &tallies {
            store
                .put(
                    &tally_value(tally, step)?,
                    Some(&JsValue::from_f64(*bucket as f64)),
                )
                .map_err(err(step))?;
        }
        tx.object_store(META)
            .map_err(err(step))?
            .put(
                &JsValue::from_f64(f64::from(DB_VERSION)),
                Some(&JsValue::from_str(SCHEMA)),
            )
            .map_err(err(step))?;
        finish(tx, step).await
    }

    /// How many entries the log holds and its last entry. Errors: the store cannot be read,
    /// or the last entry is damaged.
    pub async fn head(&self) -> Result<Head, StoreError> {
        let tx = self.transaction(&[ENTRIES], IdbTransactionMode::Readonly, "read")?;
        let store = tx.object_store(ENTRIES).map_err(err("read"))?;
        let count = store
            .count(None)
            .map_err(err("read"))?
            .await
            .map_err(err("read"))?;
        let cursor = store
            .open_cursor(None, Some(CursorDirection::Prev))
            .map_err(err("read"))?
            .await
            .map_err(err("read"))?;
        let last = match cursor {
            Some(c) => Some(decode(&c.value().map_err(err("read"))?, "read")?),
            None => None,
        };
        Ok(Head {
            count: u64::from(count),
            last,
        })
    }

    /// Entries `first..=last` by sequence number, in order. Errors: the store cannot be read,
    /// or an entry is damaged (named by its number).
    pub async fn range(&self, first: u64, last: u64) -> Result<Vec<Entry>, StoreError> {
        let tx = self.transaction(&[ENTRIES], IdbTransactionMode::Readonly, "read")?;
        let store = tx.object_store(ENTRIES).map_err(err("read"))?;
        let range = KeyRange::bound(
            &JsValue::from_f64(first as f64),
            &JsValue::from_f64(last as f64),
            None,
            None,
        )
        .map_err(err("read"))?;
        let values = store
            .get_all(Some(range.into()), None)
            .map_err(err("read"))?
            .await
            .map_err(err("read"))?;
        values.iter().map(|v| decode(v, "read")).collect()
    }

    /// How many entries match `filter`; `all` is the number in the log (the answer without
    /// a filter). Counted by the storage engine over the filter's index range (its time
    /// grows with the entries matching, off the page's main thread). Errors: the index cannot
    /// be read.
    pub async fn count(&self, filter: &LogFilter, all: u64) -> Result<u64, StoreError> {
        let step = "read";
        let (index, range) = match filter_range(filter)? {
            Selection::All => return Ok(all),
            Selection::Nothing => return Ok(0),
            Selection::Range(index, range) => (index, range),
        };
        let tx = self.transaction(&[ENTRIES], IdbTransactionMode::Readonly, step)?;
        let store = tx.object_store(ENTRIES).map_err(err(step))?;
        let n = store
            .index(index)
            .map_err(err(step))?
            .count(Some(range.into()))
            .map_err(err(step))?
            .await
            .map_err(err(step))?;
        Ok(u64::from(n))
    }

    /// The entries matching `filter`, newest first, skipping `skip` and keeping at most
    /// `limit`; `all` is the number in the log. Without a filter, one range of sequence
    /// numbers; with one, a cursor walking the filter's index range backwards. Errors: the
    /// store or an index cannot be read, or an entry is damaged.
    pub async fn page(
        &self,
        filter: &LogFilter,
        skip: u64,
        limit: u64,
        all: u64,
    ) -> Result<Vec<Entry>, StoreError> {
        let step = "read";
        let (index, range) = match filter_range(filter)? {
            Selection::Nothing => return Ok(Vec::new()),
            Selection::All => {
                return match newest_first_range(all, skip, limit) {
                    Some((first, last)) => {
                        let mut e = self.range(first, last).await?;
                        e.reverse();
                        Ok(e)
                    }
                    None => Ok(Vec::new()),
                };
            }
            Selection::Range(index, range) => (index, range),
        };
        let tx = self.transaction(&[ENTRIES], IdbTransactionMode::Readonly, step)?;
        let store = tx.object_store(ENTRIES).map_err(err(step))?;
        let index = store.index(index).map_err(err(step))?;
        let mut entries = Vec::with_capacity(limit as usize);
        let cursor = index
            .open_cursor(Some(range.into()), Some(CursorDirection::Prev))
            .map_err(err(step))?
            .await
            .map_err(err(step))?;
        let Some(cursor) = cursor else {
            return Ok(entries);
        };
        let mut cursor = cursor.into_managed();
        if skip > 0 {
            // Past the end the cursor finishes and no value is read below.
            let skip = u32::try_from(skip).unwrap_or(u32::MAX);
            cursor.advance(skip).await.map_err(err(step))?;
        }
        while (entries.len() as u64) < limit {
            let Some(value) = cursor.value().map_err(err(step))? else {
                break;
            };
            entries.push(decode(&value, step)?);
            if (entries.len() as u64) < limit {
                match cursor.next(None).await {
                    Ok(()) => {}
                    Err(idb::Error::CursorFinished) => break,
                    Err(e) => return Err(err(step)(e)),
                }
            }
        }
        Ok(entries)
    }

    /// The tallies of the buckets `buckets` (keys from [`bucket_of`]), in bucket order.
    /// Errors: the store cannot be read, or a tally is damaged.
    pub async fn tallies(
        &self,
        buckets: std::ops::Range<u64>,
    ) -> Result<Vec<(u64, Tally)>, StoreError> {
        let step = "read";
        let tx = self.transaction(&[TALLIES], IdbTransactionMode::Readonly, step)?;
        let store = tx.object_store(TALLIES).map_err(err(step))?;
        let range = KeyRange::bound(
            &JsValue::from_f64(buckets.start as f64),
            &JsValue::from_f64(buckets.end as f64),
            Some(false),
            Some(true),
        )
        .map_err(err(step))?;
        let keys = store
            .get_all_keys(Some(range.clone().into()), None)
            .map_err(err(step))?
            .await
            .map_err(err(step))?;
        let values = store
            .get_all(Some(range.into()), None)
            .map_err(err(step))?
            .await
            .map_err(err(step))?;
        keys.iter()
            .zip(values.iter())
            .map(|(k, v)| {
                let bucket = k.as_f64().unwrap_or(0.0) as u64;
                let bytes = js_sys::Uint8Array::new(v).to_vec();
                let tally = postcard::from_bytes(&bytes).map_err(|e| StoreError {
                    step,
                    detail: format!("stored tally {bucket} is damaged: {e}"),
                })?;
                Ok((bucket, tally))
            })
            .collect()
    }

    /// Writes `entries` (new, numbered after the stored ones) and adds them to their
    /// quarters' tallies in one transaction, and waits until it is committed to disk.
    /// Errors: quota full, a sequence number already stored (another tab wrote to the log),
    /// the transaction aborted.
    pub async fn append(&self, entries: &[Entry]) -> Result<(), StoreError> {
        let step = "write";
        let tx = self.transaction(&[ENTRIES, TALLIES], IdbTransactionMode::Readwrite, step)?;
        let store = tx.object_store(ENTRIES).map_err(err(step))?;
        let mut added: BTreeMap<u64, Tally> = BTreeMap::new();
        for entry in entries {
            // The request's own result is the transaction's: awaited below.
            store
                .add(&encode(entry, step)?, Some(&seq_key(entry.seq)))
                .map_err(err(step))?;
            added
                .entry(bucket_of(entry.time))
                .or_default()
                .add(&entry.scan);
        }
        let tallies = tx.object_store(TALLIES).map_err(err(step))?;
        for (bucket, tally) in added {
            let key = JsValue::from_f64(bucket as f64);
            let stored = tallies
                .get(key.clone())
                .map_err(err(step))?
                .await
                .map_err(err(step))?;
            let mut sum = match stored {
                Some(v) => postcard::from_bytes::<Tally>(&js_sys::Uint8Array::new(&v).to_vec())
                    .map_err(|e| StoreError {
                        step,
                        detail: format!("stored tally {bucket} is damaged: {e}"),
                    })?,
                None => Tally::default(),
            };
            sum.merge(&tally);
            tallies
                .put(&tally_value(&sum, step)?, Some(&key))
                .map_err(err(step))?;
        }
        finish(tx, step).await
    }

    /// The device's log signing key, read or made on first use (see
    /// [`super::device_key::DeviceKey::load_or_create`]). Errors: no key could be made or
    /// stored.
    pub async fn device_key(&self) -> Result<DeviceKey, StoreError> {
        DeviceKey::load_or_create(self).await
    }

    /// The value stored under `name` in `meta`, if any.
    pub(super) async fn meta_get(&self, name: &str) -> Result<Option<JsValue>, StoreError> {
        let tx = self.transaction(&[META], IdbTransactionMode::Readonly, "key")?;
        let store = tx.object_store(META).map_err(err("key"))?;
        store
            .get(JsValue::from_str(name))
            .map_err(err("key"))?
            .await
            .map_err(err("key"))
    }

    /// Stores `value` under `name` in `meta`: with `add` (`replace` false), which fails when
    /// a value is there already (another tab was first), or with `put`. `Ok(false)` when the
    /// transaction did not commit.
    pub(super) async fn meta_set(
        &self,
        name: &str,
        value: &JsValue,
        replace: bool,
    ) -> Result<bool, StoreError> {
        let tx = self.transaction(&[META], IdbTransactionMode::Readwrite, "key")?;
        let store = tx.object_store(META).map_err(err("key"))?;
        let key = JsValue::from_str(name);
        if replace {
            store.put(value, Some(&key)).map_err(err("key"))?;
        } else {
            store.add(value, Some(&key)).map_err(err("key"))?;
        }
        Ok(finish(tx, "key").await.is_ok())
    }
}

/// The schema change (`upgradeneeded`): creates the missing stores and indexes. The
/// `entries` store of a version-1 database is reached through the version-change
/// transaction (`IDBOpenDBRequest.transaction`, MDN). Any failure aborts that transaction:
/// the open then fails with `AbortError`, which [`LogStore::open`] reports.
fn upgrade(event: idb::event::VersionChangeEvent) {
    let raw: web_sys::IdbVersionChangeEvent = event.into();
    // An `upgradeneeded` event always targets its open request, which holds the transaction.
    let Some(request) = raw
        .target()
        .and_then(|t| t.dyn_into::<web_sys::IdbOpenDbRequest>().ok())
    else {
        return;
    };
    let Some(tx) = request.transaction() else {
        return;
    };
    let made = (|| -> Result<(), String> {
        let db: IdbDatabase = request
            .result()
            .map_err(|e| format!("{e:?}"))?
            .dyn_into()
            .map_err(|e| format!("{e:?}"))?;
        let db = idb::Database::from(db);
        let names = db.store_names();
        for name in [ENTRIES, TALLIES, META] {
            if !names.iter().any(|n| n == name) {
                db.create_object_store(name, ObjectStoreParams::new())
                    .map_err(|e| e.to_string())?;
            }
        }
        let entries = idb::Transaction::from(tx.clone())
            .object_store(ENTRIES)
            .map_err(|e| e.to_string())?;
        let existing = entries.index_names();
        for (name, path) in INDEXES {
            if !existing.iter().any(|n| n == name) {
                let key_path = if path.len() == 1 {
                    KeyPath::new_single(path[0])
                } else {
                    KeyPath::new_array(path.iter().copied())
                };
                entries
                    .create_index(name, key_path, None)
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    })();
    if made.is_err() {
        let _ = tx.abort();
    }
}

/// What a filter selects in the store.
enum Selection {
    All,
    Nothing,
    Range(&'static str, KeyRange),
}

/// The index and key range of `filter` ([`LogFilter::query`]) as IndexedDB objects.
fn filter_range(filter: &LogFilter) -> Result<Selection, StoreError> {
    let (index, lower, upper) = match filter.query() {
        Query::All => return Ok(Selection::All),
        Query::Nothing => return Ok(Selection::Nothing),
        Query::Range {
            index,
            lower,
            upper,
        } => (index, lower, upper),
    };
    let key = |k: &[f64]| -> JsValue {
        match k {
            [one] => JsValue::from_f64(*one),
            _ => k
                .iter()
                .map(|n| JsValue::from_f64(*n))
                .collect::<js_sys::Array>()
                .into(),
        }
    };
    let range = KeyRange::bound(&key(&lower), &key(&upper), Some(false), Some(true))
        .map_err(err("read"))?;
    Ok(Selection::Range(index, range))
}

fn seq_key(seq: u64) -> JsValue {
    JsValue::from_f64(seq as f64)
}

/// The stored form of `entry`: `{b, t, c, o}` (see the module docs).
fn encode(entry: &Entry, step: &'static str) -> Result<JsValue, StoreError> {
    let bytes = postcard::to_allocvec(entry).map_err(|e| StoreError {
        step,
        detail: e.to_string(),
    })?;
    let value = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| {
        js_sys::Reflect::set(&value, &JsValue::from_str(k), v).map_err(js_err(step))
    };
    set("b", &js_sys::Uint8Array::from(bytes.as_slice()).into())?;
    set("t", &JsValue::from_f64(entry.time as f64))?;
    set(
        "c",
        &JsValue::from_f64(f64::from(colour_code(entry.scan.colour))),
    )?;
    set(
        "o",
        &JsValue::from_f64(f64::from(outcome_code(entry.scan.outcome))),
    )?;
    Ok(value.into())
}

/// An entry from its stored form: `{b, …}`, or a version-1 value (the bytes alone).
fn decode(value: &JsValue, step: &'static str) -> Result<Entry, StoreError> {
    let bytes = if value.is_instance_of::<js_sys::Uint8Array>() {
        value.clone()
    } else {
        js_sys::Reflect::get(value, &JsValue::from_str("b")).map_err(js_err(step))?
    };
    if !bytes.is_instance_of::<js_sys::Uint8Array>() {
        return Err(StoreError {
            step,
            detail: "a stored entry is damaged: no bytes".into(),
        });
    }
    let bytes = js_sys::Uint8Array::new(&bytes).to_vec();
    postcard::from_bytes(&bytes).map_err(|e| StoreError {
        step,
        detail: format!("a stored entry is damaged: {e}"),
    })
}

fn tally_value(tally: &Tally, step: &'static str) -> Result<JsValue, StoreError> {
    let bytes = postcard::to_allocvec(tally).map_err(|e| StoreError {
        step,
        detail: e.to_string(),
    })?;
    Ok(js_sys::Uint8Array::from(bytes.as_slice()).into())
}

fn strict_transaction(db: &IdbDatabase, stores: &js_sys::Array) -> Result<IdbTransaction, JsValue> {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"durability".into(), &"strict".into())?;
    let function: js_sys::Function = js_sys::Reflect::get(db, &"transaction".into())?.dyn_into()?;
    function
        .call3(db, stores, &"readwrite".into(), &options)?
        .dyn_into::<IdbTransaction>()
}

/// Waits for the transaction's `complete` (committed) or `abort`/`error` event.
async fn finish(tx: idb::Transaction, step: &'static str) -> Result<(), StoreError> {
    match tx.await.map_err(err(step))? {
        TransactionResult::Committed => Ok(()),
        TransactionResult::Aborted => Err(StoreError {
            step,
            detail: "the browser aborted the transaction".into(),
        }),
    }
}
