import { DEFAULT_POLICY, mergePolicy, Policy, validatePolicy, withPolicyDefaults } from './policy';

/** A deep copy of the default policy with `change` applied to it. */
function policyWith(change: (p: Record<string, any>) => void): Record<string, any> {
  const copy = structuredClone(DEFAULT_POLICY) as unknown as Record<string, any>;
  change(copy);
  return copy;
}

const fields = (value: unknown) => validatePolicy(value).map((p) => p.field);

describe('DEFAULT_POLICY', () => {
  it('is valid', () => {
    expect(validatePolicy(DEFAULT_POLICY)).toEqual([]);
  });

  it('survives a JSON round trip still valid', () => {
    expect(validatePolicy(JSON.parse(JSON.stringify(DEFAULT_POLICY)))).toEqual([]);
  });
});

describe('validatePolicy', () => {
  it.each([null, [], 'P2D', 42, undefined])('refuses a document that is not an object (%p)', (value) => {
    expect(validatePolicy(value)).toEqual([{ field: '', problem: 'must be a JSON object', code: 'validation.json_object', values: {} }]);
  });

  it.each<[string, (p: Record<string, any>) => void, string]>([
    ['an unknown top-level field', (p) => (p.escalateAfter = 'P1D'), 'escalateAfter'],
    ['a bad triage duration', (p) => (p.triageDue.routine = 'P1M'), 'triageDue.routine'],
    ['a zero triage duration', (p) => (p.triageDue.urgent = 'PT0S'), 'triageDue.urgent'],
    ['a missing triage urgency', (p) => delete p.triageDue.immediate, 'triageDue.immediate'],
    ['an unknown urgency', (p) => (p.triageDue.critical = 'PT10M'), 'triageDue.critical'],
    ['triageDue not an object', (p) => (p.triageDue = 'P2D'), 'triageDue'],
    ['triageDue a list', (p) => (p.triageDue = ['P2D', 'PT4H', 'PT30M']), 'triageDue'],
    ['a bad SPOC response duration', (p) => (p.spocResponseDue.immediate = 'soon'), 'spocResponseDue.immediate'],
    ['spocResponseDue missing', (p) => delete p.spocResponseDue, 'spocResponseDue'],
    ['remindBefore not a list', (p) => (p.remindBefore = 'PT2H'), 'remindBefore'],
    ['a bad reminder', (p) => (p.remindBefore = ['PT2H', 'P1Y']), 'remindBefore[1]'],
    ['workingDays not a boolean', (p) => (p.workingDays = 'yes'), 'workingDays'],
    ['workingDays missing', (p) => delete p.workingDays, 'workingDays'],
    ['a bad information reply duration', (p) => (p.informationReplyDue = '5 days'), 'informationReplyDue'],
    ['an extension task at twelve months, too late to apply', (p) => (p.extensionTaskAfterMonths = 12), 'extensionTaskAfterMonths'],
    ['an extension task at a fraction of a month', (p) => (p.extensionTaskAfterMonths = 9.5), 'extensionTaskAfterMonths'],
    ['an extension task given as a duration', (p) => (p.extensionTaskAfterMonths = 'P10M'), 'extensionTaskAfterMonths'],
    ['pollWindow missing', (p) => delete p.pollWindow, 'pollWindow'],
    ['pollWindow null', (p) => (p.pollWindow = null), 'pollWindow'],
    ['a bad pollWindow.before', (p) => (p.pollWindow.before = '7 days'), 'pollWindow.before'],
    ['a missing pollWindow.after', (p) => delete p.pollWindow.after, 'pollWindow.after'],
    ['a zero scale', (p) => (p.pollWindow.scale = 0), 'pollWindow.scale'],
    ['a negative scale', (p) => (p.pollWindow.scale = -0.5), 'pollWindow.scale'],
    ['a scale over 1', (p) => (p.pollWindow.scale = 1.5), 'pollWindow.scale'],
    ['a scale given as text', (p) => (p.pollWindow.scale = '0.5'), 'pollWindow.scale'],
    ['a NaN scale', (p) => (p.pollWindow.scale = NaN), 'pollWindow.scale'],
    ['an unknown pollWindow field', (p) => (p.pollWindow.weekends = true), 'pollWindow.weekends'],
    ['a bad packageAcknowledgeDue', (p) => (p.packageAcknowledgeDue = 'P1M'), 'packageAcknowledgeDue'],
    ['a numeric riskReviewGrace', (p) => (p.riskReviewGrace = 86400), 'riskReviewGrace'],
    ['a liaison grace in months', (p) => (p.liaisonContactGrace = 'P1M'), 'liaisonContactGrace'],
  ])('names the field for %s', (_label, change, field) => {
    const problems = validatePolicy(policyWith(change));
    expect(problems).toHaveLength(1);
    expect(problems[0].field).toBe(field);
    expect(problems[0].problem).toEqual(expect.any(String));
  });

  it('accepts a scale of exactly 1 and an empty reminder list', () => {
    expect(validatePolicy(policyWith((p) => (p.pollWindow.scale = 1)))).toEqual([]);
    expect(validatePolicy(policyWith((p) => (p.remindBefore = [])))).toEqual([]);
    expect(validatePolicy(policyWith((p) => (p.workingDays = false)))).toEqual([]);
  });

  it('reports every problem at once', () => {
    const bad = policyWith((p) => {
      p.triageDue.routine = 'P1M';
      p.remindBefore = ['PT2H', 'nope', 'P0D'];
      p.pollWindow.scale = 2;
      p.extra = 1;
    });
    expect(fields(bad).sort()).toEqual(['extra', 'pollWindow.scale', 'remindBefore[1]', 'remindBefore[2]', 'triageDue.routine']);
  });

  it('names every missing field of an empty document', () => {
    expect(fields({}).sort()).toEqual(
      [
        'evidenceRetention',
        'extensionTaskAfterMonths',
        'informationReplyDue',
        'liaisonContactGrace',
        'packageAcknowledgeDue',
        'pollWindow',
        'remindBefore',
        'riskReviewGrace',
        'riskReviewNearPoll',
        'spocResponseDue',
        'triageDue',
        'workingDays',
      ].sort(),
    );
  });
});

