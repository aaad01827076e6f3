// `npm run record:histories [-- --out DIR] [-- --only NAME,NAME]`: records the event histories
// that test/replay.spec.ts replays against the current workflow code. It runs the workflows of
// THIS tree (the allegation lifecycle, its evidence-package child, the risk review cycle and the
// Schedules' one-pass workflows, checkpoints included) through the HTTP API, with seconds-long deadlines, stops each
// workflow at an interesting point (or lets it complete) and writes its history as proto3 JSON
// (what the SDK's historyToJSON writes) to DIR/<file>.json (default test/histories/). A scenario
// writes one file named after itself, or several named in its `files`.
//
// The first four scenarios (FOUNDATION) are the ones the foundation workflow (a55e8de) can run;
// `--only early-after-start,routine-reminder-escalation,safety-concern,policy-changed` records
// them in a clone of that commit. The others need the lifecycle, packages and risks.
//
// PostgreSQL: DATABASE_URL's server (a throw-away database is created and dropped there) or an
// embedded, throw-away one. Temporal: TEMPORAL_ADDRESS or an in-memory dev server. The API and
// the worker run in this process on a task queue of their own.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import * as proto from '@temporalio/proto';
import { temporal } from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { withPathAliases } from '@libs/temporal/path-aliases';
import pino from 'pino';
import request from 'supertest';
import { createApiApp, loadApiConfigs } from '@apps/api/src/app.factory';
import { createAllegationWorker } from '@apps/worker/src/worker';
import { findDemoUser, loadOrCreateSigningKeys, signToken } from '@libs/auth';
import { allegationWorkflowId } from '@libs/domain';
import { createThrowAwayDatabase, startEmbeddedPostgres, startTemporalDevServer } from '@libs/infra';
import { createDataSource, migrate, seedDemo, WORKER_ROLE } from '@libs/persistence';
import { PoliciesStore } from '@libs/persistence/stores/policies.store';
import { evidencePackageWorkflowId } from '@workflows/evidence-package.messages';
import { liaisonWorkflowId } from '@workflows/liaison.messages';
import { getRiskReviewDispatchStateQuery, riskReviewDispatchWorkflowId, riskReviewWorkflowId } from '@workflows/risk-review.messages';

const say = (line: string) => process.stderr.write(`[record] ${line}\n`);
const root = resolve(__dirname, '..', '..'); // dist/scripts -> the repository

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

/** Seconds-long deadlines, as in test/deadlines.e2e-spec.ts; `urgent` is long so a case can be caught early. */
const POLICY = { triageDue: { routine: 'PT4S', urgent: 'PT1H', immediate: 'PT3S' }, remindBefore: ['PT2S'], workingDays: false };
/**
 * For the lifecycle scenarios: triage (and anything not under test) an hour away, so that only
 * the deadline a scenario is about fires while it runs. Each scenario sets its policy before it
 * logs its case (straight in the table, so no running workflow is signalled); a case keeps the
 * policy it was logged with.
 */
const HOUR = { routine: 'PT1H', urgent: 'PT1H', immediate: 'PT1H' };
const LIFECYCLE_POLICY = {
  triageDue: HOUR,
  spocResponseDue: HOUR,
  remindBefore: ['PT3S'],
  workingDays: false,
  informationReplyDue: 'PT1H',
  packageAcknowledgeDue: 'PT1H',
  riskReviewGrace: 'PT1H',
};

function allegationBody(overrides: Record<string, unknown> = {}) {
  return {
    category: 'postal_vote',
    pollDate: '2027-05-06',
    location: { ward: 'Castle Ward', pollingDistrict: 'CW3' },
    occurredAt: '2026-11-01T10:00:00Z',
    reporter: { name: 'A. Elector', contact: 'a.elector@example.com', type: 'elector' },
    description: 'A canvasser was seen collecting completed postal votes at Elm Court care home.',
    urgency: 'routine',
    safetyConcern: false,
    ...overrides,
  };
}

// --- reading a history

const typeOf = (e: HistoryEvent) => EventType[e.eventType ?? 0].replace(/^EVENT_TYPE_/, '');
const count = (events: HistoryEvent[], type: string) => events.filter((e) => typeOf(e) === type).length;

/** The `kind` of a notify activity's input (which reminder, escalation or notice it sends). */
function noticeKind(e: HistoryEvent): string {
  const data = e.activityTaskScheduledEventAttributes?.input?.payloads?.[0]?.data;
  try {
    return (JSON.parse(Buffer.from(data ?? new Uint8Array()).toString('utf8')) as { kind?: string }).kind ?? '?';
  } catch {
    return '?';
  }
}

