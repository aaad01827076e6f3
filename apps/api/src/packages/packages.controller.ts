import { Body, Controller, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiStandardErrors } from '../common/api-docs';
import type { Response } from 'express';
import type { Principal } from '@libs/auth/principal';
import { CurrentUser, Roles } from '../auth/decorators';
import { CreatePackageDto, PackageNoteDto } from './dto/package.dto';
import { PackagesService } from './packages.service';

@ApiTags('evidence')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller()
export class PackagesController {
  constructor(@Inject(PackagesService) private readonly packages: PackagesService) {}

  /** Seals the chosen items into a package for the force the case is referred to: 201 { id, manifestSha256, items } */
  @Post('allegations/:id/packages')
  @ApiOperation({ summary: 'Seal evidence items into a package for the force' })
  @Roles('triage')
  create(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: CreatePackageDto) {
    return this.packages.create(principal, id, dto);
  }

  @Get('packages/:id')
  @ApiOperation({ summary: 'Read one evidence package and its manifest' })
  @Roles('staff', 'triage', 'returning_officer', 'legal', 'spoc', 'feoa')
  get(@CurrentUser() principal: Principal, @Param('id') id: string) {
    return this.packages.get(principal, id);
  }

  @Post('packages/:id/handover')
  @ApiOperation({ summary: "Record a package's handover to the force" })
  @HttpCode(200)
  @Roles('triage')
  handOver(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: PackageNoteDto) {
    return this.packages.handOver(principal, id, dto);
  }

  @Post('packages/:id/acknowledge')
  @ApiOperation({ summary: 'Acknowledge receipt of a package (the force)' })
  @HttpCode(200)
  @Roles('spoc')
  acknowledge(@CurrentUser() principal: Principal, @Param('id') id: string, @Body() dto: PackageNoteDto) {
    return this.packages.acknowledge(principal, id, dto);
  }

  /** The package as a zip streamed from storage, its manifest included. */
  @Get('packages/:id/download')
  @ApiOperation({ summary: 'Download a package as a zip, its manifest included' })
  @Roles('triage', 'returning_officer', 'legal', 'spoc')
  async download(@CurrentUser() principal: Principal, @Param('id') id: string, @Res() res: Response) {
    const { filename, body } = await this.packages.download(principal, id);
    res.status(200).setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    body.on('error', () => res.destroy());
    body.pipe(res);
  }
}
