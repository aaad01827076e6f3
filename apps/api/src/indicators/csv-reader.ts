// Reads an observations CSV as it arrives: hashes and counts the bytes, parses a record at a
// time, checks each row and hands good ones on in batches. Memory holds one batch and the first
// problems, never the file. Backpressure comes from awaiting each batch before reading on.
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse, CsvError } from 'csv-parse';
import { checkObservation, checkObservationHeader, type IndicatorsByKey, type Observation, type RowProblem, fieldProblem } from '@libs/domain';

/** A refused file names this many problems; the count says how many there were in all. */
export const MAX_REPORTED_PROBLEMS = 1_000;

export class CsvTooLarge extends Error {}

export interface CsvReadResult {
  rows: number;
  bytes: number;
  sha256: string;
  problems: RowProblem[];
  problemCount: number;
}

export interface CsvReadOptions {
  maxBytes: number;
  indicators: IndicatorsByKey;
  now: number;
  batchSize: number;
  /** called with each batch of good rows, in file order; not called again once a row is bad */
  onBatch(rows: { line: number; observation: Observation }[]): Promise<void>;
  onProgress?(rows: number, bytes: number): void;
  progressEvery?: number;
}

export async function readObservationsCsv(body: Readable, options: CsvReadOptions): Promise<CsvReadResult> {
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > options.maxBytes) return done(new CsvTooLarge());
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const problems: RowProblem[] = [];
  let problemCount = 0;
  const report = (found: RowProblem[]) => {
    problemCount += found.length;
    for (const p of found) if (problems.length < MAX_REPORTED_PROBLEMS) problems.push(p);
  };
  let headerOk = true;
  const parser = parse({
    bom: true,
    info: true,
    skip_empty_lines: true,
    relax_column_count: true,
    trim: true,
    columns: (header: string[]) => {
      const found = checkObservationHeader(header);
      report(found);
      headerOk = found.length === 0;
      return header;
    },
  });
  let rows = 0;
  let batch: { line: number; observation: Observation }[] = [];
  const progressEvery = options.progressEvery ?? 20_000;
  try {
    await pipeline(
      body,
      meter,
      parser,
      async (records: AsyncIterable<{ record: Record<string, string>; info: { lines: number; invalid_field_length: number } }>) => {
        let lastLength = 0;
        for await (const { record, info } of records) {
          rows++;
          if (!headerOk) continue;
          const line = info.lines;
          // relax_column_count counts records whose length differs from the header's.
          if (info.invalid_field_length > lastLength) {
            lastLength = info.invalid_field_length;
            report([{ ...fieldProblem('(row)', 'indicator.row_fields'), line }]);
            continue;
          }
          const { observation, problems: found } = checkObservation(record as never, line, options.indicators, options.now);
          if (found.length > 0) {
            report(found);
            continue;
          }
          if (problemCount > 0) continue; // the file is refused; keep reading only to name the rest
          batch.push({ line, observation: observation! });
          if (batch.length >= options.batchSize) {
            await options.onBatch(batch);
            batch = [];
          }
          if (options.onProgress && rows % progressEvery === 0) options.onProgress(rows, bytes);
        }
      },
    );
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines ?? 0;
      report([
        {
          ...fieldProblem('(row)', 'indicator.not_csv', { reason: error.message.replace(/^Invalid (Record|Opening Quote|Closing Quote)[^:]*:\s*/i, '') }),
          line,
        },
      ]);
      return { rows, bytes, sha256: hash.digest('hex'), problems, problemCount };
    }
    throw error;
  }
  if (problemCount === 0 && batch.length > 0) await options.onBatch(batch);
  if (bytes === 0) report([{ ...fieldProblem('(file)', 'indicator.empty'), line: 1 }]);
  else if (rows === 0 && problemCount === 0) report([{ ...fieldProblem('(file)', 'indicator.no_rows'), line: 2 }]);
  return { rows, bytes, sha256: hash.digest('hex'), problems, problemCount };
}
