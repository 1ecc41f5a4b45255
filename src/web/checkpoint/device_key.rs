//! The checkpoint's log signing key (issue #12): the Ed25519 key that signs the head of every
//! verifiable export ([`crate::log::ExportWriter::finish_signed`]).
//!
//! Where the browser has WebCrypto Ed25519 (W3C "Secure Curves in the Web Cryptography
//! API"; Chromium, Firefox and WebKit do, in a secure context), the key is made by
//! `crypto.subtle.generateKey({name: "Ed25519"}, false, ["sign", "verify"])`: its private
//! half is a `CryptoKey` with `extractable: false`, which the page can use to sign but never
//! read, so it cannot be copied out of the browser (to sign a rewritten log elsewhere), nor
//! read out of the IndexedDB files (they hold the browser's own wrapping). It is kept in the
//! `meta` store of the log's database as `{private: CryptoKey, public: Uint8Array(32)}`
//! (IndexedDB stores a `CryptoKey` by structured clone, MDN "CryptoKey"). Signatures are
//! plain RFC 8032 Ed25519, so `healthcode log verify` checks them as before.
//!
//! Only where `generateKey` for Ed25519 is missing or throws (an old engine, or a page
//! served over plain http, where `crypto.subtle` is absent) the key is a 32-byte seed from
//! `crypto.getRandomValues`, stored as a `Uint8Array` ([`KeyKind::Seed`]); the log screen
//! says so. A seed stored by an earlier version is moved into a non-extractable WebCrypto
//! key at the next open where the engine can (`importKey("pkcs8", …, false, ["sign"])`, RFC
//! 8410's private-key form): same key, same key id, and the seed is overwritten.
//!
//! What a non-extractable key does not stop: the page itself (or anyone with the unlocked
//! device and the browser's developer tools) can still ask it to sign anything, including
//! the head of a rewritten log. That is what the head an inspector notes is for
//! ([`crate::log::head`]).

use super::logstore::{LogStore, StoreError};
use crate::keys::KeyId;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The `meta` key the device key is stored under.
const DEVICE_KEY: &str = "device-key";
/// What a new key signs once, checked with `ed25519-dalek` before it is stored.
const SELF_CHECK: &[u8] = b"healthcode/log-key-check/v1\0";
/// RFC 8410 PKCS #8 `PrivateKeyInfo` for Ed25519, before the 32-byte seed.
const PKCS8_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// How the private key is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A non-extractable WebCrypto `CryptoKey`: usable, never readable.
    WebCrypto,
    /// A 32-byte seed stored as plain bytes (no WebCrypto Ed25519 here).
    Seed,
}

impl KeyKind {
    /// `webcrypto` or `seed` (the log screen's `data-key-kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::WebCrypto => "webcrypto",
            KeyKind::Seed => "seed",
        }
    }
}

#[derive(Clone)]
enum Private {
    /// The `CryptoKey` (private, non-extractable).
    WebCrypto(JsValue),
    Seed(Box<SigningKey>),
}

/// The device's log signing key: its public half, and a private half that signs.
#[derive(Clone)]
pub struct DeviceKey {
    public: VerifyingKey,
    private: Private,
}

impl DeviceKey {
    /// The public key (RFC 8032 encoding, 32 bytes), for `log verify --key`.
    pub fn public_key(&self) -> VerifyingKey {
        self.public
    }

    /// The public key's id ([`KeyId::of`]), shown in the head.
    pub fn key_id(&self) -> KeyId {
        KeyId::of(&self.public)
    }

    /// How the private key is held.
    pub fn kind(&self) -> KeyKind {
        match self.private {
            Private::WebCrypto(_) => KeyKind::WebCrypto,
            Private::Seed(_) => KeyKind::Seed,
        }
    }

    /// An RFC 8032 Ed25519 signature of `message` (64 bytes). Errors: WebCrypto refused
    /// (the browser's words).
    pub async fn sign(&self, message: &[u8]) -> Result<[u8; 64], String> {
        match &self.private {
            Private::Seed(key) => Ok(key.sign(message).to_bytes()),
            Private::WebCrypto(key) => {
                let subtle = subtle().ok_or("no crypto.subtle")?;
                let out = call(
                    &subtle,
                    "sign",
                    &Array::of3(&ed25519_algorithm(), key, &Uint8Array::from(message).into()),
                )
                .await
                .map_err(words)?;
                Uint8Array::new(&out)
                    .to_vec()
                    .try_into()
                    .map_err(|_| "WebCrypto gave a signature of another length".to_owned())
            }
        }
    }

    /// The stored key, moved from a seed into WebCrypto where it can be; or a new one made
    /// and stored (WebCrypto where the engine has Ed25519, else a seed). Another tab that
    /// stores a key first wins, and its key is read. Errors: the key cannot be read, made or
    /// stored.
    pub async fn load_or_create(store: &LogStore) -> Result<DeviceKey, StoreError> {
        if let Some(value) = store.meta_get(DEVICE_KEY).await? {
            return from_stored(store, &value).await;
        }
        let (key, value) = match generate().await {
            Some(made) => made,
            None => {
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed).map_err(|e| key_error(e.to_string()))?;
                let key = SigningKey::from_bytes(&seed);
                (
                    DeviceKey {
                        public: key.verifying_key(),
                        private: Private::Seed(Box::new(key)),
                    },
                    Uint8Array::from(seed.as_slice()).into(),
                )
            }
        };
        if store.meta_set(DEVICE_KEY, &value, false).await? {
            return Ok(key);
        }
        match store.meta_get(DEVICE_KEY).await? {
            Some(value) => from_stored(store, &value).await,
            None => Err(key_error("the key could not be stored".into())),
        }
    }
}

