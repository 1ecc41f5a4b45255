//! The registration log's storage: IndexedDB (MDN: "Using IndexedDB") through the `idb`
//! crate, with the device's own Ed25519 log key kept beside the entries.
//!
//! Database `healthcode-log`, version 1, two object stores:
//!
//! | store     | key                              | value                                          |
//! |-----------|----------------------------------|------------------------------------------------|
//! | `entries` | the entry's sequence number (a JS number; exact up to 2⁵³) | the [`Entry`] as postcard bytes (`Uint8Array`) |
//! | `meta`    | `"device-key"`                   | the 32-byte Ed25519 seed (`Uint8Array`)        |
//!
//! Every write is one `readwrite` transaction opened with `durability: "strict"` (MDN:
//! `IDBDatabase.transaction()`, `IDBTransaction.durability`) and awaited until its `complete`
//! event: the browser has then flushed it to disk, so a verdict shown after [`LogStore::append`]
//! returns is registered even if the phone dies the next moment. Entries are added with
//! `add`, never `put`: a second tab that appended the same sequence number makes the write
//! fail (`ConstraintError`) instead of overwriting an entry.

use crate::log::Entry;
use ed25519_dalek::SigningKey;
use idb::{Factory, ObjectStoreParams, TransactionResult};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbTransaction, IdbTransactionMode};

const DB_NAME: &str = "healthcode-log";
const DB_VERSION: u32 = 1;
const ENTRIES: &str = "entries";
const META: &str = "meta";
const DEVICE_KEY: &str = "device-key";

/// Why the log could not be read or written; the message names the step and the browser's
/// own error (a `DOMException` name such as `QuotaExceededError`), for staff to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    /// What was being done: `open`, `read`, `write`, `key`.
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

/// An open registration-log database.
pub struct LogStore {
    db: IdbDatabase,
}

impl LogStore {
    /// Opens (and on first use creates) the database. Errors: IndexedDB missing or refused
    /// (private browsing in some browsers, storage disabled), or the upgrade failed.
    pub async fn open() -> Result<LogStore, StoreError> {
        let factory = Factory::new().map_err(err("open"))?;
        let mut request = factory
            .open(DB_NAME, Some(DB_VERSION))
            .map_err(err("open"))?;
        request.on_upgrade_needed(|event| {
            use idb::DatabaseEvent;
            // Errors here abort the upgrade; the open request then fails and is reported.
            if let Ok(db) = event.database() {
                let names = db.store_names();
                if !names.iter().any(|n| n == ENTRIES) {
                    let _ = db.create_object_store(ENTRIES, ObjectStoreParams::new());
                }
                if !names.iter().any(|n| n == META) {
                    let _ = db.create_object_store(META, ObjectStoreParams::new());
                }
            }
        });
        let db = request.await.map_err(err("open"))?;
        Ok(LogStore { db: db.into() })
    }

    fn transaction(
        &self,
        store: &str,
        mode: IdbTransactionMode,
        step: &'static str,
    ) -> Result<idb::Transaction, StoreError> {
        let raw = if mode == IdbTransactionMode::Readwrite {
            // `db.transaction(store, "readwrite", {durability: "strict"})`: web-sys has the
            // options only behind its unstable-API flag, so the call is made by reflection.
            strict_transaction(&self.db, store)
        } else {
            self.db.transaction_with_str_and_mode(store, mode)
        };
        raw.map(idb::Transaction::from).map_err(js_err(step))
    }

    /// Every entry, in sequence order. Errors: the store cannot be read, or an entry's bytes
    /// do not decode (named by its key).
    pub async fn load_entries(&self) -> Result<Vec<Entry>, StoreError> {
        let tx = self.transaction(ENTRIES, IdbTransactionMode::Readonly, "read")?;
        let store = tx.object_store(ENTRIES).map_err(err("read"))?;
        let values = store
            .get_all(None, None)
            .map_err(err("read"))?
            .await
            .map_err(err("read"))?;
        let mut entries = Vec::with_capacity(values.len());
        for (i, value) in values.into_iter().enumerate() {
            let bytes = js_sys::Uint8Array::new(&value).to_vec();
            let entry: Entry = postcard::from_bytes(&bytes).map_err(|e| StoreError {
                step: "read",
                detail: format!("stored entry {} is damaged: {e}", i + 1),
            })?;
            entries.push(entry);
        }
        Ok(entries)
    }

    /// Writes `entries` (new, numbered after the stored ones) in one transaction and waits
    /// until it is committed to disk. Errors: quota full, a sequence number already stored
    /// (another tab wrote to the log), the transaction aborted.
    pub async fn append(&self, entries: &[Entry]) -> Result<(), StoreError> {
        let tx = self.transaction(ENTRIES, IdbTransactionMode::Readwrite, "write")?;
        let store = tx.object_store(ENTRIES).map_err(err("write"))?;
        for entry in entries {
            let bytes = postcard::to_allocvec(entry).map_err(|e| StoreError {
                step: "write",
                detail: e.to_string(),
            })?;
            let value = js_sys::Uint8Array::from(bytes.as_slice());
            // The request's own result is the transaction's: awaited below.
            store
                .add(&value, Some(&JsValue::from_f64(entry.seq as f64)))
                .map_err(err("write"))?;
        }
        finish(tx, "write").await
    }

    /// The device's log signing key, made with `crypto.getRandomValues` (through `getrandom`)
    /// and stored on first use. Errors: no secure randomness, or the key cannot be stored.
    pub async fn device_key(&self) -> Result<SigningKey, StoreError> {
        if let Some(key) = self.read_device_key().await? {
            return Ok(key);
        }
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| StoreError {
            step: "key",
            detail: e.to_string(),
        })?;
        let tx = self.transaction(META, IdbTransactionMode::Readwrite, "key")?;
        let store = tx.object_store(META).map_err(err("key"))?;
        store
            .add(
                &js_sys::Uint8Array::from(seed.as_slice()),
                Some(&JsValue::from_str(DEVICE_KEY)),
            )
            .map_err(err("key"))?;
        // Another tab may have made one first: `add` then fails and that key is read.
        if finish(tx, "key").await.is_ok() {
            return Ok(SigningKey::from_bytes(&seed));
        }
        self.read_device_key().await?.ok_or(StoreError {
            step: "key",
            detail: "the key could not be stored".into(),
        })
    }

    async fn read_device_key(&self) -> Result<Option<SigningKey>, StoreError> {
        let tx = self.transaction(META, IdbTransactionMode::Readonly, "key")?;
        let store = tx.object_store(META).map_err(err("key"))?;
        let value = store
            .get(JsValue::from_str(DEVICE_KEY))
            .map_err(err("key"))?
            .await
            .map_err(err("key"))?;
        let Some(value) = value else {
            return Ok(None);
        };
        let bytes = js_sys::Uint8Array::new(&value).to_vec();
        let seed: [u8; 32] = bytes.try_into().map_err(|_| StoreError {
            step: "key",
            detail: "the stored device key is damaged".into(),
        })?;
        Ok(Some(SigningKey::from_bytes(&seed)))
    }
}

fn strict_transaction(db: &IdbDatabase, store: &str) -> Result<IdbTransaction, JsValue> {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"durability".into(), &"strict".into())?;
    let function: js_sys::Function = js_sys::Reflect::get(db, &"transaction".into())?.dyn_into()?;
    function
        .call3(db, &store.into(), &"readwrite".into(), &options)?
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
