import { Controller, Get, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors, ApiStandardErrors } from '../common/api-docs';
import type { Principal } from '@libs/auth/principal';
import { runInTenantScope } from '@libs/persistence';
import { CurrentUser, Public, Roles } from '../auth/decorators';
import { notFound } from '../common/api-error';
import { uuid, wholeNumber } from './query';
import { TransparencyService } from './transparency.service';

/**
 * The Merkle log over every audit event of an authority. Reading it needs no token, like
 * /health: anyone may hold the authority to its signed checkpoints. Nothing here discloses what
 * an event says: only hashes, sizes and log indexes.
 */
/**
 * A public read runs in the scope of the authority its path names, so that row-level security
 * admits that authority's log and no other's (README "Tenancy in the database"). A path that is
 * no authority's id gets no scope; the service answers 404 for it.
 */
function forAuthority<T>(authorityId: string, read: () => Promise<T>): Promise<T> {
  return /^[\w.-]{1,100}$/.test(authorityId) ? runInTenantScope({ authorityId }, read) : read();
}

@ApiTags('transparency')
@ApiStandardErrors()
@Controller('transparency')
export class TransparencyController {
  constructor(@Inject(TransparencyService) private readonly transparency: TransparencyService) {}

  @Post('checkpoints')
  @ApiErrors([409, "the authority's audit log cannot be read whole"])
  @Roles('admin', 'legal')
  @ApiBearerAuth()
  @ApiOperation({ summary: "sign a checkpoint of the caller's authority's log as it stands now" })
  issue(@CurrentUser() principal: Principal) {
    if (!principal.authorityId) throw notFound('authority');
    return this.transparency.issue(principal.authorityId);
  }

  @Get(':authorityId/checkpoints/latest')
  @Public()
  @ApiOperation({ summary: 'the newest signed checkpoint; 404 before the first' })
  latest(@Param('authorityId') authorityId: string) {
    return forAuthority(authorityId, () => this.transparency.latest(authorityId));
  }

