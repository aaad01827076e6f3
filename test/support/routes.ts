// The routes an app registers, as `METHOD /path` (Express's form: `/allegations/:id`): Nest's
// controllers and what @nestjs/swagger mounts under /docs. test/route-access.e2e-spec.ts checks
// each has a row in the access table, test/openapi.e2e-spec.ts that each is in the OpenAPI document.
import type { INestApplication } from '@nestjs/common';

type Layer = { route?: { path: string; methods: Record<string, boolean> } };

export function registeredRoutes(app: INestApplication): string[] {
  const express = app.getHttpAdapter().getInstance();
  const layers: Layer[] = (express.router ?? express._router).stack;
  return layers.flatMap((l) =>
    l.route
      ? Object.keys(l.route.methods)
          .filter((m) => m !== '_all')
          .map((m) => `${m.toUpperCase()} ${l.route!.path}`)
      : [],
  );
}
