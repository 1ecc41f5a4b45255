// Running the `healthcode` command line from the tests, and the fixture every test shares:
// an issuer and a holder key pair, a trust list naming the issuer, and credentials.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { tamperIssuerSignature } from './codes.mjs';

/** This directory (tests/e2e). */
export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
/** The repository's top level. */
export const REPO = path.resolve(E2E_DIR, '..', '..');
/** The CLI binary: `$HEALTHCODE_BIN`, else target/debug/healthcode. */
export const BIN = path.resolve(process.env.HEALTHCODE_BIN ?? path.join(REPO, 'target', 'debug', 'healthcode'));
/** The built web app: `$HEALTHCODE_DIST`, else dist/. */
export const DIST = path.resolve(process.env.HEALTHCODE_DIST ?? path.join(REPO, 'dist'));
/** Screenshots and failure dumps (gitignored). */
export const ARTIFACTS = path.join(E2E_DIR, 'artifacts');

/** The issuer's name in the trust list; the checkpoint shows it after the import. */
export const ISSUER_NAME = 'E2E test issuer';
/** The place the fixture's pass is for (a community office issues it). */
export const PLACE = '330902-0017';

/** The current time in Unix seconds. */
export const unixNow = () => Math.floor(Date.now() / 1000);

/** Throws a clear error when the CLI binary has not been built. */
export function requireBinary() {
  if (!existsSync(BIN)) {
    throw new Error(`healthcode binary not found at ${BIN}: run \`cargo build\` or set HEALTHCODE_BIN`);
  }
}

/**
 * Runs `healthcode …args`. Resolves to `{code, stdout, stderr}` whatever the exit code;
 * rejects only if the program could not be run or was killed (30 s timeout).
 */
export function run(args) {
  return new Promise((resolve, reject) => {
    execFile(BIN, args, { timeout: 30_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') {
        reject(new Error(`healthcode ${args.join(' ')}: ${err.message}\n${stderr}`));
      } else {
        resolve({ code: err ? err.code : 0, stdout, stderr });
      }
    });
  });
}

