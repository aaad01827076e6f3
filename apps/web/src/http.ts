// Express plumbing for the pages: which paths are pages (so the API's JSON-only rule leaves their
// form posts alone), the form body parser, and the static assets (GOV.UK Frontend's dist and ours).
import express, { RequestHandler } from 'express';
import type { INestApplication } from '@nestjs/common';
import { join } from 'node:path';
import { GOVUK_DIR, PUBLIC_DIR } from './paths';

/** Page paths. None of them is an API path: the JSON API keeps /allegations, /risks, ... as they are. */
export const WEB_ROUTES = [
  /^\/$/,
  /^\/(sign-in|sign-out|cases|work-queue|risk-register|police-liaison|elections|ballot-security|alerts|my-notifications|assets)(\/|$)/,
  // Indicators, candidate contacts and the transparency log; the JSON API keeps /indicators, /candidate-contacts, /transparency.
  /^\/(monitoring|candidates|transparency-log)(\/|$)/,
  // The administration pages; the JSON API keeps /admin/users, /admin/authorities, /admin/policies, ...
  /^\/admin\/(directory|policy|retention)(\/|$)/,
];

export const isWebPath = (path: string) => WEB_ROUTES.some((r) => r.test(path));

const forms = express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 200 });

/** Parses url-encoded form posts on page paths; multipart and raw uploads are streamed by their pages. */
export function webForms(): RequestHandler {
  return (req, res, next) => (isWebPath(req.path) && req.is('application/x-www-form-urlencoded') ? forms(req, res, next) : next());
}

export function mountWebAssets(app: INestApplication): void {
  const options = { immutable: false, maxAge: '1h', index: false, fallthrough: true };
  app.use('/assets/govuk', express.static(join(GOVUK_DIR, 'govuk'), options));
  app.use('/assets', express.static(join(GOVUK_DIR, 'govuk', 'assets'), options));
  app.use('/assets/app', express.static(PUBLIC_DIR, options));
}
