#!/usr/bin/env node
// What is big in a wasm file: code bytes per crate (from the "name" section of an
// un-stripped build, e.g. target/wasm32-unknown-unknown/release/healthcode-app.wasm, before
// wasm-bindgen and wasm-opt), and the data segments' bytes.
//
//   node scripts/wasm-sizes.mjs <file.wasm> [top]
//
// Crate = first path segment of the (legacy `_ZN…` or v0 `_R…`) mangled Rust name, `<crate>`
// for a trait impl on that crate's type; other names are grouped as they are. Approximate:
// code inlined into a function counts for that function's crate, and generic code for the
// crate that defines it (`core`, `alloc`). Sizes are raw (before gzip and wasm-opt).

import { readFile } from 'node:fs/promises';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/wasm-sizes.mjs <file.wasm> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const buf = await readFile(file);
let pos = 8;
const leb = () => {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return result;
  }
};
let imported = 0;
const bodies = [];
const names = new Map();
let dataBytes = 0;
while (pos < buf.length) {
  const id = buf[pos++];
  const size = leb();
  const end = pos + size;
  if (id === 2) {
    const n = leb();
    for (let i = 0; i < n; i++) {
      pos += leb(); // module
      pos += leb(); // name
      const kind = buf[pos++];
      if (kind === 0) { leb(); imported++; }
      else if (kind === 1) { pos++; const f = buf[pos++]; leb(); if (f & 1) leb(); }
      else if (kind === 2) { const f = buf[pos++]; leb(); if (f & 1) leb(); }
      else if (kind === 3) { pos += 2; }
      else if (kind === 4) { pos++; leb(); }
    }
  } else if (id === 10) {
    const n = leb();
    for (let i = 0; i < n; i++) {
      const s = leb();
      bodies.push(s);
      pos += s;
    }
  } else if (id === 11) {
    dataBytes += size;
  } else if (id === 0) {
    const nameLen = leb();
    const name = buf.toString('utf8', pos, pos + nameLen);
    pos += nameLen;
    if (name === 'name') {
      while (pos < end) {
        const sub = buf[pos++];
        const subSize = leb();
        const subEnd = pos + subSize;
        if (sub === 1) {
          const n = leb();
          for (let i = 0; i < n; i++) {
            const idx = leb();
            const l = leb();
            names.set(idx, buf.toString('utf8', pos, pos + l));
            pos += l;
          }
        }
        pos = subEnd;
      }
    }
  }
  pos = end;
}
const crateOf = (name) => {
  let m = name.match(/^_ZN(?:\d+_)*?(\d+)([A-Za-z_][A-Za-z0-9_]*)/);
  if (m) {
    const len = Number(m[1]);
    let crate = m[2].slice(0, len);
    if (crate === '_' || crate.startsWith('_$')) {
      // `<T as Trait>::f`: the crate of the type T.
      const inner = name.match(/\$LT\$(?:\$RF\$)?(?:mut\$u20\$)?([a-z_][a-z0-9_]*)\.\./);
      crate = `<${inner?.[1] ?? '?'}>`;
    }
    return crate;
  }
  m = name.match(/^_R[A-Za-z]*?C[s0-9_]*?(\d+)([A-Za-z_][A-Za-z0-9_]*)/);
  if (m) return m[2].slice(0, Number(m[1]));
  return name.startsWith('__') ? name : '(other)';
};
const byCrate = new Map();
let total = 0;
bodies.forEach((size, i) => {
  const name = names.get(imported + i) ?? '(unnamed)';
  const c = crateOf(name);
  byCrate.set(c, (byCrate.get(c) ?? 0) + size);
  total += size;
});
console.log(`${file}: ${bodies.length} functions, code ${(total / 1024).toFixed(1)} KB, data ${(dataBytes / 1024).toFixed(1)} KB, names ${names.size ? 'present' : 'absent'}`);
for (const [c, s] of [...byCrate].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`  ${c.padEnd(32)} ${(s / 1024).toFixed(1).padStart(8)} KB  ${((100 * s) / total).toFixed(1).padStart(5)} %`);
}
