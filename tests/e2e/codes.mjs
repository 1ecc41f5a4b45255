// Just enough of the healthcode QR text format to tamper with a presentation the way a forger
// would: base45 (RFC 9285) and the version-1 presentation byte layout (see
// src/presentation.rs and src/credential.rs).

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

/** Base45 (RFC 9285 §4) of `bytes`. */
export function base45Encode(bytes) {
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    let n = bytes[i] * 256 + bytes[i + 1];
    const c = n % 45;
    n = (n - c) / 45;
    const d = n % 45;
    const e = (n - d) / 45;
    out += ALPHABET[c] + ALPHABET[d] + ALPHABET[e];
  }
  if (bytes.length % 2) {
    const n = bytes[bytes.length - 1];
    out += ALPHABET[n % 45] + ALPHABET[Math.floor(n / 45)];
  }
  return out;
}

/** Bytes of base45 `text` (RFC 9285 §4.2); throws on anything invalid. */
export function base45Decode(text) {
  const values = [...text].map((ch) => {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new Error(`not a base45 character: ${JSON.stringify(ch)}`);
    return v;
  });
  if (values.length % 3 === 1) throw new Error('base45 text has a dangling character');
  const bytes = [];
  for (let i = 0; i < values.length; i += 3) {
    if (i + 2 < values.length) {
      const n = values[i] + values[i + 1] * 45 + values[i + 2] * 45 * 45;
      if (n > 0xffff) throw new Error(`base45 triple out of range at ${i}`);
      bytes.push(n >> 8, n & 0xff);
    } else {
      const n = values[i] + values[i + 1] * 45;
      if (n > 0xff) throw new Error(`base45 pair out of range at ${i}`);
      bytes.push(n);
    }
  }
  return Uint8Array.from(bytes);
}

/** Reads a postcard (LEB128) varint at `offset`: `[value, nextOffset]`. */
function readVarint(bytes, offset) {
  let value = 0n;
  let shift = 0n;
  for (let i = offset; i < bytes.length; i++) {
    value |= BigInt(bytes[i] & 0x7f) << shift;
    if (!(bytes[i] & 0x80)) return [value, i + 1];
    shift += 7n;
  }
  throw new Error('varint runs past the end');
}

/**
 * Where the fields of a presentation's bytes lie. Layout (postcard): claims = issuer key id
 * (8 bytes), credential id (16), colour (varint), masked name (varint length + UTF-8), ID last
 * 4 (varint length + UTF-8), not-before (varint), expires (varint), holder key (32); then the
 * issuer signature (64), the presentation timestamp (varint) and the holder signature (64).
 */
export function presentationLayout(bytes) {
  let o = 8 + 16;
  let n;
  [, o] = readVarint(bytes, o); // colour
  [n, o] = readVarint(bytes, o); // masked name
  const maskedName = new TextDecoder().decode(bytes.subarray(o, o + Number(n)));
  o += Number(n);
  [n, o] = readVarint(bytes, o); // id last 4
  const idLast4 = new TextDecoder().decode(bytes.subarray(o, o + Number(n)));
  o += Number(n);
  [, o] = readVarint(bytes, o); // not before
  [, o] = readVarint(bytes, o); // expires
  o += 32; // holder key
  const issuerSignature = o;
  o += 64;
  let timestamp;
  [timestamp, o] = readVarint(bytes, o);
  const holderSignature = o;
  o += 64;
  if (o !== bytes.length) {
    throw new Error(`presentation layout does not add up: ${o} of ${bytes.length} bytes`);
  }
  return { maskedName, idLast4, issuerSignature, timestamp, holderSignature };
}

/**
 * Tampers with presentation QR text (`HCP1:…`): flips one bit inside the issuer's signature
 * over the credential, leaving everything else (including the holder's signature) alone. The
 * result is still well-formed, canonical base45 of a well-formed presentation, so a checkpoint
 * reads it and must reject it at the issuer-signature stage (`S|SIG`).
 */
export function tamperIssuerSignature(qrText) {
  const prefix = 'HCP1:';
  if (!qrText.startsWith(prefix)) throw new Error(`not presentation text: ${qrText.slice(0, 10)}…`);
  const bytes = base45Decode(qrText.slice(prefix.length));
  const { issuerSignature } = presentationLayout(bytes);
  const tampered = Uint8Array.from(bytes);
  tampered[issuerSignature + 10] ^= 0x01; // inside R, the signature's first half
  const text = prefix + base45Encode(tampered);
  if (text.length !== qrText.length || text === qrText) throw new Error('tampering went wrong');
  return text;
}
