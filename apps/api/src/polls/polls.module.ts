import { Module } from '@nestjs/common';
import { PollsController } from './polls.controller';
import { PollsService } from './polls.service';

/** Polls and their electoral events, each with a safety and security plan (docs/users/electoral-events.md). */
@Module({ controllers: [PollsController], providers: [PollsService], exports: [PollsService] })
export class PollsModule {}