describe('mergePolicy', () => {
  it('merges nested objects, keeping the members the patch does not name', () => {
    const merged = mergePolicy(DEFAULT_POLICY, { pollWindow: { scale: 0.5 }, triageDue: { urgent: 'PT2H' } }) as Policy;
    expect(merged.pollWindow).toEqual({ before: 'P7D', after: 'P2D', scale: 0.5 });
    expect(merged.triageDue).toEqual({ routine: 'P2D', urgent: 'PT2H', immediate: 'PT30M' });
    expect(merged.spocResponseDue).toEqual(DEFAULT_POLICY.spocResponseDue);
    expect(validatePolicy(merged)).toEqual([]);
  });

  it('replaces lists rather than appending to them', () => {
    const merged = mergePolicy({ ...DEFAULT_POLICY, remindBefore: ['P1D', 'PT2H'] }, { remindBefore: ['PT30M'] }) as Policy;
    expect(merged.remindBefore).toEqual(['PT30M']);
    expect((mergePolicy(DEFAULT_POLICY, { remindBefore: [] }) as Policy).remindBefore).toEqual([]);
  });

  it('replaces scalars', () => {
    const merged = mergePolicy(DEFAULT_POLICY, { workingDays: false, riskReviewGrace: 'PT12H' }) as Policy;
    expect(merged.workingDays).toBe(false);
    expect(merged.riskReviewGrace).toBe('PT12H');
  });

  it('leaves the current policy untouched', () => {
    const current = structuredClone(DEFAULT_POLICY);
    mergePolicy(current, { pollWindow: { scale: 0.5 }, remindBefore: ['PT1H'], workingDays: false });
    expect(current).toEqual(DEFAULT_POLICY);
  });

  it('an empty patch gives the current policy', () => {
    expect(mergePolicy(DEFAULT_POLICY, {})).toEqual(DEFAULT_POLICY);
  });

  it('carries bad or unknown patch members through so that validatePolicy names them', () => {
    expect(fields(mergePolicy(DEFAULT_POLICY, { pollWindow: null }))).toEqual(['pollWindow']);
    expect(fields(mergePolicy(DEFAULT_POLICY, { pollWindow: { scale: 0 } }))).toEqual(['pollWindow.scale']);
    expect(fields(mergePolicy(DEFAULT_POLICY, { triageDue: 'P1D' }))).toEqual(['triageDue']);
    expect(fields(mergePolicy(DEFAULT_POLICY, { triageDue: { soon: 'PT1H' } }))).toEqual(['triageDue.soon']);
    expect(fields(mergePolicy(DEFAULT_POLICY, { colour: 'blue' }))).toEqual(['colour']);
  });

  it('refuses a "__proto__" member of a JSON patch instead of silently dropping it', () => {
    const patch = JSON.parse('{"__proto__": {"workingDays": "sometimes"}, "workingDays": false}');
    const merged = mergePolicy(DEFAULT_POLICY, patch) as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(fields(merged)).toEqual(['__proto__']);
  });
});

describe('withPolicyDefaults', () => {
  it('completes a document stored before a field existed, keeping what it says', () => {
    const { informationReplyDue, extensionTaskAfterMonths, evidenceRetention, liaisonContactGrace, ...old } = structuredClone(DEFAULT_POLICY);
    const completed = withPolicyDefaults({ ...old, remindBefore: ['PT1H'] });
    expect(validatePolicy(completed)).toEqual([]);
    expect(completed).toMatchObject({ informationReplyDue, extensionTaskAfterMonths, evidenceRetention, liaisonContactGrace, remindBefore: ['PT1H'] });
  });
});
