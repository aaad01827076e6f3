import { Module } from '@nestjs/common';
import { AllegationsModule } from '../allegations/allegations.module';
import { BallotSecurityController } from './ballot-security.controller';
import { BallotSecurityService } from './ballot-security.service';

/** Ballot paper batches and ballot boxes in custody, their discrepancies, and security reviews with the police. */
@Module({ imports: [AllegationsModule], controllers: [BallotSecurityController], providers: [BallotSecurityService] })
export class BallotSecurityModule {}
