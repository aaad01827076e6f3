// Deadline and reminder policy, one document per electoral authority (API.md, Policy).
import { isDuration } from './duration';
import type { Urgency } from './allegation';
import { fieldProblem, type FieldProblem } from './problems';

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

/** A field of the policy and its problem, with its code (libs/domain/problems.ts). */
export type PolicyProblem = FieldProblem;

const URGENCY_KEYS: Urgency[] = ['routine', 'urgent', 'immediate'];
const TOP_LEVEL = new Set(Object.keys(DEFAULT_POLICY));

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Problems with a whole policy document, each naming its field; empty when valid. */
export function validatePolicy(policy: unknown): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  if (!isPlainObject(policy)) return [fieldProblem('', 'validation.json_object')];
  const duration = (field: string, value: unknown) => {
    if (!isDuration(value)) problems.push(fieldProblem(field, 'policy.not_a_duration'));
  };
  for (const key of Object.keys(policy)) {
    if (!TOP_LEVEL.has(key)) problems.push(fieldProblem(key, 'policy.unknown_field'));
  }
  for (const group of ['triageDue', 'spocResponseDue'] as const) {
    const value = policy[group];
    if (!isPlainObject(value)) {
      problems.push(fieldProblem(group, 'policy.urgency_group'));
      continue;
    }
    for (const key of Object.keys(value)) {
      if (!URGENCY_KEYS.includes(key as Urgency)) problems.push(fieldProblem(`${group}.${key}`, 'policy.not_an_urgency'));
    }
    for (const urgency of URGENCY_KEYS) duration(`${group}.${urgency}`, value[urgency]);
  }
  if (!Array.isArray(policy.remindBefore)) {
    problems.push(fieldProblem('remindBefore', 'policy.remind_list'));
  } else {
    policy.remindBefore.forEach((value, i) => duration(`remindBefore[${i}]`, value));
  }
  if (typeof policy.workingDays !== 'boolean') problems.push(fieldProblem('workingDays', 'validation.true_or_false'));
  const window = policy.pollWindow;
  if (!isPlainObject(window)) {
    problems.push(fieldProblem('pollWindow', 'policy.poll_window'));
  } else {
    duration('pollWindow.before', window.before);
    duration('pollWindow.after', window.after);
    if (typeof window.scale !== 'number' || !(window.scale > 0 && window.scale <= 1)) {
      problems.push(fieldProblem('pollWindow.scale', 'policy.scale'));
    }
    for (const key of Object.keys(window)) {
      if (!['before', 'after', 'scale'].includes(key)) problems.push(fieldProblem(`pollWindow.${key}`, 'policy.unknown_field'));
    }
  }
  duration('packageAcknowledgeDue', policy.packageAcknowledgeDue);
  duration('riskReviewGrace', policy.riskReviewGrace);
  duration('informationReplyDue', policy.informationReplyDue);
  duration('evidenceRetention', policy.evidenceRetention);
  duration('liaisonContactGrace', policy.liaisonContactGrace);
  const nearPoll = policy.riskReviewNearPoll;
  if (!isPlainObject(nearPoll)) {
    problems.push(fieldProblem('riskReviewNearPoll', 'policy.near_poll'));
  } else {
    duration('riskReviewNearPoll.within', nearPoll.within);
    duration('riskReviewNearPoll.every', nearPoll.every);
    for (const key of Object.keys(nearPoll)) {
      if (!['within', 'every'].includes(key)) problems.push(fieldProblem(`riskReviewNearPoll.${key}`, 'policy.unknown_field'));
    }
  }
  const months = policy.extensionTaskAfterMonths;
  if (typeof months !== 'number' || !Number.isInteger(months) || months < 1 || months > 11) {
    problems.push(fieldProblem('extensionTaskAfterMonths', 'policy.extension_months'));
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
