import { Body, Controller, Get, HttpCode, Module, Param, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ApiOkResponse, ApiProduces, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Public, Roles } from '../auth/decorators';
import { ApiErrors, ApiStandardErrors } from './api-docs';

@ApiStandardErrors()
@Controller('things')
class ThingsController {
  @Get()
  @Public()
  list() {
    return [];
  }

  @Post(':id/close')
  @HttpCode(200)
  @Roles('triage', 'admin')
  @ApiErrors([409, 'the thing is already closed'])
  close(@Param('id') id: string, @Body() body: object) {
    return { id, body };
  }

  @Get(':id')
  @Roles('staff')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'the thing', schema: { type: 'string' } })
  @ApiErrors([404, 'no such thing, said specially'])
  one(@Param('id') id: string) {
    return { id };
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

async function document() {
  const moduleRef = await Test.createTestingModule({ imports: [ThingsModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  const doc = SwaggerModule.createDocument(app, new DocumentBuilder().addBearerAuth().addSecurityRequirements('bearer').build());
  await app.close();
  return doc;
}

const statuses = (op: { responses: object }) => Object.keys(op.responses).sort();

test('each route gets the error answers that follow from what it is, with the error body', async () => {
  const doc = await document();
  const list = doc.paths['/things'].get!;
  const close = doc.paths['/things/{id}/close'].post!;
  const one = doc.paths['/things/{id}'].get!;
  // public, no path parameter, no body: no 401/403/404/413/415; no token needed
  expect(statuses(list)).toEqual(['200', '400', '414', '422', '429', '431', '500', '503']);
  expect(list.security).toEqual([{}]);
  // a token, a path parameter, a body, and its own 409; its success answer is its @HttpCode
  expect(statuses(close)).toEqual(['200', '400', '401', '403', '404', '409', '413', '414', '415', '422', '429', '431', '500', '503']);
  expect(close.security).toBeUndefined();
  expect((close.responses['403'] as { description: string }).description).toBe('the caller has none of the roles: triage, admin');
  expect((close.responses['409'] as { description: string }).description).toBe('the thing is already closed');
  expect(close.responses['409']).toEqual(expect.objectContaining({ content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } } }));
  // what the route documents itself is kept
  expect((one.responses['404'] as { description: string }).description).toBe('no such thing, said specially');
  expect((one.responses['200'] as { description: string }).description).toBe('the thing');
  expect(statuses(one)).not.toContain('413');
  // errors are JSON even where the success answer is not
  expect(Object.keys((one.responses['200'] as { content: object }).content)).toEqual(['text/csv']);
  expect(Object.keys((one.responses['401'] as { content: object }).content)).toEqual(['application/json']);
  expect(doc.components!.schemas!.ErrorBody).toEqual(expect.objectContaining({ required: expect.arrayContaining(['statusCode', 'error', 'message']) }));
});
