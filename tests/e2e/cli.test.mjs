// Sanity test of the `healthcode` command line on the same kind of codes the browser test
// shows the checkpoint: the files it writes, and `verify` exit codes (0 admit, 1 deny or
// invalid, 2 error or could not check) and reason codes (printed as `[C|GRN]` etc.) for text
// and QR images.
//
// Needs target/debug/healthcode (or $HEALTHCODE_BIN). Run: node --test tests/e2e/cli.test.mjs

import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';

import { ISSUER_NAME, makeFixture, run, runOk, unixNow } from './cli.mjs';

/** `verify` output for failure messages. */
const show = (r) => `exit ${r.code}\nstdout: ${r.stdout.trim()}\nstderr: ${r.stderr.trim()}`;

describe('healthcode CLI', () => {
  let fx;
  const codes = {};

  before(async () => {
    fx = await makeFixture('cli');
    codes.green = await fx.present('green');
    codes.red = await fx.present('red');
    codes.expired = await fx.present('expired');
    codes.stale = await fx.present('green', 'stale', unixNow() - 3600);
    codes.tampered = await fx.render(await fx.tamper(codes.green.text), 'tampered');
  });

  after(async () => {
    await fx?.cleanup();
  });

  it('writes keys, trust list, credentials and presentations in the documented formats', async () => {
    const mode = (await stat(fx.issuerKey)).mode & 0o777;
    assert.equal(mode.toString(8), '600', 'secret key file mode');
    assert.equal((await stat(fx.holderKey)).mode & 0o777, 0o600, 'holder secret key file mode');
    for (const pub of [`${fx.issuerKey}.pub`, `${fx.holderKey}.pub`]) {
      assert.ok((await readFile(pub, 'utf8')).trim().length > 0, `${pub} is not empty`);
    }
    assert.match(await readFile(fx.trust, 'utf8'), /^HCT1:/);
    for (const [which, file] of Object.entries(fx.credentials)) {
      assert.match(await readFile(file, 'utf8'), /^HCC1:/, `${which} credential`);
    }
    for (const which of ['green', 'red', 'expired']) {
      assert.match(codes[which].text, /^HCP1:[0-9A-Z $%*+\-./:]+$/, `${which} presentation text`);
    }
    // The presentation carries what was issued.
    const fields = await fx.inspect(codes.green.text);
    assert.equal(fields['credential.claims.masked_name'].value, 'Z*** W**');
    assert.equal(fields['credential.claims.id_last4'].value, '1234');
    assert.equal(fields['credential.claims.colour'].value, 'green');
    assert.equal(fields['credential.signature'].len, 64);
    assert.ok(Math.abs(Number(fields.timestamp.value) - unixNow()) < 60, 'presentation timestamp is now');
  });

  it('verify admits the green presentation (PNG) with exit 0, naming the issuer', async () => {
    const r = await run(['verify', codes.green.png, ...fx.verifyArgs]);
    assert.equal(r.code, 0, show(r));
    assert.ok(r.stdout.includes('[C|GRN]'), `reason code C|GRN\n${show(r)}`);
    assert.ok(r.stdout.includes(ISSUER_NAME), `issuer name from the trust list\n${show(r)}`);
  });

  it('verify admits the green presentation (text file) with exit 0', async () => {
    const r = await run(['verify', codes.green.txt, ...fx.verifyArgs]);
    assert.equal(r.code, 0, show(r));
    assert.ok(r.stdout.includes('[C|GRN]'), `reason code C|GRN\n${show(r)}`);
  });

  it('verify denies the red presentation with exit 1', async () => {
    const r = await run(['verify', codes.red.png, ...fx.verifyArgs]);
    assert.equal(r.code, 1, show(r));
    assert.ok(r.stdout.includes('[C|RED]'), `reason code C|RED\n${show(r)}`);
  });

  it('verify rejects the expired presentation with exit 1', async () => {
    const r = await run(['verify', codes.expired.png, ...fx.verifyArgs]);
    assert.equal(r.code, 1, show(r));
    assert.ok(r.stdout.includes('[V|EXP]'), `reason code V|EXP\n${show(r)}`);
  });

  it('verify rejects a presentation signed an hour ago (screenshot replay) with exit 1', async () => {
    const r = await run(['verify', codes.stale.txt, ...fx.verifyArgs]);
    assert.equal(r.code, 1, show(r));
    assert.ok(r.stdout.includes('[H|OLD]'), `reason code H|OLD\n${show(r)}`);
  });

  it('verify rejects the tampered presentation (text file), never with exit 0', async () => {
    const r = await run(['verify', codes.tampered.txt, ...fx.verifyArgs]);
    assert.ok(r.code === 1 || r.code === 2, `expected exit 1 or 2\n${show(r)}`);
    assert.ok(r.stdout.includes('[S|SIG]'), `reason code S|SIG\n${show(r)}`);
  });

  it('verify rejects the tampered presentation (PNG from `render`), never with exit 0', async () => {
    const r = await run(['verify', codes.tampered.png, ...fx.verifyArgs]);
    assert.ok(r.code === 1 || r.code === 2, `expected exit 1 or 2\n${show(r)}`);
    assert.ok(r.stdout.includes('[S|SIG]'), `reason code S|SIG\n${show(r)}`);
  });

  it('verify cannot check a code whose issuer is not in the trust list (exit 2)', async () => {
    const otherKey = fx.file('other-issuer.key');
    await runOk(['keygen', '--out', otherKey]);
    const otherTrust = fx.file('other-trust.txt');
    await runOk(['trust-list', '--root-key', fx.rootKey, '--issuer', `Other issuer=${otherKey}.pub`, '--out', otherTrust]);
    const r = await run(['verify', codes.green.png, '--trust', otherTrust, '--root', fx.rootPub]);
    assert.equal(r.code, 2, show(r));
    assert.ok(r.stdout.includes('[S|KID]'), `reason code S|KID\n${show(r)}`);
  });
});
