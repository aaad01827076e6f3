import { Controller, Get, Headers, Inject, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiStandardErrors } from '../common/api-docs';
import type { Response } from 'express';
import type { Principal } from '@libs/auth/principal';
import { CurrentUser, Roles } from '../auth/decorators';
import { accessStatement } from '../common/access-reason';
import { badRequest } from '../common/api-error';
import { renderBundlePdf } from './bundle-pdf';
import { BundleService } from './bundle.service';

@ApiTags('history')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller('allegations/:id/export')
export class ExportsController {
  constructor(@Inject(BundleService) private readonly bundles: BundleService) {}

  /**
   * The court bundle, as JSON for the offline verifier or as PDF for a person to read (the same
   * content, with the JSON bundle's SHA-256 on every page). Each export is a disclosure recorded
   * in the case's audit chain, and is in the bundle it records.
   */
  @Get()
  @ApiOperation({ summary: 'Export the court bundle, as JSON (for the offline verifier) or PDF' })
  @Roles('legal')
  @ApiQuery({ name: 'format', enum: ['json', 'pdf'], required: false })
  @ApiHeader({ name: 'X-Access-Reason', required: true, description: 'why the bundle is being exported; recorded in the audit chain' })
  @ApiHeader({ name: 'X-Disclosed-To', required: false, description: 'who receives the bundle (for example the CPS), when not the reader' })
  @ApiProduces('application/json', 'application/pdf')
  async export(
    @CurrentUser() principal: Principal,
    @Param('id') id: string,
    @Query('format') format: string | undefined,
    @Headers('x-access-reason') reason: string | undefined,
    @Headers('x-disclosed-to') recipient: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const chosen = format ?? 'json';
    if (chosen !== 'json' && chosen !== 'pdf') throw badRequest('format must be json or pdf', [{ field: 'format', problem: 'must be json or pdf' }]);
    const access = accessStatement(reason, recipient, principal.name ?? principal.sub);
    const bundle = await this.bundles.build(principal, id, access, chosen);
    res.setHeader('X-Bundle-SHA256', bundle.bundleSha256);
    res.setHeader('Cache-Control', 'no-store');
    const name = `${bundle.case.reference}-bundle`;
    if (chosen === 'json') {
      res.setHeader('Content-Disposition', `attachment; filename="${name}.json"`);
      return bundle;
    }
    return new StreamableFile(await renderBundlePdf(bundle), { type: 'application/pdf', disposition: `attachment; filename="${name}.pdf"` });
  }
}
