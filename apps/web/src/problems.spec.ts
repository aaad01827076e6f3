// The API's refusals in Welsh. Every code the API can refuse with is listed once, in
// libs/domain/problems.ts; a code without its Welsh (or a value it names without Welsh words)
// fails here, so no refusal reaches a Welsh page in English.
import { ROLES } from '@libs/auth/principal';
import {
  CUSTODY_ACTION_CODES,
  CUSTODY_ACTIONS,
  EVIDENCE_STATUS_CODES,
  PASS_THROUGH_CODES,
  PROBLEMS,
  problem,
  problemText,
  ROLE_CODES,
  type ProblemCode,
  type ProblemSpec,
} from '@libs/domain';
import { ApiFailure, type ErrorDetail } from './api-client';
import { loadCatalogue, translator } from './i18n';
import { hasLabel, labelOf } from './labels';
import { detailProblem, refusalReason } from './problems';

const cy = loadCatalogue('cy');
const en = loadCatalogue('en');
const CODES = Object.keys(PROBLEMS) as ProblemCode[];
const welsh = translator('cy');
const english = translator('en');

describe('every refusal code the API can give', () => {
  it.each(CODES.filter((c) => !PASS_THROUGH_CODES.includes(c)).map((c) => [c]))('%s has its Welsh, and its English as the API words it', (code) => {
    const { text } = PROBLEMS[code];
    expect({ code, welsh: cy[text] !== undefined && cy[text] !== text }).toEqual({ code, welsh: true });
    expect({ code, english: en[text] }).toEqual({ code, english: text });
  });

  it('names only values that have Welsh words: each code a value may be has its label, each phrase its Welsh', () => {
    const missing: string[] = [];
    for (const code of CODES) {
      for (const [name, kind] of Object.entries((PROBLEMS[code] as ProblemSpec).values ?? {})) {
        if (typeof kind !== 'object') continue;
        const members = 'term' in kind ? kind.term : 'code' in kind ? kind.code : kind.codes;
        for (const member of members) {
          // A label may be the same in Welsh (FEOA), but it must be in the Welsh catalogue.
          const has = 'term' in kind ? cy[member] !== undefined : hasLabel(member) && cy[labelOf(member, 'en')] !== undefined;
          if (!has) missing.push(`${code} {{${name}}}: ${member}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('has one wording per code, so a wording reads back to one code', () => {
    const texts = CODES.map((c) => PROBLEMS[c].text);
    expect(texts.filter((t, i) => texts.indexOf(t) !== i)).toEqual([]);
  });

  it('takes its code sets from the code that owns them', () => {
    expect([...ROLE_CODES]).toEqual([...ROLES]);
    expect([...CUSTODY_ACTION_CODES]).toEqual([...CUSTODY_ACTIONS]);
    expect([...EVIDENCE_STATUS_CODES].sort()).toEqual(['destroyed', 'handed_over', 'held', 'packaged']);
  });
});

const refused = (p: ReturnType<typeof problem>, details: ErrorDetail[] = []) =>
  new ApiFailure(409, { statusCode: 409, message: p.message, code: p.code, values: p.values, details });

describe('a refusal on a Welsh page', () => {
  it('is said by its code, the case status as its Welsh label and the decision by its Welsh name', () => {
    const p = problem('decision.not_in_state', { status: 'accepted', decision: 'return', allowed: ['referred'] });
    expect(refusalReason(refused(p), welsh)).toBe(
      'statws yr achos yw ‘Wedi’i dderbyn gan yr heddlu’; dim ond pan fo’r statws yn ‘Wedi’i atgyfeirio at yr heddlu’ y caniateir dychwelyd yr atgyfeiriad',
    );
    expect(refusalReason(refused(p), english)).toBe('the case is accepted; return is allowed only when it is referred');
  });

  it('gives times in Welsh, in UK time, and joins a choice of roles with "neu"', () => {
    expect(refusalReason(refused(problem('extension.already_applied', { at: '2026-04-20T10:00:00.000Z' })), welsh)).toBe(
      'gwnaed cais am estyniad eisoes ar 20 Ebrill 2026 am 11:00yb',
    );
    expect(refusalReason(refused(problem('decision.role_needed', { roles: ['staff', 'triage', 'returning_officer'] })), welsh)).toBe(
      'dim ond rhywun â’r rôl Staff etholiadol, Brysbennu neu Swyddog Canlyniadau all wneud y penderfyniad hwn',
    );
  });

  it('keeps what people typed and the identifiers as they are', () => {
    const p = problem('custody.needs_reseal', { sealNumber: 'S-0042' });
    expect(refusalReason(refused(p), welsh)).toBe('mae’r eitem wedi’i selio â S-0042; i roi rhif sêl newydd rhaid ailselio, gyda rheswm');
  });

  it("falls back to the API's English for a code it has no words for, or a refusal without one", () => {
    const failure = new ApiFailure(409, { message: 'something new the pages do not know yet', code: 'brand.new_code', values: {} });
    expect(refusalReason(failure, welsh)).toBe('something new the pages do not know yet');
    expect(refusalReason(new ApiFailure(409, { message: 'an old refusal' }), welsh)).toBe('an old refusal');
    expect(refusalReason(refused(problem('decision.uncoded', { reason: 'from an older worker' })), welsh)).toBe('from an older worker');
  });

  it('says each problem of a validation failure by its own code', () => {
    const details = [
      { field: 'title', problem: problemText('validation.max_length', { max: 300 }), code: 'validation.max_length', values: { max: 300 } },
      { field: 'ownerId', problem: 'is not a user of this authority', code: 'field.not_user_of_authority', values: {} },
    ];
    const failure = new ApiFailure(422, { message: 'title must be …; ownerId is not …', code: 'request.invalid', values: {}, details });
    expect(refusalReason(failure, welsh)).toBe('title: rhaid iddo fod yn 300 nod neu lai; ownerId: nid yw’n ddefnyddiwr yn yr awdurdod hwn');
    expect(detailProblem(details[0], english)).toBe('must be shorter than or equal to 300 characters');
  });
});
