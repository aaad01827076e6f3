import { Module } from '@nestjs/common';
import { IdentityMappingsController, TenantsController, UsersController } from './directory.controller';
import { DirectoryService } from './directory.service';

@Module({ controllers: [TenantsController, UsersController, IdentityMappingsController], providers: [DirectoryService] })
export class DirectoryModule {}
