// The web front end: GOV.UK Design System pages, server-rendered, served by the API process under
// `/` beside the JSON API, whose routes stay as they are. Pages call the API over loopback HTTP.
import { DirectoryNames } from './directory-names.service';
import { IntakeDrafts } from './intake-drafts.service';
import { Module } from '@nestjs/common';
import { AdminDirectoryController } from './pages/admin-directory.controller';
import { AdminPolicyPageController } from './pages/admin-policy.controller';
import { CasesController } from './pages/cases.controller';
import { BallotSecurityPageController } from './pages/ballot-security.controller';
import { ElectionsPageController } from './pages/elections.controller';
import { EvidenceController } from './pages/evidence.controller';
import { IndicatorAlertsPageController } from './pages/indicator-alerts.controller';
import { IndicatorsPageController } from './pages/indicators.controller';
import { CandidatesPageController } from './pages/candidates.controller';
import { TransparencyPageController } from './pages/transparency.controller';
import { IntakeController } from './pages/intake.controller';
import { LegalController } from './pages/legal.controller';
import { RisksPageController } from './pages/risks.controller';
import { LiaisonPageController } from './pages/liaison.controller';
import { NotificationsPageController } from './pages/notifications.controller';
import { OidcController } from './pages/oidc.controller';
import { SignInController } from './pages/sign-in.controller';
import { WorkQueueController } from './pages/work-queue.controller';
import { OidcDiscovery } from './oidc-discovery';
import { SignInDirectory } from './sign-in-directory';
import { WebErrorsFilter } from './web-errors.filter';
import { WebUsers } from './web-user';

@Module({
  // IntakeController before CasesController: /cases/new is not a case id.
  controllers: [
    SignInController,
    OidcController,
    IntakeController,
    CasesController,
    EvidenceController,
    LegalController,
    WorkQueueController,
    RisksPageController,
    LiaisonPageController,
    ElectionsPageController,
    BallotSecurityPageController,
    NotificationsPageController,
    AdminDirectoryController,
    AdminPolicyPageController,
    IndicatorAlertsPageController,
    IndicatorsPageController,
    CandidatesPageController,
    TransparencyPageController,
  ],
  providers: [WebUsers, WebErrorsFilter, OidcDiscovery, SignInDirectory, IntakeDrafts, DirectoryNames],
})
export class WebModule {}
