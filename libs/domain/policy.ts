// Deadline and reminder policy, one document per electoral authority (API.md, Policy).
import { isDuration } from './duration';
import type { Urgency } from './allegation';

export interface PollWindow {
  before: string;
  after: string;
  scale: number;
}

export interface Policy {
  triageDue: Record<Urgency, string>;
  spocResponseDue: Record<Urgency, string>;
  remindBefore: string[];
  workingDays: boolean;
  pollWindow: PollWindow;
  packageAcknowledgeDue: string;
  riskReviewGrace: string;
  /** how long the reporter has to answer a request for information before the case returns to triage */
  informationReplyDue: string;
  /** calendar months after the offence when the "apply for extension" task falls due (s.176 RPA 1983) */
  extensionTaskAfterMonths: number;
  /** how long evidence is kept after its case closes, before its disposal review falls due (elapsed time) */
  evidenceRetention: string;
  /** risk reviews tighten to `every` once polling day is `within` away */
  riskReviewNearPoll: { within: string; every: string };
  /** how long after police liaison contact falls due, unmade, the Returning Officer is told (elapsed time) */
  liaisonContactGrace: string;
}

export const DEFAULT_POLICY: Policy = {
  triageDue: { routine: 'P2D', urgent: 'PT4H', immediate: 'PT30M' },
  spocResponseDue: { routine: 'P2D', urgent: 'PT4H', immediate: 'PT1H' },
  remindBefore: ['PT2H'],
  workingDays: true,
  pollWindow: { before: 'P7D', after: 'P2D', scale: 0.25 },
  packageAcknowledgeDue: 'P3D',
  riskReviewGrace: 'P1D',
  informationReplyDue: 'P5D',
  extensionTaskAfterMonths: 10,
  evidenceRetention: 'P730D',
  riskReviewNearPoll: { within: 'P7D', every: 'P1D' },
  liaisonContactGrace: 'P2D',
};

/**
 * A stored or received policy document completed with today's defaults for fields added since
 * it was written (cases logged before a policy field existed carry documents without it).
 */
export function withPolicyDefaults(policy: Partial<Policy>): Policy {
  return { ...DEFAULT_POLICY, ...policy };
}

export interface PolicyProblem {
  field: string;
  problem: string;
}

const URGENCY_KEYS: Urgency[] = ['routine', 'urgent', 'immediate'];
const TOP_LEVEL = new Set(Object.keys(DEFAULT_POLICY));

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Problems with a whole policy document, each naming its field; empty when valid. */
export function validatePolicy(policy: unknown): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  if (!isPlainObject(policy)) return [{ field: '', problem: 'must be a JSON object' }];
  const duration = (field: string, value: unknown) => {
    if (!isDuration(value)) problems.push({ field, problem: 'must be a non-zero ISO-8601 duration such as P2D, PT4H or PT30S' });
  };
  for (const key of Object.keys(policy)) {
    if (!TOP_LEVEL.has(key)) problems.push({ field: key, problem: 'is not a policy field' });
  }
  for (const group of ['triageDue', 'spocResponseDue'] as const) {
    const value = policy[group];
    if (!isPlainObject(value)) {
      problems.push({ field: group, problem: 'must be an object with routine, urgent and immediate durations' });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (!URGENCY_KEYS.includes(key as Urgency)) problems.push({ field: `${group}.${key}`, problem: 'is not an urgency (routine, urgent, immediate)' });
    }
    for (const urgency of URGENCY_KEYS) duration(`${group}.${urgency}`, value[urgency]);
  }
  if (!Array.isArray(policy.remindBefore)) {
    problems.push({ field: 'remindBefore', problem: 'must be a list of ISO-8601 durations' });
  } else {
    policy.remindBefore.forEach((value, i) => duration(`remindBefore[${i}]`, value));
  }
  if (typeof policy.workingDays !== 'boolean') problems.push({ field: 'workingDays', problem: 'must be true or false' });
  const window = policy.pollWindow;
  if (!isPlainObject(window)) {
    problems.push({ field: 'pollWindow', problem: 'must be an object with before, after and scale' });
  } else {
    duration('pollWindow.before', window.before);
    duration('pollWindow.after', window.after);
    if (typeof window.scale !== 'number' || !(window.scale > 0 && window.scale <= 1)) {
      problems.push({ field: 'pollWindow.scale', problem: 'must be a number greater than 0 and at most 1' });
    }
    for (const key of Object.keys(window)) {
      if (!['before', 'after', 'scale'].includes(key)) problems.push({ field: `pollWindow.${key}`, problem: 'is not a policy field' });
    }
  }
  duration('packageAcknowledgeDue', policy.packageAcknowledgeDue);
  duration('riskReviewGrace', policy.riskReviewGrace);
  duration('informationReplyDue', policy.informationReplyDue);
  duration('evidenceRetention', policy.evidenceRetention);
  duration('liaisonContactGrace', policy.liaisonContactGrace);
  const nearPoll = policy.riskReviewNearPoll;
  if (!isPlainObject(nearPoll)) {
    problems.push({ field: 'riskReviewNearPoll', problem: 'must be an object with within and every durations' });
  } else {
    duration('riskReviewNearPoll.within', nearPoll.within);
    duration('riskReviewNearPoll.every', nearPoll.every);
    for (const key of Object.keys(nearPoll)) {
      if (!['within', 'every'].includes(key)) problems.push({ field: `riskReviewNearPoll.${key}`, problem: 'is not a policy field' });
    }
  }
  const months = policy.extensionTaskAfterMonths;
  if (typeof months !== 'number' || !Number.isInteger(months) || months < 1 || months > 11) {
    problems.push({
      field: 'extensionTaskAfterMonths',
      problem: 'must be a whole number of months from 1 to 11 (the application must be made within the first year)',
    });
  }
  return problems;
}

/** A partial document merged over the current one; nested objects merge, lists replace. */
export function mergePolicy(current: Policy, patch: Record<string, unknown>): unknown {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    const existing = Object.hasOwn(current, key) ? (current as unknown as Record<string, unknown>)[key] : undefined;
    // defineProperty, not assignment: a JSON "__proto__" member must stay an own field, so validatePolicy names it
    Object.defineProperty(merged, key, {
      value: isPlainObject(existing) && isPlainObject(value) ? { ...existing, ...value } : value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return merged;
}