fn key_error(detail: String) -> StoreError {
    StoreError {
        step: "key",
        detail,
    }
}

/// A key from its stored form: `{private, public}`, or a seed (moved into WebCrypto when
/// the engine can).
async fn from_stored(store: &LogStore, value: &JsValue) -> Result<DeviceKey, StoreError> {
    if value.is_instance_of::<Uint8Array>() {
        let seed: [u8; 32] = Uint8Array::new(value)
            .to_vec()
            .try_into()
            .map_err(|_| key_error("the stored device key is damaged".into()))?;
        let key = SigningKey::from_bytes(&seed);
        if let Some((moved, stored)) = import_seed(&seed, key.verifying_key()).await {
            // Kept as a seed if the move cannot be stored; tried again at the next open.
            if store.meta_set(DEVICE_KEY, &stored, true).await? {
                return Ok(moved);
            }
        }
        return Ok(DeviceKey {
            public: key.verifying_key(),
            private: Private::Seed(Box::new(key)),
        });
    }
    let private = Reflect::get(value, &"private".into()).unwrap_or(JsValue::UNDEFINED);
    let public = Reflect::get(value, &"public".into()).unwrap_or(JsValue::UNDEFINED);
    let public: Option<[u8; 32]> = public
        .dyn_ref::<Uint8Array>()
        .and_then(|p| p.to_vec().try_into().ok());
    match public.and_then(|p| VerifyingKey::from_bytes(&p).ok()) {
        Some(public) if private.is_object() => Ok(DeviceKey {
            public,
            private: Private::WebCrypto(private),
        }),
        _ => Err(key_error("the stored device key is damaged".into())),
    }
}

/// `crypto.subtle`, where the page has it (a secure context).
fn subtle() -> Option<JsValue> {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).ok()?;
    let subtle = Reflect::get(&crypto, &"subtle".into()).ok()?;
    subtle.is_object().then_some(subtle)
}

fn ed25519_algorithm() -> JsValue {
    let algorithm = Object::new();
    let _ = Reflect::set(&algorithm, &"name".into(), &"Ed25519".into());
    algorithm.into()
}

/// `subtle[method](...args)`, awaited. A synchronous throw is an error like a rejection.
async fn call(subtle: &JsValue, method: &str, args: &Array) -> Result<JsValue, JsValue> {
    let function: js_sys::Function = Reflect::get(subtle, &method.into())?.dyn_into()?;
    let promise: Promise = function.apply(subtle, args)?.dyn_into()?;
    JsFuture::from(promise).await
}

fn words(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

/// The stored form `{private, public}`.
fn stored_form(private: &JsValue, public: &VerifyingKey) -> JsValue {
    let value = Object::new();
    let _ = Reflect::set(&value, &"private".into(), private);
    let _ = Reflect::set(
        &value,
        &"public".into(),
        &Uint8Array::from(public.as_bytes().as_slice()).into(),
    );
    value.into()
}

/// Whether `key` signs so that `ed25519-dalek` verifies it under `public` (strictly).
async fn signs_correctly(key: &DeviceKey) -> bool {
    match key.sign(SELF_CHECK).await {
        Ok(sig) => key
            .public
            .verify_strict(SELF_CHECK, &ed25519_dalek::Signature::from_bytes(&sig))
            .is_ok(),
        Err(_) => false,
    }
}

/// A new non-extractable WebCrypto Ed25519 key and its stored form; `None` where the
/// engine has no Ed25519 (`generateKey` throws or rejects) or its signatures do not verify.
async fn generate() -> Option<(DeviceKey, JsValue)> {
    let subtle = subtle()?;
    let usages = Array::of2(&"sign".into(), &"verify".into());
    let pair = call(
        &subtle,
        "generateKey",
        &Array::of3(&ed25519_algorithm(), &JsValue::FALSE, &usages),
    )
    .await
    .ok()?;
    let private = Reflect::get(&pair, &"privateKey".into()).ok()?;
    let public_key = Reflect::get(&pair, &"publicKey".into()).ok()?;
    // The public half of a pair is always extractable (WebCrypto, "generateKey").
    let raw = call(
        &subtle,
        "exportKey",
        &Array::of2(&"raw".into(), &public_key),
    )
    .await
    .ok()?;
    let public: [u8; 32] = Uint8Array::new(&raw).to_vec().try_into().ok()?;
    let public = VerifyingKey::from_bytes(&public).ok()?;
    let key = DeviceKey {
        public,
        private: Private::WebCrypto(private.clone()),
    };
    if !signs_correctly(&key).await {
        return None;
    }
    Some((key, stored_form(&private, &public)))
}

/// `seed` imported as a non-extractable WebCrypto key, and its stored form; `None` where
/// the engine cannot.
async fn import_seed(seed: &[u8; 32], public: VerifyingKey) -> Option<(DeviceKey, JsValue)> {
    let subtle = subtle()?;
    let mut der = PKCS8_ED25519_PREFIX.to_vec();
    der.extend_from_slice(seed);
    let private = call(
        &subtle,
        "importKey",
        &Array::of5(
            &"pkcs8".into(),
            &Uint8Array::from(der.as_slice()).into(),
            &ed25519_algorithm(),
            &JsValue::FALSE,
            &Array::of1(&"sign".into()),
        ),
    )
    .await
    .ok()?;
    der.fill(0);
    let key = DeviceKey {
        public,
        private: Private::WebCrypto(private.clone()),
    };
    if !signs_correctly(&key).await {
        return None;
    }
    Some((key, stored_form(&private, &public)))
}
