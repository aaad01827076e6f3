// The authority's transparency log: its signed checkpoints, newest first, and (for the
// administrator and the legal team) a checkpoint signed on demand, for example before a court
// bundle is exported or after polling day. A log that cannot be read whole is not signed over:
// the API's 409 is shown as it is, and nothing is signed.
import { Controller, ForbiddenException, Get, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '@libs/auth/decorators';
import { ApiFailure } from '../api-client';
import { addError, FormErrors, noErrors } from '../forms';
import { refusalReason } from '../problems';
import { tFor } from '../i18n';
import { WebErrorsFilter } from '../web-errors.filter';
import { sendPage, WebUser, WebUsers } from '../web-user';

/** As the API's @Roles on POST /transparency/checkpoints. */
const SIGNERS = ['admin', 'legal'] as const;
const SHOWN = 20;

@Public()
@UseFilters(WebErrorsFilter)
@ApiExcludeController()
@Controller('transparency-log')
export class TransparencyPageController {
  constructor(@Inject(WebUsers) private readonly users: WebUsers) {}

  @Get()
  async log(@Req() req: Request, @Res() res: Response) {
    await this.show(req, res, await this.users.require(req));
  }

  @Post('checkpoints')
  async sign(@Req() req: Request, @Res() res: Response) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    this.authorityOf(user);
    try {
      const checkpoint = await user.api.post<{ treeSize: number }>('/transparency/checkpoints', {});
      res.redirect(303, `/transparency-log?signed=${checkpoint.treeSize}`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || ![403, 409].includes(error.status)) throw error;
      await this.show(
        req,
        res,
        user,
        {
          ...addError(noErrors(), 'sign-checkpoint', t('No checkpoint was signed: {{reason}}', { reason: refusalReason(error, t) })),
          broken: error.status === 409,
        },
        error.status,
      );
    }
  }

  /** The log is an authority's: a force's users and the national administrator have none. */
  private authorityOf(user: WebUser): string {
    if (!user.principal.authorityId) throw new ForbiddenException();
    return user.principal.authorityId;
  }

  private async show(req: Request, res: Response, user: WebUser, form?: FormErrors & { broken?: boolean }, status = 200) {
    const t = tFor(req);
    const authorityId = this.authorityOf(user);
    const page = await user.api.get<{ items: unknown[]; nextCursor: string | null }>(`/transparency/${authorityId}/checkpoints?limit=${SHOWN}`);
    const signed = !form && typeof req.query.signed === 'string' && /^\d{1,15}$/.test(req.query.signed) ? Number(req.query.signed) : undefined;
    sendPage(
      req,
      res,
      user,
      'transparency/log.njk',
      {
        title: t('Transparency log'),
        authorityId,
        checkpoints: page.items,
        more: Boolean(page.nextCursor),
        shown: SHOWN,
        canSign: user.has(...SIGNERS),
        signed,
        broken: form?.broken ?? false,
        errors: form?.errors ?? {},
        errorList: form?.errorList ?? [],
      },
      status,
    );
  }
}
