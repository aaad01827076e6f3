// Emails follow the recipient's language: a Welsh-speaking triage officer (users.language = 'cy')
// gets the triage reminder in Welsh, with its date in Welsh, while the Returning Officer, who
// never chose, gets the escalation in English, both from the same case.
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';
import { startTestSmtpServer, TestSmtpServer } from './support/smtp';

const TRIAGE = 'triage@northshire.example.gov.uk';
const RETURNING_OFFICER = 'returning-officer@northshire.example.gov.uk';

let stack: TestStack;
let smtp: TestSmtpServer;

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  stack = await startTestStack({
    smtpUrl: smtp.url,
    policy: { triageDue: { routine: 'PT4S', urgent: 'PT4S', immediate: 'PT4S' }, remindBefore: ['PT2S'], workingDays: false },
  });
});
afterAll(async () => {
  await stack?.close();
  await smtp?.close();
});

it('sends a Welsh-speaking recipient a Welsh email, and an English one an English email', async () => {
  await stack.db.query(`UPDATE users SET language = 'cy' WHERE username = 'triage@northshire'`);
  const created = await stack.http
    .post('/allegations')
    .set('Authorization', `Bearer ${await stack.token('staff@northshire')}`)
    .send(allegationBody())
    .expect(201);
  const { reference } = created.body;
  const to = (address: string) => smtp.received.filter((m) => m.rcptTo.includes(address) && m.text.includes(reference));

  const [welsh] = await eventually('the Welsh reminder', async () => to(TRIAGE).length > 0 && to(TRIAGE));
  expect(welsh.subject).toMatch(new RegExp(`^Nodyn atgoffa: ${reference}, brysbennu erbyn \\d{1,2} \\S+ \\d{4} am \\d{1,2}:\\d{2}y[bh]$`));
  expect(welsh.text).toContain(`Rhaid brysbennu honiad ${reference} erbyn `);
  expect(welsh.text).toContain(`Cyfeirnod yr achos: ${reference}`);
  expect(welsh.text).toContain('Mae hwn hefyd yn eich hysbysiadau yn y system gwaith achos.');
  expect(welsh.text).not.toContain('Case reference');

  const [english] = await eventually('the English escalation', async () => to(RETURNING_OFFICER).length > 0 && to(RETURNING_OFFICER));
  expect(english.subject).toBe(`Escalation: ${reference} triage deadline passed`);
  expect(english.text).toContain(`Case reference: ${reference}`);
});
