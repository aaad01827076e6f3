import { Foundation1763888400000 } from './1763888400000-Foundation';
import { Lifecycle1763902800000 } from './1763902800000-Lifecycle';
import { Evidence1764061200000 } from './1764061200000-Evidence';
import { EmailDelivery1764147600000 } from './1764147600000-EmailDelivery';
import { RiskRegister1764234000000 } from './1764234000000-RiskRegister';
import { Liaison1764406800000 } from './1764406800000-Liaison';
import { Indicators1764450000000 } from './1764450000000-Indicators';
import { MerkleLog1764493200000 } from './1764493200000-MerkleLog';
import { Search1764579600000 } from './1764579600000-Search';
import { TenantIsolation1764666000000 } from './1764666000000-TenantIsolation';
import { WebIntakeDrafts1764752400000 } from './1764752400000-WebIntakeDrafts';
import { OutboxClaims1764838800000 } from './1764838800000-OutboxClaims';
import { ElectoralEvents1764925200000 } from './1764925200000-ElectoralEvents';
import { NotificationAbout1764928800000 } from './1764928800000-NotificationAbout';
import { BallotSecurity1764932400000 } from './1764932400000-BallotSecurity';
import { SharedRateLimits1764936000000 } from './1764936000000-SharedRateLimits';
import { DirectoryAdministration1764939600000 } from './1764939600000-DirectoryAdministration';
import { SecurityReviewActionsDone1764943200000 } from './1764943200000-SecurityReviewActionsDone';
import { UserLanguage1764946800000 } from './1764946800000-UserLanguage';
import { NotificationDigests1764952200000 } from './1764952200000-NotificationDigests';
import { RiskReviewDispatch1764955800000 } from './1764955800000-RiskReviewDispatch';
import { OutboxPolicyByCase1764962000000 } from './1764962000000-OutboxPolicyByCase';
import { AuditHistoryJson1764963000000 } from './1764963000000-AuditHistoryJson';
import { ChildPoliciesByKey1764964000000 } from './1764964000000-ChildPoliciesByKey';

/** Every migration, in order. New ones are appended here. */
export const MIGRATIONS = [
  Foundation1763888400000,
  Lifecycle1763902800000,
  Evidence1764061200000,
  EmailDelivery1764147600000,
  RiskRegister1764234000000,
  Liaison1764406800000,
  Indicators1764450000000,
  MerkleLog1764493200000,
  Search1764579600000,
  TenantIsolation1764666000000,
  WebIntakeDrafts1764752400000,
  OutboxClaims1764838800000,
  ElectoralEvents1764925200000,
  NotificationAbout1764928800000,
  BallotSecurity1764932400000,
  SharedRateLimits1764936000000,
  DirectoryAdministration1764939600000,
  SecurityReviewActionsDone1764943200000,
  UserLanguage1764946800000,
  NotificationDigests1764952200000,
  RiskReviewDispatch1764955800000,
  OutboxPolicyByCase1764962000000,
  AuditHistoryJson1764963000000,
  ChildPoliciesByKey1764964000000,
];
