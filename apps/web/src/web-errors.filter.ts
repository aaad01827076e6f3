import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { LOGGER } from '@libs/logging';
import { ApiFailure } from './api-client';
import { tFor } from './i18n';
import { refusalReason } from './problems';
import { clearCookie, SESSION_COOKIE } from './session';
import { BadCsrf, NotSignedIn, sendPage } from './web-user';

/** Errors on page routes become pages (GOV.UK's error page patterns), never JSON. */
@Catch()
export class WebErrorsFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request & { id?: string }>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const status =
      exception instanceof ApiFailure
        ? exception.status
        : exception instanceof HttpException
          ? exception.getStatus()
          : exception instanceof BadCsrf
            ? 403
            : 500;
    if (exception instanceof NotSignedIn || status === 401) {
      if (status === 401) clearCookie(req, res, SESSION_COOKIE);
      res.redirect(303, `/sign-in?next=${encodeURIComponent(req.method === 'GET' ? req.originalUrl : '/')}`);
      return;
    }
    if (status >= 500)
      this.log.error(
        { reqId: req.id, err: exception instanceof Error ? { message: exception.message, stack: exception.stack } : String(exception) },
        'page failed',
      );
    const t = tFor(req);
    const pages: Record<number, { title: string; body: string }> = {
      403: {
        title: t('You cannot do this'),
        body:
          exception instanceof BadCsrf
            ? t('The form had expired or did not come from this service. Go back, reload the page and try again.')
            : t('Your role does not allow this. If you think it should, ask your administrator.'),
      },
      404: {
        title: t('Page not found'),
        body: t('If you typed the web address, check it is correct. A case that belongs to another authority or force is not shown.'),
      },
      503: {
        title: t('Sorry, the service is unavailable'),
        body: t('A part of the service is not answering. Try again in a few minutes. Nothing you submitted has been lost.'),
      },
    };
    const page = pages[status] ?? {
      title: t('Sorry, there is a problem with the service'),
      body: t('Try again later. If you report this, quote request {{request}}.', { request: req.id ?? 'unknown' }),
    };
    sendPage(
      req,
      res,
      undefined,
      'error.njk',
      { ...page, message: exception instanceof ApiFailure && status < 500 ? refusalReason(exception, t) : undefined },
      pages[status] ? status : status >= 400 && status < 500 ? status : 500,
    );
  }
}
