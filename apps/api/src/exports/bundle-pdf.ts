// The court bundle for a person to read: the same content as the JSON bundle, laid out with a
// cover page, the case, a timeline, custody tables and how to verify it. Every page carries the
// bundle's SHA-256 (the JSON bundle's hash, which the verifier checks) and its page number.
import PDFDocument from 'pdfkit';
import type { CourtBundle } from './bundle.types';

const MARGIN = 50;
const FOOTER_GAP = 30;

function summarise(value: unknown, max = 160): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const london = (iso: string | null | undefined) =>
  iso ? `${new Date(iso).toLocaleString('en-GB', { timeZone: 'Europe/London', dateStyle: 'medium', timeStyle: 'medium' })} (${iso})` : '—';

export function renderBundlePdf(bundle: CourtBundle): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN + FOOTER_GAP, left: MARGIN, right: MARGIN },
    bufferPages: true,
    info: { Title: `Court bundle ${bundle.case.reference}`, Subject: `SHA-256 ${bundle.bundleSha256}` },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - 2 * MARGIN;
  const heading = (text: string) => doc.moveDown(0.8).font('Helvetica-Bold').fontSize(14).text(text).moveDown(0.3).font('Helvetica').fontSize(10);
  const field = (label: string, value: unknown) =>
    doc
      .font('Helvetica-Bold')
      .text(`${label}: `, { continued: true })
      .font('Helvetica')
      .text(summarise(value, 600) || '—');

  // Cover page.
  const c = bundle.case;
  doc.font('Helvetica-Bold').fontSize(22).text('Court bundle', { align: 'left' }).moveDown(0.5);
  doc.fontSize(16).text(`Case ${c.reference}`).moveDown(1).font('Helvetica').fontSize(11);
  field('Authority', c.authorityId);
  field('Category', c.category);
  field('Status', c.status);
  field('Outcome', c.outcome);
  field('Occurred', london(c.occurredAt));
  field('Logged', london(c.createdAt));
  doc.moveDown();
  field('Exported', london(bundle.disclosure.at));
  field('Exported by', `${bundle.disclosure.actor} (${bundle.disclosure.role})`);
  field('Reason', bundle.disclosure.reason);
  field('Disclosed to', bundle.disclosure.recipient);
  doc.moveDown();
  field('Bundle SHA-256', bundle.bundleSha256);
  field('Audit events', bundle.history.events.length);
  field('History head', bundle.history.head);
  field('Evidence items', bundle.evidence.length);
  if (bundle.transparency)
    field(
      'Checkpoint',
      `tree size ${bundle.transparency.checkpoint.treeSize}, root ${bundle.transparency.checkpoint.rootHash}, issued ${bundle.transparency.checkpoint.issuedAt}, key ${bundle.transparency.checkpoint.keyId}`,
    );
  doc
    .moveDown()
    .fontSize(9)
    .fillColor('#444')
    .text(
      'This document is the readable form of the JSON court bundle with the SHA-256 above. To check it without the casework system, run ' +
        "`npx casework-bundle-verifier verify bundle.json --public-key <authority key>` on the JSON bundle: it recomputes the bundle hash, the case's audit hash chain, " +
        'every evidence hash against the events that recorded it, the signed checkpoint and an inclusion proof of every event.',
    )
    .fillColor('black');

  // The case.
  doc.addPage();
  heading('The case');
  field('Description', c.description);
  field('Location', c.location);
  field('Urgency', c.urgency);
  field('Safety concern', c.safetyConcern ? 'yes' : 'no');
  field('Referred to', c.referral);
  field('Deadlines', c.deadlines);

  // Timeline: every audit event, in order.
  heading('Timeline');
  const cols = [35, 120, 110, 150, width - 415];
  const row = (cells: string[], bold = false) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
    const heights = cells.map((cell, i) => doc.heightOfString(cell, { width: cols[i] - 4 }));
    const h = Math.max(...heights) + 4;
    if (doc.y + h > doc.page.height - MARGIN - FOOTER_GAP) doc.addPage();
    const y = doc.y;
    let x = MARGIN;
    cells.forEach((cell, i) => {
      doc.text(cell, x, y, { width: cols[i] - 4 });
      x += cols[i];
    });
    doc.x = MARGIN;
    doc.y = y + h;
  };
  row(['Seq', 'When (UTC)', 'Who', 'What', 'Details'], true);
  for (const e of bundle.history.events) row([String(e.seq), e.at, `${e.actor} (${e.role})`, e.action, summarise(e.after, 200)]);

  // Evidence and its custody.
  heading('Evidence and chain of custody');
  if (bundle.evidence.length === 0) doc.text('No evidence is logged against this case.');
  for (const item of bundle.evidence) {
    doc
      .moveDown(0.5)
      .font('Helvetica-Bold')
      .fontSize(10)
      .text(`${item.kind === 'digital' ? 'File' : 'Physical item'}: ${item.description}`)
      .font('Helvetica')
      .fontSize(9);
    if (item.sha256) doc.text(`SHA-256 ${item.sha256}, ${item.size} bytes, ${item.contentType ?? ''}${item.filename ? `, named ${item.filename}` : ''}`);
    if (item.sealNumber) doc.text(`Seal ${item.sealNumber}, at ${item.location ?? '—'}`);
    doc.text(`Status ${item.status}, held by ${item.holder}`).moveDown(0.3);
    const custodyCols = [25, 70, 95, 95, 120, width - 405];
    const saved = cols.splice(0, cols.length, ...custodyCols);
    row(['#', 'Action', 'From', 'To', 'When (UTC)', 'Where / note'], true);
    for (const entry of item.custody)
      row([
        String(entry.seq),
        entry.action,
        entry.from ?? '',
        entry.to ?? '',
        entry.at ?? '',
        [entry.location, entry.sealNumber && `seal ${entry.sealNumber}`, entry.note].filter(Boolean).join('; '),
      ]);
    cols.splice(0, cols.length, ...saved);
  }
  if (bundle.packages.length > 0) {
    heading('Evidence packages');
    for (const p of bundle.packages) doc.text(`${p.id}: ${p.status}, manifest SHA-256 ${p.manifestSha256}, ${p.items.length} items`);
  }

  // Page footers, now that the page count is known.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const y = doc.page.height - MARGIN - 12;
    // Writing into the bottom margin must not start a new page.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('Helvetica')
      .fontSize(7)
      .fillColor('#333')
      .text(`${bundle.case.reference} · bundle SHA-256 ${bundle.bundleSha256} · page ${i + 1} of ${range.count}`, MARGIN, y, {
        width,
        align: 'center',
        lineBreak: false,
      });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
