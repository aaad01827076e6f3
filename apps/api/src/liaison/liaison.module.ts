import { Module } from '@nestjs/common';
import { CandidateContactsController } from './candidate-contacts.controller';
import { CandidateContactsService } from './candidate-contacts.service';
import { LiaisonController } from './liaison.controller';
import { LiaisonService } from './liaison.service';

/** Police liaison agreements and their contact cycles; candidate contacts shared with the FEOA. */
@Module({ controllers: [LiaisonController, CandidateContactsController], providers: [LiaisonService, CandidateContactsService] })
export class LiaisonModule {}
