import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ROLES, type Role } from '@libs/auth/principal';

/** Ids of tenants: what the existing ones look like (northshire, northshire-police). */
const TENANT_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;
const TENANT_ID_MESSAGE = 'must be 2 to 63 lower-case letters, digits and hyphens, starting with a letter or digit, such as northshire-police';
/** Roles a tenant's admin may grant: every role except the national administrator's. */
export const TENANT_ROLES = ROLES.filter((r) => r !== 'national_admin') as Role[];

export class CreateForceDto {
  @ApiProperty({ example: 'westmoor-police', description: 'the force id tokens name as forceId; never changes' })
  @IsString()
  @Matches(TENANT_ID, { message: TENANT_ID_MESSAGE })
  id: string;

  @ApiProperty({ example: 'Westmoor Police' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;
}

export class CreateAuthorityDto {
  @ApiProperty({ example: 'westmoor', description: 'the authority id tokens name as authorityId; never changes' })
  @IsString()
  @Matches(TENANT_ID, { message: TENANT_ID_MESSAGE })
  id: string;

  @ApiProperty({ example: 'Westmoor Borough Council' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: 'WM', description: "the start of the authority's case references (WM-2026-00001); unique" })
  @IsString()
  @Matches(/^[A-Z]{2,6}$/, { message: 'must be 2 to 6 capital letters, such as WM' })
  referencePrefix: string;

  @ApiProperty({ example: 'westmoor-police', description: 'the police force whose area the authority is in' })
  @IsString()
  @Matches(TENANT_ID, { message: TENANT_ID_MESSAGE })
  forceId: string;
}

export class RolesDto {
  @ApiProperty({ enum: TENANT_ROLES, isArray: true, example: ['triage'] })
  @IsArray()
  @ArrayMinSize(1, { message: 'must name at least one role' })
  @ArrayMaxSize(TENANT_ROLES.length)
  @ArrayUnique()
  @IsIn(ROLES, { each: true, message: `each must be one of ${TENANT_ROLES.join(', ')}` })
  roles: Role[];
}

export class CreateUserDto extends RolesDto {
  @ApiProperty({ example: 'j.smith@northshire', description: 'what the user signs in as; unique across the service' })
  @IsString()
  @Matches(/^[A-Za-z0-9._@+-]{3,100}$/, { message: 'must be 3 to 100 letters, digits and . _ @ + -' })
  username: string;

  @ApiProperty({ example: 'Jo Smith' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  displayName: string;

  @ApiProperty({ example: 'jo.smith@northshire.gov.uk' })
  @IsEmail({}, { message: 'must be an email address, such as jo.smith@northshire.gov.uk' })
  @MaxLength(320)
  email: string;

  @ApiPropertyOptional({ description: "national administrator only: the authority the user belongs to (an admin's users belong to the admin's own tenant)" })
  @IsOptional()
  @IsString()
  @Matches(TENANT_ID, { message: TENANT_ID_MESSAGE })
  authorityId?: string;

  @ApiPropertyOptional({ description: 'national administrator only: the force the user belongs to' })
  @IsOptional()
  @IsString()
  @Matches(TENANT_ID, { message: TENANT_ID_MESSAGE })
  forceId?: string;
}

export class CreateIdentityMappingDto extends RolesDto {
  @ApiProperty({ example: 'groups', description: "the name of the identity provider's claim" })
  @IsString()
  @Matches(/^[A-Za-z_][A-Za-z0-9_:./-]{0,99}$/, { message: 'must be a claim name: letters, digits and _ : . / -, such as groups' })
  claim: string;

  @ApiProperty({ example: 'northshire-electoral-triage', description: 'the value the claim has, or holds (for an array claim such as groups)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  value: string;
}
