import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ApiConfig, AuthConfig, CheckpointConfig, DatabaseConfig, EvidenceConfig, loadConfig, TemporalConfig, WebConfig } from '@libs/config';
import { createLogger } from '@libs/logging';
import { mountWebAssets, webForms, WEB_ROUTES } from '@apps/web/src/http';
import { AppModule } from './app.module';
import { TOKEN_VERIFIER } from '@libs/auth/tokens';
import { requestLimits, securityHeaders } from './common/hardening';
import { refuseHostileText } from './common/hostile-text';
import { jsonBody, requestContext, requireJsonBodies } from './common/http-middleware';
import { postgresRateLimitStore, rateLimit } from './common/rate-limit';
import { createValidationPipe } from './common/validation';
import type { ApiConfigs } from './config/config.module';
import { requestTelemetry, resumeRequestTelemetry } from './common/telemetry';
import { activeTracing } from '@libs/telemetry';

/** Evidence and indicator uploads stream their raw body; everything else takes JSON. */
const RAW_BODY_ROUTES = [/^\/allegations\/[^/]+\/evidence\/?$/, /^\/indicator-uploads\/?$/];

/** Reads and validates every API setting; throws ConfigError naming the first bad one. */
export function loadApiConfigs(env?: NodeJS.ProcessEnv): ApiConfigs {
  return {
    api: loadConfig(ApiConfig, env),
    auth: loadConfig(AuthConfig, env),
    database: loadConfig(DatabaseConfig, env),
    temporal: loadConfig(TemporalConfig, env),
    evidence: loadConfig(EvidenceConfig, env),
    checkpoint: loadConfig(CheckpointConfig, env),
    web: loadConfig(WebConfig, env),
  };
}

/** Express middleware, validation, docs: everything but listening. Tests call it too. */
export function configureApp(app: INestApplication, log: Logger, api: ApiConfig): void {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.set('trust proxy', 'loopback');
  // Metrics (and the request's span, with tracing on) around everything, refusals included.
  app.use(requestTelemetry(activeTracing()));
  // Headers first so that every answer carries them, refusals included; then the cheap refusals
  // (size, rate) before any body is read.
  const web = app.get(WebConfig);
  app.use(securityHeaders({ formActions: web.AUTH_JWKS_URL && web.OIDC_ISSUER_URL ? [new URL(web.OIDC_ISSUER_URL).origin] : [] }));
  app.use(requestContext(log));
  app.use(requestLimits({ maxUrlBytes: api.MAX_URL_BYTES, maxHeaderBytes: api.MAX_HEADER_BYTES }));
  // Counted in PostgreSQL, shared by every API process; a request the count cannot be had for
  // (the database down) goes on uncounted, and is logged at most once a minute.
  let lastUncounted = 0;
  const uncounted = (error: Error) => {
    if (Date.now() - lastUncounted < 60_000) return;
    lastUncounted = Date.now();
    log.warn({ err: error.message }, 'rate limit: request not counted');
  };
  const limits = { perUser: api.RATE_LIMIT_PER_USER, perIp: api.RATE_LIMIT_PER_IP, windowMs: api.RATE_LIMIT_WINDOW_MS };
  app.use(rateLimit(limits, app.get(TOKEN_VERIFIER), postgresRateLimitStore(app.get(DataSource), uncounted), uncounted));
  // The web pages' form posts and uploads are not JSON; their own parser takes them.
  app.use(webForms());
  app.use(requireJsonBodies([...RAW_BODY_ROUTES, ...WEB_ROUTES]));
  app.use(jsonBody());
  app.use(refuseHostileText());
  // The body parsers' stream callbacks run outside the request's context: re-enter it.
  app.use(resumeRequestTelemetry());
  mountWebAssets(app);
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  const documentConfig = new DocumentBuilder()
    .setTitle('Election integrity casework API')
    .setDescription('Allegations of electoral fraud, SPOC referrals, evidence custody and verifiable case histories. See shared/API.md.')
    .setVersion('0.1.0')
    .addServer('/', 'this server')
    // Every route needs the bearer token unless it says otherwise (public routes: `security: [{}]`).
    .addBearerAuth()
    .addSecurityRequirements('bearer')
    .build();
  // package.json's licence: not for distribution, so there is no licence URL to give.
  documentConfig.info.license = { name: 'UNLICENSED' };
  const document = SwaggerModule.createDocument(app, documentConfig);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}

/** Rejects (rather than aborting the process, Nest's default) when a dependency fails at start-up. */
export async function createApiApp(configs: ApiConfigs, log: Logger = createLogger('api', configs.api.LOG_LEVEL)): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(configs, log), { bodyParser: false, logger: ['error', 'warn'], abortOnError: false });
  configureApp(app, log, configs.api);
  return app;
}
