import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiStandardErrors } from '../common/api-docs';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Request, Response } from 'express';
import type { Principal } from '@libs/auth/principal';
import { CurrentUser, Roles } from '../auth/decorators';
import { unprocessable } from '../common/api-error';
import { validationProblems } from '../common/validation';
import { CustodyEventDto, DisposalDto, LegalHoldDto, PhysicalEvidenceDto } from './dto/evidence.dto';
import { EvidenceService } from './evidence.service';
import { problem } from '@libs/domain';

@ApiTags('evidence')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller()
export class EvidenceController {
  constructor(@Inject(EvidenceService) private readonly evidence: EvidenceService) {}

  /**
   * A digital file as the raw request body (its Content-Type, `X-Filename`, `X-Description`),
   * streamed and hashed; or, as JSON, a physical item. 201 for a new item; 200 with
   * `duplicate: true` when the same bytes are already logged against this case.
   */
  @Post('allegations/:id/evidence')
  @ApiOperation({ summary: 'Add evidence: a digital file (raw body, streamed and hashed) or a physical item (JSON)' })
  @ApiErrors(
    [409, 'the case is closed; no evidence can be added'],
    [413, 'the file is larger than EVIDENCE_MAX_BYTES, or the JSON body too large'],
    [415, 'the file type is not accepted (the message lists those that are), or a physical item not sent as JSON'],
    507,
  )
  @Roles('staff', 'triage', 'spoc')
  @ApiConsumes('application/octet-stream', 'application/pdf', 'image/jpeg', 'application/json')
  @ApiHeader({ name: 'X-Description', required: false, description: 'what the file is (required for a file)' })
  @ApiHeader({ name: 'X-Filename', required: false, description: 'the original file name, percent-encoded if not ASCII; kept as metadata only' })
  async add(@CurrentUser() principal: Principal, @Param('id') id: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    if (req.is('application/json')) {
      const dto = plainToInstance(PhysicalEvidenceDto, req.body ?? {});
      const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
      if (errors.length > 0) {
        throw unprocessable(problem('evidence.physical_invalid'), validationProblems(errors));
      }
      const allegation = await this.evidence.caseForEvidence(principal, id);
      res.status(201);
      return this.evidence.addPhysical(principal, allegation, dto);
    }
    // Refusals before the body is read close the connection, so that a large body is not drained.
    try {
      const headers = this.evidence.uploadHeaders(req);
      const allegation = await this.evidence.caseForEvidence(principal, id);
      const { duplicate, item } = await this.evidence.addDigital(principal, allegation, headers, req);
      res.status(duplicate ? 200 : 201);
      return { ...item, duplicate };
    } catch (error) {
      if (!req.readableEnded) res.setHeader('Connection', 'close');
      throw error;
    }
  }

  /** The case's evidence items, oldest first, without their custody logs. */
  @Get('allegations/:id/evidence')
  @ApiOperation({ summary: "List a case's evidence items, oldest first" })
  @Roles('staff', 'triage', 'returning_officer', 'legal', 'spoc', 'feoa')
  list(@CurrentUser() principal: Principal, @Param('id') id: string) {
    return this.evidence.listForCase(principal, id);
  }

  @Get('evidence/:id')
  @ApiOperation({ summary: 'Read one evidence item with its custody log' })
  @Roles('staff', 'triage', 'returning_officer', 'legal', 'spoc', 'feoa')
  get(@CurrentUser() principal: Principal, @Param('id') id: string) {
    return this.evidence.get(principal, id);
  }

  /** The stored bytes, unchanged, with their SHA-256 in `X-Content-SHA256` (and `Repr-Digest`). */
  @Get('evidence/:id/content')
  @ApiOperation({ summary: "Download a digital item's stored bytes, with their SHA-256" })
  @ApiErrors([409, 'a physical item has no stored content'], 410)
  @Roles('staff', 'triage', 'returning_officer', 'legal', 'spoc', 'feoa')
  async content(@CurrentUser() principal: Principal, @Param('id') id: string, @Res() res: Response) {
    const { item, body } = await this.evidence.openContent(principal, id);
    res.status(200);
    res.setHeader('Content-Type', item.contentType ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(item.size));
    res.setHeader('X-Content-SHA256', item.sha256!);
    res.setHeader('Repr-Digest', `sha-256=:${Buffer.from(item.sha256!, 'hex').toString('base64')}:`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="evidence-${item.id}"${item.filename ? `; filename*=UTF-8''${encodeURIComponent(item.filename)}` : ''}`,
    );
    body.on('error', () => res.destroy());
    body.pipe(res);
  }

  @Post('evidence/:id/custody')
  @ApiOperation({ summary: 'Record a custody transfer of an item' })
  @ApiErrors([409, 'the item is not in a state that allows this transfer; `item` is the item as it stands'])
  @Roles('staff', 'triage', 'spoc')
  custody(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: CustodyEventDto) {
    return this.evidence.custody(principal, id, dto);
  }

  /** Places or lifts a legal hold, which blocks disposal. */
  @Post('evidence/:id/legal-hold')
  @ApiOperation({ summary: 'Place or lift a legal hold, which blocks disposal' })
  @ApiErrors([409, "the hold cannot be placed or lifted in the item's state"])
  @HttpCode(200)
  @Roles('legal', 'returning_officer')
  legalHold(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: LegalHoldDto) {
    return this.evidence.legalHold(principal, id, dto);
  }

  /** Disposal after review, once the retention date has passed and no legal hold applies. */
  @Post('evidence/:id/dispose')
  @ApiOperation({ summary: 'Dispose of an item after review, once retention has passed and no hold applies' })
  @ApiErrors([409, 'retention has not passed, a legal hold applies, or the item is already disposed of; `item` is the item as it stands'])
  @HttpCode(200)
  @Roles('returning_officer')
  dispose(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: DisposalDto) {
    return this.evidence.dispose(principal, id, dto);
  }
}