  @Get(':authorityId/checkpoints')
  @Public()
  @ApiOperation({ summary: 'signed checkpoints, newest first, cursor-paged' })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 100, default 20' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor from the previous page' })
  list(@Param('authorityId') authorityId: string, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    const n = wholeNumber(limit, 'limit', { min: 1 }) ?? 20;
    return forAuthority(authorityId, () => this.transparency.list(authorityId, Math.min(n, 100), cursor));
  }

  @Get(':authorityId/public-key')
  @Public()
  @ApiOperation({ summary: 'the Ed25519 key that signs the checkpoints (raw base64 and PEM)' })
  @ApiQuery({ name: 'keyId', required: false, description: "a key that signed one of the authority's checkpoints; default: the latest checkpoint's" })
  publicKey(@Param('authorityId') authorityId: string, @Query('keyId') keyId?: string) {
    return forAuthority(authorityId, () => this.transparency.publicKey(authorityId, keyId === undefined || keyId === '' ? undefined : keyId));
  }

  @Get(':authorityId/checkpoint.note')
  @Public()
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'the newest checkpoint as a C2SP tlog-checkpoint signed note (c2sp.org/signed-note, Ed25519); 404 before the first' })
  @ApiQuery({ name: 'treeSize', required: false, description: 'the newest checkpoint of this size instead' })
  @ApiOkResponse({
    description: 'origin, tree size, base64 root hash, time of issue; a blank line; "— election-casework/<authorityId> <base64(key ID || signature)>"',
  })
  async note(@Param('authorityId') authorityId: string, @Res({ passthrough: true }) res: Response, @Query('treeSize') treeSize?: string) {
    const size = wholeNumber(treeSize, 'treeSize');
    const note = await forAuthority(authorityId, () => this.transparency.note(authorityId, size));
    // Set once there is a note: an error is still JSON, and says so.
    res.type('text/plain; charset=utf-8');
    return note;
  }

  @Get(':authorityId/vkey')
  @Public()
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'the checkpoint key as a signed-note verifier key: <name>+<key ID hex>+<base64(0x01 || Ed25519 key)>' })
  @ApiQuery({ name: 'keyId', required: false, description: "as for public-key: a key that signed one of the authority's checkpoints" })
  async vkey(@Param('authorityId') authorityId: string, @Res({ passthrough: true }) res: Response, @Query('keyId') keyId?: string) {
    const key = await forAuthority(authorityId, () => this.transparency.publicKey(authorityId, keyId === undefined || keyId === '' ? undefined : keyId));
    res.type('text/plain; charset=utf-8');
    return `${key.vkey}\n`;
  }

  @Get(':authorityId/tlog/inclusion')
  @Public()
  @ApiOperation({
    summary:
      'an inclusion proof in the form proof.VerifyInclusion (github.com/transparency-dev/merkle) takes: index, size, leaf, leafHash, root, proof, hashes base64',
  })
  @ApiQuery({ name: 'index', required: false, description: 'the log index of the event; or give caseId and seq' })
  @ApiQuery({ name: 'caseId', required: false })
  @ApiQuery({ name: 'seq', required: false })
  @ApiQuery({ name: 'size', required: false, description: 'the tree size; default: the latest checkpoint that holds the event, else the whole log' })
  tlogInclusion(
    @Param('authorityId') authorityId: string,
    @Query('index') index?: string,
    @Query('caseId') caseId?: string,
    @Query('seq') seq?: string,
    @Query('size') size?: string,
  ) {
    const byIndex = index !== undefined && index !== '';
    const at = byIndex
      ? { index: wholeNumber(index, 'index')! }
      : { caseId: uuid(caseId, 'caseId'), seq: wholeNumber(seq, 'seq', { min: 1, required: true })! };
    const tree = wholeNumber(size, 'size', { min: 1 });
    return forAuthority(authorityId, () => this.transparency.tlogInclusion(authorityId, at, tree));
  }

  @Get(':authorityId/tlog/consistency')
  @Public()
  @ApiOperation({ summary: 'a consistency proof in the form proof.VerifyConsistency takes: size1, size2, root1, root2, proof, hashes base64' })
  @ApiQuery({ name: 'size1', required: true })
  @ApiQuery({ name: 'size2', required: false, description: 'default: the whole log' })
  tlogConsistency(@Param('authorityId') authorityId: string, @Query('size1') size1?: string, @Query('size2') size2?: string) {
    const range = { size1: wholeNumber(size1, 'size1', { required: true })!, size2: wholeNumber(size2, 'size2') };
    return forAuthority(authorityId, () => this.transparency.tlogConsistency(authorityId, range.size1, range.size2));
  }

  @Get(':authorityId/proofs/inclusion')
  @Public()
  @ApiOperation({ summary: 'the audit path of one audit event (case or record id and seq) in a tree of the log' })
  @ApiQuery({ name: 'caseId', required: true, description: 'the id of the case (or risk, liaison agreement, candidate contact) whose chain holds the event' })
  @ApiQuery({ name: 'seq', required: true })
  @ApiQuery({ name: 'treeSize', required: false, description: 'default: the latest checkpoint that holds the event, else the whole log' })
  inclusion(@Param('authorityId') authorityId: string, @Query('caseId') caseId?: string, @Query('seq') seq?: string, @Query('treeSize') treeSize?: string) {
    const at = {
      caseId: uuid(caseId, 'caseId'),
      seq: wholeNumber(seq, 'seq', { min: 1, required: true })!,
      treeSize: wholeNumber(treeSize, 'treeSize', { min: 1 }),
    };
    return forAuthority(authorityId, () => this.transparency.inclusion(authorityId, at.caseId, at.seq, at.treeSize));
  }

  @Get(':authorityId/proofs/consistency')
  @Public()
  @ApiOperation({ summary: 'the proof that the tree of `from` events is a prefix of the tree of `to`' })
  @ApiQuery({ name: 'from', required: true })
  @ApiQuery({ name: 'to', required: false, description: 'default: the whole log' })
  consistency(@Param('authorityId') authorityId: string, @Query('from') from?: string, @Query('to') to?: string) {
    const range = { from: wholeNumber(from, 'from', { required: true })!, to: wholeNumber(to, 'to') };
    return forAuthority(authorityId, () => this.transparency.consistency(authorityId, range.from, range.to));
  }
}