/** Runs `healthcode …args` and requires exit code 0; resolves to stdout. */
export async function runOk(args) {
  const r = await run(args);
  if (r.code !== 0) {
    throw new Error(`healthcode ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return r.stdout;
}

/**
 * Creates a fresh work directory under tests/e2e/work/ with keys, a trust list (an issuer and
 * a pass issuer for PLACE), credentials (green, yellow, red, a green one that expired an hour
 * ago, a revoked one, a paper code) and a pass for PLACE.
 *
 * @param {string} label names the work directory (e.g. the test file)
 * @returns the paths, plus `present()` and `render()` to make codes on demand
 */
export async function makeFixture(label) {
  requireBinary();
  const workRoot = path.join(E2E_DIR, 'work');
  await mkdir(workRoot, { recursive: true });
  const dir = await mkdtemp(path.join(workRoot, `${label}-`));
  const p = (name) => path.join(dir, name);

  const rootKey = p('root.key');
  const issuerKey = p('issuer.key');
  const holderKey = p('holder.key');
  const officeKey = p('office.key');
  const rootKeyId = (await runOk(['keygen', '--out', rootKey])).match(/key id ([0-9a-f]{16})/)[1];
  await runOk(['keygen', '--out', issuerKey]);
  await runOk(['keygen', '--out', holderKey]);
  await runOk(['keygen', '--out', officeKey]);

  const trust = p('trust.txt');
  await runOk([
    'trust-list', '--root-key', rootKey, '--issuer', `${ISSUER_NAME}=${issuerKey}.pub`,
    '--pass-issuer', `Community office=${officeKey}.pub=${PLACE}`, '--out', trust,
  ]);
  // A resident pass for PLACE, held by the holder key.
  const pass = p('pass.hca');
  await runOk(['pass', '--issuer-key', officeKey, '--holder', `${holderKey}.pub`, '--place', PLACE, '--out', pass]);

  const now = unixNow();
  const issue = (name, colour, extra = []) =>
    runOk([
      'issue', '--issuer-key', issuerKey, '--holder', `${holderKey}.pub`,
      '--colour', colour, '--name', 'Z*** W**', '--id-last4', '1234',
      '--now', String(now), ...extra, '--out', p(name),
    ]).then(() => p(name));

  // A green code that the authority then revokes, and the revocation list naming it.
  const revokedRun = await run([
    'issue', '--issuer-key', issuerKey, '--holder', `${holderKey}.pub`,
    '--colour', 'green', '--name', 'Z*** W**', '--id-last4', '1234',
    '--now', String(now), '--out', p('revoked.cred'),
  ]);
  const revokedId = revokedRun.stderr.match(/credential id ([0-9a-f]{16})/)?.[1];
  if (revokedRun.code !== 0 || !revokedId) throw new Error(`issue for revocation failed: ${revokedRun.stderr}`);
  const revocation = p('revocation.txt');
  await runOk(['revocation-list', '--signer-key', issuerKey, '--id', revokedId, '--out', revocation]);

  // A paper code: no holder key, shown as the credential's own QR.
  await runOk([
    'issue', '--issuer-key', issuerKey, '--paper', '--colour', 'green', '--name', '王*',
    '--id-last4', '0001', '--now', String(now), '--out', p('paper.cred'),
  ]);
  const paperText = (await readFile(p('paper.cred'), 'utf8')).trim();

  const credentials = {
    revoked: p('revoked.cred'),
    green: await issue('green.cred', 'green'),
    red: await issue('red.cred', 'red'),
    yellow: await issue('yellow.cred', 'yellow'),
    expired: await issue('expired.cred', 'green', [
      '--not-before', String(now - 7200), '--expires', String(now - 3600),
    ]),
  };

  return {
    dir,
    rootKey,
    rootPub: `${rootKey}.pub`,
    rootKeyId,
    /** What `verify` needs besides the code: the trust list and its pinned root. */
    verifyArgs: ['--trust', trust, '--root', `${rootKey}.pub`],
    /** The paper code's QR text (`HCC1:`). */
    paperText,
    /** A signed revocation list naming the `revoked` credential's id. */
    revocation,
    revokedId,
    issuerKey,
    holderKey,
    trust,
    credentials,
    /** A resident pass for PLACE (`HCA1:` text file). */
    pass,
    /** Path `name` inside the work directory. */
    file: p,

    /**
     * Signs a presentation of credential `which` at `at` (default: now); writes
     * `<name>.txt` and `<name>.png`. Resolves to `{text, txt, png}`.
     */
    async present(which, name = which, at = unixNow(), { withPass = false } = {}) {
      const txt = p(`${name}.txt`);
      const png = p(`${name}.png`);
      const stdout = await runOk([
        'present', '--credential', credentials[which], '--holder-key', holderKey,
        ...(withPass ? ['--pass', pass] : []),
        '--now', String(at), '--png', png, '--out', txt,
      ]);
      const text = (await readFile(txt, 'utf8')).trim();
      if (stdout.trim() !== text) {
        throw new Error(`present printed ${JSON.stringify(stdout.trim().slice(0, 40))}…, wrote ${JSON.stringify(text.slice(0, 40))}…`);
      }
      return { text, txt, png };
    },

    /** Renders arbitrary QR `text` with `healthcode render`; writes `<name>.txt` and `<name>.png`. */
    /** `healthcode inspect`: each field's byte offset, length and value, by dotted name. */
    async inspect(text) {
      const out = await runOk(['inspect', text]);
      const fields = {};
      for (const m of out.matchAll(/^\s*(\d+)\s+(\d+)\s+(\S+) = (.*)$/gm)) {
        fields[m[3]] = { offset: Number(m[1]), len: Number(m[2]), value: m[4] };
      }
      return fields;
    },

    /** A forged copy of presentation `text`: one bit of the issuer signature flipped. */
    async tamper(text) {
      const fields = await this.inspect(text);
      return tamperIssuerSignature(text, fields['credential.signature'].offset);
    },

    async render(text, name) {
      const txt = p(`${name}.txt`);
      const png = p(`${name}.png`);
      await writeFile(txt, `${text}\n`);
      await runOk(['render', '--text', text, '--png', png]);
      return { text, txt, png };
    },

    /** Deletes the work directory unless HEALTHCODE_E2E_KEEP is set. */
    async cleanup() {
      if (!process.env.HEALTHCODE_E2E_KEEP) await rm(dir, { recursive: true, force: true });
    },
  };
}
