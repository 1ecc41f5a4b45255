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

/**
 * Flips one bit inside the issuer's signature of presentation text, at the signature's byte
 * `offset` (from `healthcode inspect`), and re-encodes it: still a readable health code, but
 * forged. The result has the same length as the input.
 */
export function tamperIssuerSignature(qrText, issuerSignature) {
  const prefix = 'HCP1:';
  if (!qrText.startsWith(prefix)) throw new Error(`not presentation text: ${qrText.slice(0, 10)}…`);
  const bytes = base45Decode(qrText.slice(prefix.length));
  const tampered = Uint8Array.from(bytes);
  tampered[issuerSignature + 10] ^= 0x01; // inside R, the signature's first half
  const text = prefix + base45Encode(tampered);
  if (text.length !== qrText.length || text === qrText) throw new Error('tampering went wrong');
  return text;
}