function summary(events: HistoryEvent[]) {
  const scheduled = events.filter((e) => typeOf(e) === 'ACTIVITY_TASK_SCHEDULED');
  const activities = scheduled.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?');
  const done = count(events, 'ACTIVITY_TASK_COMPLETED');
  const ended = events.filter((e) => /^ACTIVITY_TASK_(FAILED|TIMED_OUT|CANCELED)$/.test(typeOf(e))).length;
  const lastTask = [...events].reverse().find((e) => typeOf(e).startsWith('WORKFLOW_TASK_'));
  const updatesAccepted = events
    .filter((e) => typeOf(e) === 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED')
    .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ?? '?');
  const childrenInitiated = count(events, 'START_CHILD_WORKFLOW_EXECUTION_INITIATED');
  return {
    activities,
    completed: done,
    /** the kinds of the notify activities, in order */
    notices: scheduled.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'notify').map(noticeKind),
    timersStarted: count(events, 'TIMER_STARTED'),
    timersFired: count(events, 'TIMER_FIRED'),
    signals: events.filter((e) => typeOf(e) === 'WORKFLOW_EXECUTION_SIGNALED').map((e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? '?'),
    updates: updatesAccepted,
    childrenStarted: count(events, 'CHILD_WORKFLOW_EXECUTION_STARTED'),
    childrenCompleted: count(events, 'CHILD_WORKFLOW_EXECUTION_COMPLETED'),
    /**
     * no activity running, no update or child start under way, and the last workflow task
     * completed: the workflow waits for a timer or a message (or has finished)
     */
    idle:
      done + ended === activities.length &&
      updatesAccepted.length === count(events, 'WORKFLOW_EXECUTION_UPDATE_COMPLETED') &&
      childrenInitiated === count(events, 'CHILD_WORKFLOW_EXECUTION_STARTED') + count(events, 'START_CHILD_WORKFLOW_EXECUTION_FAILED') &&
      lastTask !== undefined &&
      typeOf(lastTask) === 'WORKFLOW_TASK_COMPLETED',
    open: !events.some((e) => /^WORKFLOW_EXECUTION_(COMPLETED|FAILED|TIMED_OUT|TERMINATED|CANCELED|CONTINUED_AS_NEW)$/.test(typeOf(e))),
    /** the workflow returned */
    finished: count(events, 'WORKFLOW_EXECUTION_COMPLETED') === 1,
  };
}
type Summary = ReturnType<typeof summary>;

/**
 * The history as proto3 JSON, the form the Temporal CLI and UI export: what the SDK's historyToJSON
 * (@temporalio/common/lib/proto-utils) writes. That helper fails here with "type must be a Type":
 * the lock file gives @temporalio/common and @temporalio/proto a protobufjs copy each, and it
 * mixes them. This uses the copy @temporalio/proto itself is built on; test/replay.spec.ts reads
 * the files back the same way.
 */
function historyToJSON(history: History): unknown {
  const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [dirname(require.resolve('@temporalio/proto'))] }));
  const type = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');
  return protojson.toJson(type, temporal.api.history.v1.History.fromObject(history));
}

/** Worker identities hold a pid and the host name; they do not take part in replay. */
function scrubIdentities(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrubIdentities);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'identity' && typeof v === 'string' ? 'record-histories' : scrubIdentities(v)]));
  }
  return value;
}

// --- the scenarios

interface Ctx {
  http: ReturnType<typeof request>;
  client: Client;
  taskQueue: string;
  token(username: string): Promise<string>;
  /** polls a workflow's history until `ready` holds; returns the history */
  capture(workflowId: string, what: string, ready: (s: Summary, events: HistoryEvent[]) => boolean, timeoutMs?: number): Promise<History>;
  /** `capture` for the case's allegation workflow */
  captureWhen(caseId: string, what: string, ready: (s: Summary, events: HistoryEvent[]) => boolean, timeoutMs?: number): Promise<History>;
}

/** One recorded history: `file` (without .json) defaults to the scenario's name. */
interface Recorded {
  file?: string;
  workflowId: string;
  history: History;
}

interface Scenario {
  name: string;
  about: string;
  /** policy fields set before the scenario runs; default POLICY */
  policy?: Record<string, unknown>;
  /** the files it writes when more than one (their names, without .json) */
  files?: string[];
  run(ctx: Ctx): Promise<Recorded | Recorded[]>;
}

