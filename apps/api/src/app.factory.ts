import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { ApiConfig, AuthConfig, CheckpointConfig, DatabaseConfig, EvidenceConfig, loadConfig, TemporalConfig } from '../../../libs/config';
import { createLogger } from '../../../libs/logging';
import { AppModule } from './app.module';
import { jsonBody, requestContext, requireJsonBodies } from './common/http-middleware';
import { createValidationPipe } from './common/validation';
import type { ApiConfigs } from './config/config.module';

/** Evidence and indicator uploads stream their raw body; everything else takes JSON. */
const RAW_BODY_ROUTES = [/^\/allegations\/[^/]+\/evidence\/?$/, /^\/indicator-uploads\/?$/];

/** Reads and validates every API setting; throws ConfigError naming the first bad one. */
export function loadApiConfigs(env: NodeJS.ProcessEnv = process.env): ApiConfigs {
  return { api: loadConfig(ApiConfig, env), auth: loadConfig(AuthConfig, env), database: loadConfig(DatabaseConfig, env), temporal: loadConfig(TemporalConfig, env), evidence: loadConfig(EvidenceConfig, env), checkpoint: loadConfig(CheckpointConfig, env) };
}

/** Express middleware, validation, docs: everything but listening. Tests call it too. */
export function configureApp(app: INestApplication, log: Logger): void {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.set('trust proxy', 'loopback');
  app.use(requestContext(log));
  app.use(requireJsonBodies(RAW_BODY_ROUTES));
  app.use(jsonBody());
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Election integrity casework API')
      .setDescription('Allegations of electoral fraud, SPOC referrals, evidence custody and verifiable case histories. See shared/API.md.')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}

export async function createApiApp(configs: ApiConfigs, log: Logger = createLogger('api', configs.api.LOG_LEVEL)): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(configs, log), { bodyParser: false, logger: ['error', 'warn'] });
  configureApp(app, log);
  return app;
}
