/** Route schemas for the OpenAPI docs only (validation is zod's job, see app.ts). */
import type { FastifySchema } from 'fastify';
import { z } from 'zod';

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

export interface DocOptions {
  readonly tags: readonly string[];
  readonly summary: string;
  readonly description?: string;
  readonly querystring?: z.ZodType;
  readonly body?: z.ZodType;
  readonly admin?: boolean;
  /** Server-sent events instead of JSON. */
  readonly sse?: boolean;
}

export function doc(options: DocOptions): FastifySchema {
  const schema: FastifySchema & Record<string, unknown> = {
    tags: [...options.tags],
    summary: options.summary,
  };
  if (options.description || options.sse) {
    schema.description = [options.description, options.sse ? 'Answers with text/event-stream.' : '']
      .filter(Boolean)
      .join(' ');
  }
  if (options.querystring) schema.querystring = jsonSchema(options.querystring);
  if (options.body) schema.body = jsonSchema(options.body);
  if (options.admin) schema.security = [{ adminToken: [] }];
  return schema;
}
