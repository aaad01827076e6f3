'use strict';
// Checks an election casework court bundle without the server: plain Node.js and node:crypto,
// written apart from the server's own code so that it checks the server rather than repeating it.
// Each check has a name, passes or fails, and says why; `verifyBundle` never throws on a bad bundle.
const { createHash, createPublicKey, verify } = require('node:crypto');

const FORMAT = 'election-casework-bundle/1';
const GENESIS_HASH = '0'.repeat(64);
const HEX64 = /^[0-9a-f]{64}$/;

/** Canonical JSON: object keys sorted, no whitespace, undefined members dropped. */
function canonicalJson(value) {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('canonical JSON cannot hold a non-finite number');
    return JSON.stringify(value === undefined ? null : value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  const entries = Object.keys(value)
    .filter((key) => value[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
  return `{${entries.join(',')}}`;
}

const sha256 = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** The bundle's own hash: SHA-256 of the canonical JSON of everything but `bundleSha256`. */
function bundleHash(bundle) {
  const { bundleSha256, ...content } = bundle;
  return sha256(canonicalJson(content)).toString('hex');
}

/** An audit event's hash: SHA-256 of the previous hash, a newline, and the event's canonical form. */
function eventHash(caseId, prevHash, event) {
  const body = {
    caseId,
    seq: event.seq,
    at: event.at,
    actor: event.actor,
    role: event.role,
    action: event.action,
    before: event.before ?? null,
    after: event.after ?? null,
  };
  return sha256(prevHash, '\n', canonicalJson(body)).toString('hex');
}

// RFC 6962 / RFC 9162 Merkle hashing.
const leafHash = (leaf) => sha256(Buffer.from([0]), leaf);
const nodeHash = (left, right) => sha256(Buffer.from([1]), left, right);

/**
 * The leaf an audit event is in its authority's log: the 32 bytes of its chain hash, which
 * already covers the case id, the seq and the event, so a leaf cannot be moved to another case.
 */
function eventLeaf(caseId, event) {
  return Buffer.from(String(event.hash), 'hex');
}

/** RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or null when the proof cannot be right. */
function rootFromInclusionProof(leafIndex, treeSize, leaf, path) {
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize) || leafIndex < 0 || leafIndex >= treeSize || !Array.isArray(path)) return null;
  if (!path.every((p) => typeof p === 'string' && HEX64.test(p))) return null;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash(leaf);
  for (const p of path) {
    if (sn === 0) return null; // more nodes than the tree has levels
    const node = Buffer.from(p, 'hex');
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(node, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, node);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r.toString('hex') : null;
}

/** The text a checkpoint's Ed25519 signature covers (C2SP tlog-checkpoint style). */
function checkpointBody(cp) {
  return `election-casework/${cp.authorityId}\n${cp.treeSize}\n${Buffer.from(cp.rootHash, 'hex').toString('base64')}\n${cp.issuedAt}\n`;
}

function publicKeyOf(input) {
  const text = String(input).trim();
  if (text.includes('-----BEGIN')) return createPublicKey(text);
  const raw = Buffer.from(text, 'base64');
  if (raw.length !== 32) throw new Error('a public key must be PEM or the base64 of 32 raw Ed25519 bytes');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

function keyIdOf(key) {
  return sha256(Buffer.from(key.export({ format: 'jwk' }).x, 'base64url'))
    .toString('hex')
    .slice(0, 16);
}

/** The signed-note key ID of an Ed25519 key (c2sp.org/signed-note): SHA-256(name || 0x0A || 0x01 || key)[:4]. */
function noteKeyId(name, key) {
  return sha256(Buffer.from(name, 'utf8'), Buffer.from([0x0a, 0x01]), Buffer.from(key.export({ format: 'jwk' }).x, 'base64url')).subarray(0, 4);
}

/**
 * The checkpoint's C2SP signed-note form (transparency.checkpointNote, in bundles since it was
 * added): its text must be the checkpoint's body, and every signature line by the authority's key
 * (name election-casework/<authorityId> and that key's ID) must verify, at least one. Lines by other
 * keys (witness cosignatures) are ignored, as signed-note says.
 */
function checkCheckpointNote(note, cp, key) {
  if (typeof note !== 'string' || /[\x00-\x09\x0b-\x1f]/.test(note)) return 'the checkpoint note is not text without control characters';
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n') || split + 2 >= note.length) return 'the checkpoint note has no signature lines after a blank line';
  const text = note.slice(0, split + 1);
  if (text !== checkpointBody(cp)) return "the checkpoint note's text is not the checkpoint";
  const name = `election-casework/${cp.authorityId}`;
  const id = noteKeyId(name, key);
  let verified = 0;
  for (const line of note.slice(split + 2, -1).split('\n')) {
    const m = /^\u2014 ([^\s+]+) ([A-Za-z0-9+/]+={0,2})$/.exec(line);
    const bytes = m ? Buffer.from(m[2], 'base64') : null;
    if (!m || bytes.length < 5 || bytes.toString('base64') !== m[2]) return 'a signature line of the checkpoint note is malformed';
    if (m[1] !== name || !bytes.subarray(0, 4).equals(id)) continue;
    if (!verify(null, Buffer.from(text, 'utf8'), key, bytes.subarray(4))) return "the checkpoint note's signature does not verify with the public key";
    verified++;
  }
  return verified > 0 ? null : `the checkpoint note has no signature by ${name} with the key given`;
}

function checkCheckpoint(cp, keyInput, note) {
  if (!cp || typeof cp !== 'object') return 'the bundle has no checkpoint';
  if (!/^[\x21-\x7e]{1,200}$/.test(String(cp.authorityId)) || !Number.isSafeInteger(cp.treeSize) || cp.treeSize < 0 || !HEX64.test(String(cp.rootHash)))
    return 'the checkpoint is malformed';
  if (typeof cp.issuedAt !== 'string' || Number.isNaN(Date.parse(cp.issuedAt)) || new Date(cp.issuedAt).toISOString() !== cp.issuedAt)
    return "the checkpoint's issuedAt is malformed";
  let key;
  try {
    key = publicKeyOf(keyInput);
  } catch (error) {
    return `the public key cannot be read: ${error.message}`;
  }
  if (key.asymmetricKeyType !== 'ed25519') return 'the public key is not an Ed25519 key';
  if (cp.keyId !== keyIdOf(key)) return `the checkpoint names key ${cp.keyId}, not the key given (${keyIdOf(key)})`;
  const signature = Buffer.from(String(cp.signature), 'base64');
  // Other texts decode to the same bytes (unused bits, missing padding); only the canonical one is the checkpoint's.
  if (signature.toString('base64') !== String(cp.signature)) return "the checkpoint's signature is not canonical base64";
  if (signature.length !== 64 || !verify(null, Buffer.from(checkpointBody(cp), 'utf8'), key, signature))
    return "the checkpoint's signature does not verify with the public key";
  return note === undefined ? null : checkCheckpointNote(note, cp, key);
}

/**
 * Compares a history answer (its JSON text, or parsed) with the bundle's events: [problem or null,
 * detail]. Its events must run from seq 1 without a gap, and each one the bundle has must be equal
 * to it as JSON (any key order or spacing). Events after the bundle's last (reads since the export)
 * cannot be checked against it, and are counted.
 */
function historyAnswerProblem(history, events) {
  let answer = history;
  if (typeof history === 'string') {
    try {
      answer = JSON.parse(history);
    } catch (error) {
      return [`the history answer is not valid JSON (${error.message})`];
    }
  }
  if (!Array.isArray(answer)) return ['the history answer is not a JSON array of events'];
  const bySeq = new Map(events.map((e) => [e && e.seq, e]));
  let checked = 0;
  for (let i = 0; i < answer.length; i++) {
    const a = answer[i];
    if (!a || a.seq !== i + 1) return [`the history answer's event ${i + 1} is missing (found seq ${a && a.seq})`];
    const e = bySeq.get(a.seq);
    if (!e) continue;
    if (canonicalJson(a) !== canonicalJson(e))
      return [`the history answer's event ${a.seq} (${a.action}) is not the bundle's event ${e.seq} (${e.action}), whose hash checks: the answer was changed`];
    checked += 1;
  }
  const later = answer.length - checked;
  return [null, `${checked} events the same as the bundle's${later > 0 ? `; ${later} later ones not in the bundle, not checked` : ''}`];
}

/**
 * Every check on a bundle (parsed JSON). `options.publicKey` pins the authority's checkpoint key
 * (PEM or base64), as published at /transparency/:authorityId/public-key; without it the key
 * inside the bundle is used, and the result says so, because a forger could re-sign with their own.
 * `options.history`, a history answer of the same case (JSON text or parsed), is checked against
 * the bundle's events (`history answer`).
 */
function verifyBundle(bundle, options = {}) {
  const checks = [];
  const check = (name, problem, detail) => checks.push(problem ? { name, ok: false, problem } : { name, ok: true, detail });
  const result = () => ({ valid: checks.every((c) => c.ok), checks, problems: checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.problem}`) });

  if (!bundle || typeof bundle !== 'object' || Array.isArray(bundle)) {
    check('format', 'the bundle is not a JSON object');
    return result();
  }
  if (bundle.format !== FORMAT) {
    check('format', `the format is ${JSON.stringify(bundle.format)}, not ${FORMAT}`);
    return result();
  }
  check('format', null, FORMAT);

  let recomputed;
  try {
    recomputed = bundleHash(bundle);
  } catch (error) {
    recomputed = `unhashable: ${error.message}`;
  }
  check(
    'bundle hash',
    recomputed === bundle.bundleSha256 ? null : `the content hashes to ${recomputed}, but the bundle says ${bundle.bundleSha256}: it was changed after export`,
    bundle.bundleSha256,
  );

  // The case's audit chain, from genesis.
  const caseId = bundle.case && bundle.case.id;
  const events = bundle.history && Array.isArray(bundle.history.events) ? bundle.history.events : null;
  if (!caseId || !events) {
    check('history chain', 'the bundle has no case id or no history events');
    return result();
  }
  let prevHash = GENESIS_HASH;
  let broken = null;
  for (let i = 0; i < events.length && !broken; i++) {
    const e = events[i];
    if (!e || e.seq !== i + 1) broken = `event ${i + 1} is missing (found seq ${e && e.seq})`;
    else if (e.prevHash !== prevHash) broken = `event ${e.seq}'s prevHash does not match event ${e.seq - 1}'s hash`;
    else if (eventHash(caseId, prevHash, e) !== e.hash) broken = `event ${e.seq} (${e.action}) does not match its hash: its content was changed`;
    else prevHash = e.hash;
  }
  check('history chain', broken, `${events.length} events, head ${prevHash}`);
  if (bundle.history.head !== undefined)
    check(
      'history head',
      bundle.history.head === prevHash ? null : `the history says its head is ${bundle.history.head}, the events lead to ${prevHash}`,
      prevHash,
    );

  // A history answer (GET /allegations/:id/history), given with the bundle: each of its events
  // must be the bundle's event of that seq, whose hash the chain above checked.
  if (options.history !== undefined && options.history !== null) {
    const [problem, detail] = historyAnswerProblem(options.history, events);
    check('history answer', problem, detail);
  }

  // Evidence: each item's hash and custody log against the events that recorded them.
  const evidence = Array.isArray(bundle.evidence) ? bundle.evidence : [];
  const byAction = new Map();
  for (const e of events) {
    const id = e.after && e.after.evidenceId;
    if (!id) continue;
    const key = `${id} ${e.action}`;
    byAction.set(key, (byAction.get(key) || []).concat([e]));
  }
  const evidenceProblems = [];
  for (const item of evidence) {
    const added = byAction.get(`${item.id} evidence.added`) || [];
    if (added.length !== 1) evidenceProblems.push(`item ${item.id} has ${added.length} evidence.added events, not 1`);
    else if (item.kind === 'digital' && added[0].after.sha256 !== item.sha256)
      evidenceProblems.push(`item ${item.id}'s SHA-256 ${item.sha256} is not the ${added[0].after.sha256} recorded when it was added`);
    const custody = Array.isArray(item.custody) ? item.custody : [];
    custody.forEach((entry, index) => {
      if (entry.seq !== index + 1) evidenceProblems.push(`item ${item.id}'s custody entry ${index + 1} is missing`);
    });
    const counts = new Map();
    for (const entry of custody.slice(1)) counts.set(entry.action, (counts.get(entry.action) || 0) + 1);
    for (const [action, count] of counts) {
      const recorded = (byAction.get(`${item.id} custody.${action}`) || []).length;
      if (recorded !== count)
        evidenceProblems.push(`item ${item.id} lists ${count} "${action}" custody entr${count === 1 ? 'y' : 'ies'}, the history records ${recorded}`);
    }
  }
  check('evidence and custody', evidenceProblems[0] || null, `${evidence.length} items`);

  // The Merkle log: a signed checkpoint, and an inclusion proof of every event under it.
  const t = bundle.transparency;
  if (!t) {
    check('checkpoint', 'the bundle has no transparency section (checkpoint and proofs)');
    return result();
  }
  const pinned = options.publicKey !== undefined && options.publicKey !== null;
  const cpProblem = checkCheckpoint(t.checkpoint, pinned ? options.publicKey : t.publicKey, t.checkpointNote);
  const asNote = t.checkpointNote === undefined ? '' : ', and its C2SP signed note';
  check(
    'checkpoint',
    cpProblem,
    pinned
      ? `signed by the pinned key ${t.checkpoint && t.checkpoint.keyId}${asNote}`
      : `signed by the key in the bundle (${t.checkpoint && t.checkpoint.keyId})${asNote}; pin the authority's published key with --public-key`,
  );
  if (!cpProblem && t.checkpoint.authorityId !== bundle.case.authorityId)
    check('checkpoint', `the checkpoint is of ${t.checkpoint.authorityId}'s log, the case belongs to ${bundle.case.authorityId}`);
  const proofs = new Map((Array.isArray(t.inclusionProofs) ? t.inclusionProofs : []).map((p) => [p && p.seq, p]));
  let proofProblem = null;
  for (const e of events) {
    const proof = proofs.get(e.seq);
    if (!proof) {
      proofProblem = `event ${e.seq} has no inclusion proof`;
      break;
    }
    const root = rootFromInclusionProof(proof.leafIndex, t.checkpoint && t.checkpoint.treeSize, eventLeaf(caseId, e), proof.auditPath);
    if (root === null || !t.checkpoint || root !== t.checkpoint.rootHash) {
      proofProblem = `event ${e.seq}'s inclusion proof does not lead to the checkpoint's root`;
      break;
    }
  }
  check('inclusion proofs', proofProblem, `${events.length} events in a log of ${t.checkpoint && t.checkpoint.treeSize}`);
  return result();
}

/** Reads a bundle from its JSON text, reporting a file that is not JSON as a failed check. */
function verifyBundleText(text, options) {
  let bundle;
  try {
    bundle = JSON.parse(text);
  } catch (error) {
    const checks = [{ name: 'format', ok: false, problem: `the file is not valid JSON (${error.message})` }];
    return { valid: false, checks, problems: [`format: ${checks[0].problem}`] };
  }
  return verifyBundle(bundle, options);
}

module.exports = {
  FORMAT,
  canonicalJson,
  bundleHash,
  eventHash,
  eventLeaf,
  leafHash,
  rootFromInclusionProof,
  checkpointBody,
  noteKeyId,
  verifyBundle,
  verifyBundleText,
};
