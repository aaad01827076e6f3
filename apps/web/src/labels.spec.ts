// The notifications page names each notification's kind ({{ n.kind | label }}): every kind a
// notification is stored under has words, so a Welsh page never shows a humanised English code.
import { NOTIFICATION_KINDS } from '@libs/domain';
import { hasLabel, labelOf } from './labels';

it.each(NOTIFICATION_KINDS.map((k) => [k]))('the notification kind %s has words in English and Welsh', (kind) => {
  expect(hasLabel(kind)).toBe(true);
  expect(labelOf(kind, 'cy')).not.toBe(labelOf(kind, 'en'));
});
