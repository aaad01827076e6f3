// The national returns (DESIGN.md "Reporting"): the Electoral Commission collects cases of
// alleged electoral fraud from police forces in five broad categories. Each offence category an
// allegation is logged under falls in exactly one. Pure data: the workflow sandbox may import it.
import type { OffenceCategory } from './allegation';

export const RETURN_CATEGORIES = ['campaigning', 'registration', 'voting', 'nomination', 'administration'] as const;
export type ReturnCategory = (typeof RETURN_CATEGORIES)[number];

/**
 * Offences in how people campaign are `campaigning`; offences in casting a vote or influencing
 * how it is cast are `voting`. No intake category is a nomination offence yet (false statements
 * on nomination papers are logged as `other`), and `other` goes to `administration`, the
 * returns' category for what fits none of the rest.
 */
export const RETURN_CATEGORY_OF: Readonly<Record<OffenceCategory, ReturnCategory>> = {
  personation: 'voting',
  postal_vote: 'voting',
  proxy_vote: 'voting',
  undue_influence: 'voting',
  bribery: 'voting',
  treating: 'voting',
  registration: 'registration',
  false_statement: 'campaigning',
  imprint: 'campaigning',
  campaign_finance: 'campaigning',
  other: 'administration',
};