async function logCase(ctx: Ctx, user: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await ctx.http
    .post('/allegations')
    .set('Authorization', `Bearer ${await ctx.token(user)}`)
    .send(allegationBody(overrides));
  if (res.status !== 201) throw new Error(`POST /allegations as ${user} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** An API call that must answer `status`; returns the body, of which the steps read the id of what it made. */
async function call(
  ctx: Ctx,
  method: 'post' | 'patch' | 'put',
  user: string,
  path: string,
  body: Record<string, unknown>,
  status: number,
): Promise<{ id: string }> {
  const res = await ctx.http[method](path)
    .set('Authorization', `Bearer ${await ctx.token(user)}`)
    .send(body);
  if (res.status !== status) throw new Error(`${method.toUpperCase()} ${path} as ${user}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A decision on a case (POST /allegations/:id/<path>), answered 200 unless `status` says otherwise. */
function decide(ctx: Ctx, user: string, caseId: string, path: string, body: Record<string, unknown>, status = 200) {
  return call(ctx, 'post', user, `/allegations/${caseId}/${path}`, body, status);
}

/** Waits until the case's workflow is idle after the last step (its notices sent, its projections written). */
function settled(ctx: Ctx, caseId: string, what: string, more: (s: Summary) => boolean = () => true) {
  return ctx.captureWhen(caseId, what, (s) => s.idle && more(s));
}

/** A capture that cannot succeed any more: `capture` gives up at once instead of waiting. */
class TooSlow extends Error {}

/** Fails the scenario when a deadline it meant to beat has fired: the machine was too slow. */
function mustNotHave(s: Summary, notice: string): boolean {
  if (s.notices.includes(notice)) throw new TooSlow(`${notice} went out before the scenario's next step: too slow (rerun it with --only)`);
  return true;
}

const allegation = (caseId: string, history: History, file?: string): Recorded => ({ file, workflowId: allegationWorkflowId(caseId), history });

const FOUNDATION: Scenario[] = [
  {
    name: 'early-after-start',
    about: 'an urgent case (deadline an hour away) caught right after start: openTriage done, waiting on the reminder timer',
    async run(ctx) {
      const caseId = await logCase(ctx, 'staff@northshire', { urgency: 'urgent' });
      const history = await ctx.captureWhen(
        caseId,
        'openTriage done and the reminder timer started',
        (s) => s.idle && s.completed === 1 && s.activities.join() === 'openTriage' && s.timersStarted >= 1 && s.timersFired === 0,
      );
      return allegation(caseId, history);
    },
  },
  {
    name: 'routine-reminder-escalation',
    about: 'a routine case: triage reminder, then the escalation to the Returning Officer; still open, waiting for a decision',
    async run(ctx) {
      const caseId = await logCase(ctx, 'staff@northshire');
      const history = await ctx.captureWhen(
        caseId,
        'the reminder and the escalation',
        (s) => s.idle && s.open && s.activities.join() === 'openTriage,notify,notify' && s.completed === 3,
      );
      return allegation(caseId, history);
    },
  },
  {
    name: 'safety-concern',
    about: 'a safety concern: the SPOC/FEOA alert at once, the shortest triage deadline, its reminder and escalation',
    async run(ctx) {
      const caseId = await logCase(ctx, 'staff@southvale', { safetyConcern: true, category: 'undue_influence' });
      const history = await ctx.captureWhen(
        caseId,
        'the alert, the reminder and the escalation',
        (s) => s.idle && s.open && s.activities.join() === 'notify,openTriage,notify,notify' && s.completed === 4,
      );
      return allegation(caseId, history);
    },
  },
  {
    name: 'policy-changed',
    about: 'a routine case that got the policyChanged signal (PATCH /admin/policies/northshire) before its deadline, then its reminder and escalation',
    async run(ctx) {
      const caseId = await logCase(ctx, 'staff@northshire');
      await ctx.captureWhen(caseId, 'openTriage done, before the reminder', (s) => s.idle && s.completed === 1 && s.timersStarted >= 1 && s.timersFired === 0);
      const res = await ctx.http
        .patch('/admin/policies/northshire')
        .set('Authorization', `Bearer ${await ctx.token('admin@northshire')}`)
        .send({ triageDue: { routine: 'PT6S' } });
      if (res.status !== 200) throw new Error(`PATCH /admin/policies/northshire answered ${res.status}: ${JSON.stringify(res.body)}`);
      const history = await ctx.captureWhen(caseId, 'the signal, the reminder and the escalation', (s, events) => {
        // openTriage, the reminder, then the escalation: the signal must come before the escalation.
        const scheduled = events.flatMap((e, i) => (typeOf(e) === 'ACTIVITY_TASK_SCHEDULED' ? [i] : []));
        const signalAt = events.findIndex((e) => typeOf(e) === 'WORKFLOW_EXECUTION_SIGNALED');
        if (signalAt >= 0 && scheduled.length >= 3 && signalAt > scheduled[2]) throw new Error('the policyChanged signal arrived after the deadline passed');
        return s.idle && s.open && s.signals.join() === 'policyChanged' && s.activities.join() === 'openTriage,notify,notify' && s.completed === 3;
      });
      return allegation(caseId, history);
    },
  },
];

const LIFECYCLE: Scenario[] = [
  {
    name: 'lifecycle-refer-accept-close',
    about: 'refer, accept, an investigation update, the police outcome, closure by triage: the completed workflow',
    policy: LIFECYCLE_POLICY,
    async run(ctx) {
      const caseId = await logCase(ctx, 'staff@northshire');
      await settled(ctx, caseId, 'the workflow started and waiting');
      await decide(ctx, 'triage@northshire', caseId, 'triage', { decision: 'refer', forceId: 'northshire-police', note: 'names a canvasser and a care home' });
      await settled(ctx, caseId, 'the referral notice', (s) => s.notices.includes('referral_received'));
      await decide(ctx, 'spoc@northshire-police', caseId, 'referral/accept', { crimeReference: 'NP/2026/004512', note: 'allocated to CID' });
      await decide(ctx, 'spoc@northshire-police', caseId, 'referral/updates', { note: 'witnesses interviewed' });
      await decide(ctx, 'spoc@northshire-police', caseId, 'referral/outcome', { outcome: 'caution', note: 'suspect cautioned' });
      await settled(ctx, caseId, 'the accepted case with its outcome');
      await decide(ctx, 'triage@northshire', caseId, 'close', { outcome: 'caution', note: 'police cautioned the canvasser' });
      const history = await ctx.captureWhen(caseId, 'the workflow to complete', (s) => s.idle && s.finished);
      return allegation(caseId, history);
    },
  },
  {
    name: 'lifecycle-return-reroute-accept',
    about: 'refer to Northshire Police, the SPOC response reminder, returned as the wrong force, re-routed to Southvale Police, accepted there; still open',
    policy: { ...LIFECYCLE_POLICY, spocResponseDue: { routine: 'PT8S', urgent: 'PT8S', immediate: 'PT8S' } },
    async run(ctx) {
      const caseId = await logCase(ctx, 'staff@northshire');
      await settled(ctx, caseId, 'the workflow started and waiting');
      await decide(ctx, 'triage@northshire', caseId, 'triage', { decision: 'refer', forceId: 'northshire-police', note: 'first referral' });
      // the reminder falls 3 s before the 8 s response deadline
      await settled(
        ctx,
        caseId,
        'the SPOC response reminder',
        (s) => mustNotHave(s, 'spoc_response_escalation') && s.notices.includes('spoc_response_reminder'),
      );
      await decide(ctx, 'spoc@northshire-police', caseId, 'referral/return', {
        reasonCode: 'wrong_force',
        note: 'the address is in Southvale',
        suggestedForceId: 'southvale-police',
      });
      await settled(ctx, caseId, 'the return notice', (s) => mustNotHave(s, 'spoc_response_escalation') && s.notices.includes('referral_returned'));
      await decide(ctx, 'triage@northshire', caseId, 'triage', { decision: 'refer', forceId: 'southvale-police', note: 're-routed as the SPOC suggested' });
      await settled(ctx, caseId, 'the second referral notice', (s) => s.notices.filter((n) => n === 'referral_received').length === 2);
      await decide(ctx, 'spoc@southvale-police', caseId, 'referral/accept', { crimeReference: 'SV/2026/77' });
      const history = await settled(
        ctx,
        caseId,
        'the accepted case',
        (s) => s.open && s.updates.join() === 'triage,returnReferral,triage,acceptReferral' && mustNotHave(s, 'spoc_response_escalation'),
      );
      return allegation(caseId, history);
    },
  },
  {
    name: 'lifecycle-information-lapsed',
    about: 'a request for information whose 3 s reply deadline lapses: back to triage with a new deadline, the triage team told; still open',
    policy: { ...LIFECYCLE_POLICY, informationReplyDue: 'PT3S' },
    async run(ctx) {
      const caseId = await logCase(ctx, 'staff@southvale');
      await settled(ctx, caseId, 'the workflow started and waiting');
      await decide(ctx, 'triage@southvale', caseId, 'triage', { decision: 'request_information', question: 'When exactly?', note: 'time missing' });
      const history = await settled(
        ctx,
        caseId,
        'the lapse back to triage',
        (s) => s.open && s.notices.includes('information_reply_lapsed') && s.timersFired >= 1,
      );
      return allegation(caseId, history);
    },
  },
  {
    name: 'lifecycle-refused-withdrawn',
    about:
      'a referred case: refused decisions (a repeated referral, a withdrawal by staff), then withdrawn by triage and the force told: the completed workflow',
    policy: LIFECYCLE_POLICY,
    async run(ctx) {
      const caseId = await logCase(ctx, 'staff@northshire');
      await settled(ctx, caseId, 'the workflow started and waiting');
      await decide(ctx, 'triage@northshire', caseId, 'triage', { decision: 'refer', forceId: 'northshire-police', note: 'refer' });
      await settled(ctx, caseId, 'the referral notice', (s) => s.notices.includes('referral_received'));
      await decide(ctx, 'triage@northshire', caseId, 'triage', { decision: 'refer', forceId: 'northshire-police', note: 'again' }, 409);
      await decide(ctx, 'staff@northshire', caseId, 'withdraw', { note: 'staff try' }, 409);
      await decide(ctx, 'triage@northshire', caseId, 'withdraw', { note: 'reporter withdrew' });
      const history = await ctx.captureWhen(
        caseId,
        'the withdrawal notice and the end',
        (s) => s.idle && s.finished && s.notices.includes('referral_withdrawn'),
      );
      return allegation(caseId, history);
    },
  },
  {
    name: 'package-acknowledged-late',
    files: ['package-acknowledged-late', 'lifecycle-package-closed'],
    about:
      'evidence uploaded, the case referred, a package sealed (the evidencePackageWorkflow child), handed over, its acknowledgement reminded and escalated (4 s), then acknowledged: the completed child; the case accepted and closed by the Returning Officer: the completed parent',
    policy: { ...LIFECYCLE_POLICY, packageAcknowledgeDue: 'PT4S', remindBefore: ['PT2S'] },
    async run(ctx) {
      const caseId = await logCase(ctx, 'staff@northshire');
      const evidenceIds: string[] = [];
      for (const text of ['statement one', 'statement two']) {
        const res = await ctx.http
          .post(`/allegations/${caseId}/evidence`)
          .set('Authorization', `Bearer ${await ctx.token('staff@northshire')}`)
          .set('Content-Type', 'text/plain')
          .set('X-Description', text)
          .set('X-Filename', `${text.replace(' ', '-')}.txt`)
          .send(Buffer.from(`${text} for ${caseId}`));
        if (res.status !== 201) throw new Error(`POST /allegations/${caseId}/evidence answered ${res.status}: ${JSON.stringify(res.body)}`);
        evidenceIds.push(res.body.id);
      }
      evidenceIds.push(
        (
          await call(
            ctx,
            'post',
            'triage@northshire',
            `/allegations/${caseId}/evidence`,
            { kind: 'physical', description: 'ballot paper', sealNumber: 'S-77', location: 'strongroom' },
            201,
          )
        ).id,
      );
      await settled(ctx, caseId, 'the workflow started and waiting');
      await decide(ctx, 'triage@northshire', caseId, 'triage', { decision: 'refer', forceId: 'northshire-police', note: 'refer' });
      await settled(ctx, caseId, 'the referral notice', (s) => s.notices.includes('referral_received'));

      const pkg = await call(ctx, 'post', 'triage@northshire', `/allegations/${caseId}/packages`, { evidenceIds, note: 'for forensic examination' }, 201);
      const packageWorkflowId = evidencePackageWorkflowId(pkg.id);
      await settled(ctx, caseId, 'the sealed package and its child workflow', (s) => s.childrenStarted === 1);
      await ctx.capture(packageWorkflowId, 'the package workflow waiting for the handover', (s) => s.idle);
      await call(ctx, 'post', 'triage@northshire', `/packages/${pkg.id}/handover`, { note: 'collected by DC Smith' }, 200);
      await ctx.capture(
        packageWorkflowId,
        'the acknowledgement reminder and escalation',
        (s) => s.idle && s.notices.join() === 'package_acknowledge_reminder,package_acknowledge_escalation',
      );

      await decide(ctx, 'spoc@northshire-police', caseId, 'referral/accept', { crimeReference: 'NP/PKG/1' });
      await settled(ctx, caseId, 'the accepted case');
      await call(ctx, 'post', 'spoc@northshire-police', `/packages/${pkg.id}/acknowledge`, { note: 'received intact, seals checked' }, 200);
      const child = await ctx.capture(packageWorkflowId, 'the acknowledged package workflow to complete', (s) => s.idle && s.finished);

      await settled(ctx, caseId, "the parent told of its child's completion", (s) => s.childrenCompleted === 1);
      await decide(ctx, 'returning_officer@northshire', caseId, 'close', { outcome: 'no_further_action', note: 'every item accounted for' });
      const parent = await ctx.captureWhen(caseId, 'the case workflow to complete', (s) => s.idle && s.finished);
      return [{ file: 'package-acknowledged-late', workflowId: packageWorkflowId, history: child }, allegation(caseId, parent, 'lifecycle-package-closed')];
    },
  },
  {
    name: 'risk-review-cycle',
    about:
      'a risk reviewed every 3 s: the owner reminded, the Returning Officer escalated to after the 2 s grace, a review restarting the cycle, a cadence change (riskChanged), closure: the completed workflow',
    policy: { ...LIFECYCLE_POLICY, riskReviewGrace: 'PT2S' },
    async run(ctx) {
      const owner = findDemoUser('plan_owner@northshire')!;
      const mitigations = [{ description: 'Visit HMOs with more than 10 applications', ownerId: owner.id, status: 'in_progress' }];
      const risk = await call(
        ctx,
        'post',
        'returning_officer@northshire',
        '/risks',
        {
          title: 'Postal vote harvesting in houses of multiple occupation',
          category: 'houses_of_multiple_occupation',
          likelihood: 3,
          impact: 4,
          ownerId: owner.id,
          mitigations,
          reviewEvery: 'PT3S',
        },
        201,
      );
      const workflowId = riskReviewWorkflowId(risk.id);
      await ctx.capture(workflowId, 'the reminder and the escalation', (s) => s.idle && s.notices.join() === 'risk_review_reminder,risk_review_escalation');
      await call(
        ctx,
        'post',
        'plan_owner@northshire',
        `/risks/${risk.id}/reviews`,
        { notes: 'Visits done', likelihood: 2, mitigations: [{ ...mitigations[0], status: 'in_place' }] },
        201,
      );
      // the next review falls due 3 s after this one: change the cadence before it does
      await call(ctx, 'patch', 'plan_owner@northshire', `/risks/${risk.id}`, { reviewEvery: 'P7D' }, 200);
      const onlyTheFirstCycle = (s: Summary) => {
        if (s.notices.length > 2) throw new TooSlow('the next review fell due before the cadence change: too slow (rerun it with --only)');
        return true;
      };
      await ctx.capture(
        workflowId,
        'the review and the new cadence',
        (s) => onlyTheFirstCycle(s) && s.idle && s.updates.join() === 'riskReviewed' && s.signals.join() === 'riskChanged',
      );
      await call(ctx, 'post', 'returning_officer@northshire', `/risks/${risk.id}/close`, { note: 'mitigated for good' }, 200);
      const history = await ctx.capture(workflowId, 'the workflow to complete', (s) => onlyTheFirstCycle(s) && s.idle && s.finished);
      return { workflowId, history };
    },
  },
  {
    name: 'risk-review-dispatched',
    about:
      "a risk reviewed every 3 s whose notices the authority's dispatcher sends: the owner reminded, the Returning Officer escalated to after the 2 s grace, a review restarting the cycle, a cadence change (riskChanged), closure. Two histories: the risk's completed workflow (projections only, no timer) and the dispatcher's, still running",
    policy: { ...LIFECYCLE_POLICY, riskReviewGrace: 'PT2S' },
    files: ['risk-review-dispatched-cycle', 'risk-review-dispatch'],
    async run(ctx) {
      const owner = findDemoUser('plan_owner@northshire')!;
      const risk = await call(
        ctx,
        'post',
        'returning_officer@northshire',
        '/risks',
        {
          title: 'Intimidation of candidates at the count',
          category: 'candidate_safety',
          likelihood: 2,
          impact: 4,
          ownerId: owner.id,
          mitigations: [],
          reviewEvery: 'PT3S',
        },
        201,
      );
      const workflowId = riskReviewWorkflowId(risk.id);
      const dispatcherId = riskReviewDispatchWorkflowId('northshire', ctx.taskQueue);
      // The dispatcher's own count: the reminder, then after the grace the escalation.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const state = await ctx.client.workflow
          .getHandle(dispatcherId)
          .query(getRiskReviewDispatchStateQuery)
          .catch(() => undefined);
        if (state && state.reminders >= 1 && state.escalations >= 1) break;
        if (Date.now() > deadline) throw new Error(`the dispatcher did not send the reminder and the escalation within 60 s: ${JSON.stringify(state)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      await call(ctx, 'post', 'plan_owner@northshire', `/risks/${risk.id}/reviews`, { notes: 'Escorts arranged', likelihood: 1, mitigations: [] }, 201);
      await call(ctx, 'patch', 'plan_owner@northshire', `/risks/${risk.id}`, { reviewEvery: 'P7D' }, 200);
      await ctx.capture(
        workflowId,
        'the review and the new cadence',
        (s) => s.idle && s.updates.join() === 'riskReviewed' && s.signals.join() === 'riskChanged',
      );
      await call(ctx, 'post', 'returning_officer@northshire', `/risks/${risk.id}/close`, { note: 'mitigated for good' }, 200);
      const history = await ctx.capture(workflowId, 'the workflow to complete', (s) => s.idle && s.finished && s.timersStarted === 0 && s.notices.length === 0);
      const dispatcher = await ctx.capture(dispatcherId, 'the dispatcher idle', (s) => s.idle && s.open);
      return [
        { file: 'risk-review-dispatched-cycle', workflowId, history },
        { file: 'risk-review-dispatch', workflowId: dispatcherId, history: dispatcher },
      ];
    },
  },
  {
    name: 'liaison-contact-cycle',
    about:
      'a liaison agreement with contact every 3 s: both sides reminded, the Returning Officer escalated to after the 2 s grace, a contact recorded by the SPOC restarting the cycle, a cadence change (liaisonChanged); still running',
    policy: { ...LIFECYCLE_POLICY, liaisonContactGrace: 'PT2S' },
    async run(ctx) {
      const id = (user: string) => findDemoUser(user)!.id;
      const agreement = await call(
        ctx,
        'put',
        'returning_officer@northshire',
        '/liaison/northshire-police',
        {
          spocId: id('spoc@northshire-police'),
          feoaId: id('feoa@northshire-police'),
          leadId: id('staff@northshire'),
          contactEvery: 'PT3S',
          notes: 'weekly planning meeting',
        },
        201,
      );
      const workflowId = liaisonWorkflowId(agreement.id);
      await ctx.capture(
        workflowId,
        'the reminder and the escalation',
        (s) => s.idle && s.notices.join() === 'liaison_contact_reminder,liaison_contact_escalation',
      );
      await call(
        ctx,
        'post',
        'spoc@northshire-police',
        '/liaison/northshire-police/contacts',
        { authorityId: 'northshire', by: 'DS Example (SPOC)', with: 'Electoral services manager', channel: 'phone', summary: 'count plan' },
        201,
      );
      await call(
        ctx,
        'put',
        'returning_officer@northshire',
        '/liaison/northshire-police',
        {
          spocId: id('spoc@northshire-police'),
          feoaId: id('feoa@northshire-police'),
          leadId: id('staff@northshire'),
          contactEvery: 'P1W',
          notes: 'monthly from now',
        },
        200,
      );
      const history = await ctx.capture(workflowId, 'the contact and the new cadence', (s) => {
        if (s.notices.length > 2) throw new TooSlow('the next contact fell due before the cadence change: too slow (rerun it with --only)');
        return (
          s.idle &&
          s.updates.join() === 'liaisonContact' &&
          s.signals.includes('liaisonChanged') &&
          s.activities.filter((a) => a === 'projectLiaisonDue').length >= 4
        );
      });
      return { workflowId, history };
    },
  },
  {
    name: 'evidence-checks',
    files: ['evidence-integrity-pass', 'evidence-retention-review-pass', 'email-retry-pass'],
    about:
      "one run each of the Schedules' workflows (evidenceIntegrityWorkflow, evidenceRetentionReviewWorkflow, emailRetryWorkflow), started directly: completed",
    async run(ctx) {
      const runs: [string, string][] = [
        ['evidenceIntegrityWorkflow', 'evidence-integrity-pass'],
        ['evidenceRetentionReviewWorkflow', 'evidence-retention-review-pass'],
        ['emailRetryWorkflow', 'email-retry-pass'],
      ];
      const recorded: Recorded[] = [];
      for (const [workflowType, file] of runs) {
        const workflowId = `${file}-${randomBytes(4).toString('hex')}`;
        await ctx.client.workflow.execute(workflowType, { workflowId, taskQueue: ctx.taskQueue, args: [] });
        recorded.push({ file, workflowId, history: await ctx.capture(workflowId, `${workflowType} to complete`, (s) => s.idle && s.finished) });
      }
      return recorded;
    },
  },
  {
    name: 'transparency-checkpoint',
    files: ['transparency-checkpoint-pass'],
    about:
      "one run of the checkpoint Schedule's workflow (transparencyCheckpointWorkflow), started directly after a case was logged, so it signs one checkpoint: completed",
    async run(ctx) {
      await logCase(ctx, 'staff@northshire');
      const workflowId = `transparency-checkpoint-pass-${randomBytes(4).toString('hex')}`;
      await ctx.client.workflow.execute('transparencyCheckpointWorkflow', { workflowId, taskQueue: ctx.taskQueue, args: [] });
      return {
        file: 'transparency-checkpoint-pass',
        workflowId,
        history: await ctx.capture(workflowId, 'transparencyCheckpointWorkflow to complete', (s) => s.idle && s.finished),
      };
    },
  },
];

const SCENARIOS: Scenario[] = [...FOUNDATION, ...LIFECYCLE];
const filesOf = (s: Scenario) => s.files ?? [s.name];

// --- infrastructure

/**
 * The worker's evidence store: this tree's FsContentStore over `dir`, the directory the API
 * stores uploads in. Required lazily, so that the script still runs in a clone of a commit from
 * before libs/storage existed (whose worker takes no store).
 */
function evidenceStore(dir: string): unknown {
  try {
    const storage = require('../libs/storage') as typeof import('../libs/storage');
    return new storage.FsContentStore(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

/**
 * The key the worker signs checkpoints with: this tree's, under DATA_DIR. Required lazily like
 * the store: a clone of a commit from before libs/transparency has no checkpoints.
 */
function checkpointSigner(dataDir: string): unknown {
  try {
    const transparency = require('../libs/transparency') as typeof import('../libs/transparency');
    return transparency.loadCheckpointSigner({ DATA_DIR: dataDir });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

/**
 * The client's and worker's connections to `address`, with the environment's TLS settings, through
 * this tree's libs/temporal; required lazily like the store (a clone of a commit from before
 * libs/temporal connects in plain gRPC, as it then did).
 */
function temporalConnectors(address: string, env: NodeJS.ProcessEnv): { client(): Promise<Connection>; worker(): Promise<NativeConnection> } {
  try {
    const lib = require('../libs/temporal') as typeof import('../libs/temporal');
    const native = require('../libs/temporal/native') as typeof import('../libs/temporal/native');
    const config = lib.temporalConfigFor(address, env);
    return { client: () => lib.connectTemporalClient(config), worker: () => native.connectTemporalWorker(config) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    return { client: () => Connection.connect({ address }), worker: () => NativeConnection.connect({ address }) };
  }
}

function parseArgs(argv: string[]): { out: string; only?: string[] } {
  let out = join(root, 'test', 'histories');
  let only: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (!v) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--out' || arg.startsWith('--out=')) out = resolve(process.cwd(), value());
    else if (arg === '--only' || arg.startsWith('--only=')) only = value().split(',');
    else if (arg === '--help' || arg === '-h') {
      process.stderr.write(`usage: npm run record:histories [-- --out DIR] [-- --only ${SCENARIOS.map((s) => s.name).join(',')}]\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg} (try --help)`);
  }
  const unknown = only?.filter((n) => !SCENARIOS.some((s) => s.name === n)) ?? [];
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return { out, only };
}

async function main(): Promise<void> {
  const { out, only } = parseArgs(process.argv.slice(2));
  const scenarios = SCENARIOS.filter((s) => !only || only.includes(s.name));
  const stops: { name: string; stop: () => Promise<unknown> }[] = [];
  const stopAll = async () => {
    for (const { name, stop } of stops.splice(0).reverse()) await stop().catch((e) => say(`stopping ${name}: ${(e as Error).message}`));
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stopAll().then(() => process.exit(143)));
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });

    // PostgreSQL: a database of our own, dropped at the end.
    let serverUrl = process.env.DATABASE_URL;
    if (!serverUrl) {
      const pgDir = join(tmpdir(), `casework-record-pg-${randomBytes(4).toString('hex')}`);
      say(`starting embedded PostgreSQL (throw-away, ${pgDir})`);
      stops.push({ name: 'PostgreSQL data directory', stop: async () => rmSync(pgDir, { recursive: true, force: true }) });
      const pg = await startEmbeddedPostgres({ dataDir: pgDir, persistent: false, database: 'casework_record' });
      stops.push({ name: 'PostgreSQL', stop: () => pg.stop() });
      serverUrl = pg.url;
    } else {
      say('using the PostgreSQL server at DATABASE_URL (a throw-away database there)');
    }
    const database = await createThrowAwayDatabase(serverUrl, `casework_record_${randomBytes(4).toString('hex')}`);
    stops.push({ name: 'database', stop: () => database.drop() });
    const databaseUrl = database.url;
    const db = await createDataSource({ url: databaseUrl, poolSize: 5 }).initialize();
    stops.push({ name: 'database pool', stop: () => db.destroy() });
    await migrate(db);
    await seedDemo(db);
    const setPolicy = async (patch: Record<string, unknown>) => {
      for (const id of ['northshire', 'southvale']) await new PoliciesStore(db).mergeFields(id, patch);
    };
    await setPolicy(POLICY);

    // Temporal.
    let address = process.env.TEMPORAL_ADDRESS;
    if (!address) {
      say('starting the Temporal dev server (in memory)');
      const server = await startTemporalDevServer({ log: say });
      stops.push({ name: 'Temporal', stop: () => server.stop() });
      address = server.address;
    } else {
      say(`using TEMPORAL_ADDRESS ${address}`);
    }
    const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
    const taskQueue = `record-${randomBytes(4).toString('hex')}`;

    // The API, in this process.
    const dataDir = mkdtempSync(join(tmpdir(), 'casework-record-data-'));
    stops.push({ name: 'DATA_DIR', stop: async () => rmSync(dataDir, { recursive: true, force: true }) });
    // The API stores uploaded evidence here and the worker's activities read it (sealing a package,
    // the integrity check): one directory for both.
    const evidenceDir = join(dataDir, 'evidence');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: '10',
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      OUTBOX_SWEEP_MS: '3600000',
      EVIDENCE_DIR: evidenceDir,
    };
    delete env.AUTH_JWKS_URL;
    delete env.AUTH_ISSUER;
    delete env.AUTH_AUDIENCE;
    const app = await createApiApp(loadApiConfigs(env), pino({ level: 'silent' }));
    await app.init();
    stops.push({ name: 'API', stop: () => app.close() });
    const keys = await loadOrCreateSigningKeys(dataDir);
    const temporalConnections = temporalConnectors(address, env);
    const connection = await temporalConnections.client();
    stops.push({ name: 'Temporal client', stop: () => connection.close() });
    const client = new Client({ connection, namespace });

    // The worker, with the workflows of this tree.
    say('bundling the workflows');
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../workflows'),
      logger: new DefaultLogger('WARN'),
      webpackConfigHook: withPathAliases,
    });
    const nativeConnection = await temporalConnections.worker();
    stops.push({ name: 'worker connection', stop: () => nativeConnection.close() });
    // No mailer: notifications stay in-app. The evidence store, when this tree has one (a clone
    // of an older commit has no libs/storage; its worker takes no store, hence the cast).
    // As the worker's database role, as the worker process runs (undefined in a clone from before
    // the roles existed: then the owner, as then).
    const workerDb = await createDataSource({ url: databaseUrl, poolSize: 5, applicationName: 'casework-worker', role: WORKER_ROLE }).initialize();
    stops.push({ name: 'worker database pool', stop: () => workerDb.destroy() });
    const workerOptions = {
      connection: nativeConnection,
      namespace,
      taskQueue,
      db: workerDb,
      workflowBundle,
      store: evidenceStore(evidenceDir),
      checkpointSigner: checkpointSigner(dataDir),
    };
    const worker = await createAllegationWorker(workerOptions as Parameters<typeof createAllegationWorker>[0]);

    /** Polls the history until `ready` holds. A probe that throws is tried again, a TooSlow ends the wait at once. */
    const capture: Ctx['capture'] = async (workflowId, what, ready, timeoutMs = 30_000) => {
      const handle = client.workflow.getHandle(workflowId);
      const deadline = Date.now() + timeoutMs;
      let last: Summary | undefined;
      let lastError: Error | undefined;
      for (;;) {
        try {
          const history = await handle.fetchHistory();
          last = summary(history.events ?? []);
          if (ready(last, history.events ?? [])) return history;
        } catch (error) {
          lastError = error as Error;
          if (error instanceof TooSlow) break;
        }
        if (Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const why = lastError instanceof TooSlow ? lastError.message : `timed out after ${timeoutMs} ms${lastError ? ` (${lastError.message})` : ''}`;
      throw new Error(`waiting for ${what} (${workflowId}): ${why}; the history had: ${JSON.stringify(last)}`);
    };
    const ctx: Ctx = {
      http: request(app.getHttpServer()),
      client,
      taskQueue,
      token: async (username) => {
        const user = findDemoUser(username);
        if (!user) throw new Error(`no demo user ${username}`);
        return signToken(keys, { sub: user.id, roles: user.roles, authorityId: user.authorityId, forceId: user.forceId, name: user.username });
      },
      capture,
      captureWhen: (caseId, what, ready, timeoutMs) => capture(allegationWorkflowId(caseId), what, ready, timeoutMs),
    };

    mkdirSync(out, { recursive: true });
    const recorded: string[] = [];
    await worker.runUntil(async () => {
      // One after another: the policy change signals every open case of the authority, and each
      // scenario sets the policy its cases are logged with.
      for (const scenario of scenarios) {
        say(`${scenario.name}: ${scenario.about}`);
        await setPolicy(scenario.policy ?? POLICY);
        const results = [await scenario.run(ctx)].flat();
        const names = results.map((r) => r.file ?? scenario.name);
        if (names.join() !== filesOf(scenario).join()) throw new Error(`${scenario.name} recorded ${names.join(', ')}, not ${filesOf(scenario).join(', ')}`);
        for (const [i, { workflowId, history }] of results.entries()) {
          const file = join(out, `${names[i]}.json`);
          const json = scrubIdentities(historyToJSON(history));
          writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
          const s = summary(history.events ?? []);
          const type = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '?';
          const line = [
            `${relative(process.cwd(), file) || file}: ${type} ${workflowId}, ${history.events?.length} events, ${s.finished ? 'completed' : 'open'}`,
            `activities ${s.activities.join(', ') || 'none'}`,
            ...(s.notices.length ? [`notices ${s.notices.join(', ')}`] : []),
            `timers ${s.timersStarted} started, ${s.timersFired} fired`,
            ...(s.signals.length ? [`signals ${s.signals.join(', ')}`] : []),
            ...(s.updates.length ? [`updates ${s.updates.join(', ')}`] : []),
            ...(s.childrenStarted ? [`children ${s.childrenStarted} started, ${s.childrenCompleted} completed`] : []),
          ].join('; ');
          recorded.push(line);
          say(`recorded ${line}`);
        }
      }
    });
    process.stdout.write(`recorded ${recorded.length} histories in ${out}:\n${recorded.map((l) => `  ${l}\n`).join('')}`);
  } finally {
    await stopAll();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    say(`failed: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
