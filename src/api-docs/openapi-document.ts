import { z } from 'zod';
import { embedCountsQuerySchema } from '../embeds/embeds-service';
import {
  bulkStatusSchema,
  commentListQuerySchema,
  commentPatchSchema,
  commenterEmailSchema,
  deliveryListQuerySchema,
  erasureSchema,
} from '../admin/admin-schemas';
import { settingsPatchSchema } from '../admin/settings-api';
import { authorReplySchema, commentSubmissionSchema } from '../comments/comments-schema';
import { blockInputSchema } from '../moderation/sender-blocks';
import { postInputSchemaIn } from '../posts/posts-schema';
import * as responses from './api-responses';

// The OpenAPI 3.1 document of the public and admin JSON APIs, written from the zod schemas that
// validate the requests (src/*/…-schema.ts) and those of the answers (api-responses.ts), so the
// document and the routes cannot drift apart; tests/api/openapi.test.ts holds every route's real
// answers to it. Served at /api/openapi.json.

type Method = 'get' | 'post' | 'patch' | 'delete';

interface Operation {
  method: Method;
  /** An OpenAPI path template: /api/posts/{slug}/comments. */
  path: string;
  summary: string;
  admin: boolean;
  query?: z.ZodObject;
  body?: z.ZodType | 'multipart';
  /** Answers by status; a schema of null is an empty answer (204). */
  responses: Record<number, { description: string; schema: z.ZodType | null }>;
}

const error = (description: string) => ({ description, schema: responses.errorResponse });
const refused = {
  400: error('Malformed: a field of the wrong type, or a body that is not a JSON object.'),
  422: error('A field broke a rule; `fields` names each.'),
};
const adminErrors = {
  401: error('No or a wrong bearer token.'),
  503: error('The admin API is closed (no ADMIN_API_TOKEN).'),
};
const notFound = { 404: error('No such thing.') };
const notJson = { 415: error('The body is not JSON (Content-Type: application/json).') };

// The post schema reads wall times in the site's zone; the zone does not change its shape.
const postInputSchema = postInputSchemaIn(() => 'UTC');

export const apiOperations: readonly Operation[] = [
  {
    method: 'post',
    path: '/api/posts/{slug}/comments',
    summary: 'Post a comment (the form’s fields, as JSON).',
    admin: false,
    body: commentSubmissionSchema,
    responses: {
      201: {
        description: 'Stored; `Location` is the page that shows it.',
        schema: z.strictObject({ comment: responses.createdComment }),
      },
      ...refused,
      403: error('Comments on the post are closed.'),
      ...notFound,
      409: error('The same words from the same sender (a duplicate).'),
      415: error('The body is not JSON.'),
      429: error('Too many comments from this sender; `Retry-After` says when to try again.'),
    },
  },
  {
    method: 'get',
    path: '/api/posts/{slug}/comments',
    summary: 'The approved comments of a post, oldest first.',
    admin: false,
    responses: {
      200: { description: 'The comments.', schema: z.strictObject({ comments: z.array(responses.publicComment) }) },
      ...notFound,
    },
  },
  {
    method: 'get',
    path: '/api/embed/counts',
    summary:
      'Approved comments of embedded pages (embed.js), by each address as asked; CORS for the sites in EMBED_ORIGINS.',
    admin: false,
    query: embedCountsQuerySchema,
    responses: {
      200: {
        description: 'A count for each address asked that is one (0 for a page with no thread yet).',
        schema: z.strictObject({ counts: z.record(z.string(), z.int().nonnegative()) }),
      },
      400: error('More than 50 addresses.'),
    },
  },
  {
    method: 'get',
    path: '/admin/api/comments',
    summary: 'Comments, newest first, filtered by status, post or words.',
    admin: true,
    query: commentListQuerySchema,
    responses: {
      200: {
        description: 'A page of comments.',
        schema: z.strictObject({
          comments: z.array(responses.moderatedComment),
          page: z.int(),
          pages: z.int(),
          total: z.int(),
        }),
      },
      400: error('A search it cannot run: longer than 200 characters, or given twice (code invalid_search).'),
    },
  },
  {
    method: 'patch',
    path: '/admin/api/comments/{id}',
    summary: 'Change a comment: status, edited fields (the form’s rules), pinned, repliesLocked.',
    admin: true,
    body: commentPatchSchema,
    responses: {
      200: {
        description: 'The comment as it is now.',
        schema: z.strictObject({ comment: responses.moderatedComment }),
      },
      ...refused,
      ...notFound,
      409: error('Only an approved comment can be pinned.'),
    },
  },
  {
    method: 'delete',
    path: '/admin/api/comments/{id}',
    summary: 'Delete a comment for good (only from the trash or spam).',
    admin: true,
    responses: { 204: { description: 'Deleted.', schema: null }, ...notFound, 409: error('Not in the trash or spam.') },
  },
  {
    method: 'post',
    path: '/admin/api/comments/{id}/reply',
    summary: 'The post author’s reply, published at once.',
    admin: true,
    body: authorReplySchema,
    responses: {
      201: { description: 'The reply.', schema: z.strictObject({ comment: responses.moderatedComment }) },
      ...refused,
      ...notFound,
      409: error('The comment is in spam or the trash.'),
    },
  },
  {
    method: 'post',
    path: '/admin/api/comments/bulk',
    summary: 'Set the status of several comments.',
    admin: true,
    body: bulkStatusSchema,
    responses: { 200: { description: 'How many changed.', schema: z.strictObject({ changed: z.int() }) }, ...refused },
  },
  {
    method: 'get',
    path: '/admin/api/posts',
    summary: 'Every post and page, drafts and scheduled ones too.',
    admin: true,
    responses: {
      200: { description: 'The posts.', schema: z.strictObject({ posts: z.array(responses.postSummary) }) },
    },
  },
  {
    method: 'post',
    path: '/admin/api/posts',
    summary: 'Write a post (published unless a status says otherwise).',
    admin: true,
    body: postInputSchema,
    responses: {
      201: {
        description: 'The post; `Location` is its address.',
        schema: z.strictObject({ post: responses.editablePost }),
      },
      ...refused,
      409: error('The slug is taken.'),
    },
  },
  {
    method: 'patch',
    path: '/admin/api/posts/{id}',
    summary: 'Change any fields of a post; the rest stay.',
    admin: true,
    body: postInputSchema.in.partial(),
    responses: {
      200: { description: 'The post.', schema: z.strictObject({ post: responses.editablePost }) },
      ...refused,
      ...notFound,
      409: error('The slug is taken.'),
    },
  },
  {
    method: 'delete',
    path: '/admin/api/posts/{id}',
    summary: 'Delete a post and its comments.',
    admin: true,
    responses: {
      200: {
        description: 'What went.',
        schema: z.strictObject({
          deleted: z.strictObject({ id: z.int(), slug: z.string(), title: z.string(), comments: z.int() }),
        }),
      },
      ...notFound,
    },
  },
  {
    method: 'get',
    path: '/admin/api/notifications',
    summary: 'The outbox’s mail and webhook deliveries, newest first.',
    admin: true,
    query: deliveryListQuerySchema,
    responses: {
      200: {
        description: 'A page of deliveries.',
        schema: z.strictObject({
          deliveries: z.array(responses.delivery),
          total: z.int(),
          counts: z.record(z.string(), z.int()),
          page: z.int(),
          pages: z.int(),
        }),
      },
    },
  },
  {
    method: 'post',
    path: '/admin/api/notifications/{id}/send-again',
    summary: 'Queue a failed delivery again.',
    admin: true,
    responses: {
      202: { description: 'Queued.', schema: z.strictObject({ queued: z.literal(true) }) },
      ...notFound,
      409: error('The delivery has not failed.'),
    },
  },
  {
    method: 'post',
    path: '/admin/api/imports',
    summary: 'Import a WordPress, Disqus or marginalia export (multipart: format, dryRun, file).',
    admin: true,
    body: 'multipart',
    responses: {
      200: { description: 'The import’s report.', schema: z.strictObject({ report: responses.importReport }) },
      ...refused,
      413: error('The file is too large for an upload.'),
    },
  },
  {
    method: 'post',
    path: '/admin/api/media',
    summary: 'Upload an image (multipart: file, alt).',
    admin: true,
    body: 'multipart',
    responses: {
      201: { description: 'The image; `Location` is its address.', schema: z.strictObject({ media: responses.media }) },
      400: error('No file.'),
      413: error('Larger than MEDIA_MAX_MB.'),
      415: error('Not a JPEG, PNG, GIF, WebP or AVIF image.'),
    },
  },
  {
    method: 'delete',
    path: '/admin/api/media/{id}',
    summary: 'Delete an image.',
    admin: true,
    responses: {
      200: {
        description: 'What went.',
        schema: z.strictObject({ deleted: z.strictObject({ id: z.int(), url: z.string() }) }),
      },
      ...notFound,
    },
  },
  {
    method: 'get',
    path: '/admin/api/commenters/export',
    summary: 'Everything stored about an email address, as one JSON document.',
    admin: true,
    query: commenterEmailSchema,
    responses: { 200: { description: 'The commenter’s data.', schema: responses.commenterExport }, 422: refused[422] },
  },
  {
    method: 'post',
    path: '/admin/api/commenters/erase',
    summary: 'Erase what is stored about an email address: anonymize or delete its comments.',
    admin: true,
    body: erasureSchema,
    responses: {
      200: { description: 'What was erased.', schema: z.strictObject({ erased: responses.erasure }) },
      ...refused,
    },
  },
  {
    method: 'get',
    path: '/admin/api/blocks',
    summary: 'Blocked senders, newest first.',
    admin: true,
    responses: { 200: { description: 'The blocks.', schema: z.strictObject({ blocks: z.array(responses.block) }) } },
  },
  {
    method: 'post',
    path: '/admin/api/blocks',
    summary: 'Block an email address, or an IP address or range (CIDR); their comments go to spam.',
    admin: true,
    body: blockInputSchema,
    responses: {
      201: { description: 'The block.', schema: z.strictObject({ block: responses.block }) },
      ...refused,
      409: error('Already blocked.'),
    },
  },
  {
    method: 'delete',
    path: '/admin/api/blocks/{id}',
    summary: 'Remove a block.',
    admin: true,
    responses: { 204: { description: 'Removed.', schema: null }, ...notFound },
  },
  {
    method: 'get',
    path: '/admin/api/settings',
    summary: 'The moderation rules, notifications and the blog’s own settings.',
    admin: true,
    responses: {
      200: { description: 'The settings in force.', schema: z.strictObject({ settings: responses.settings }) },
    },
  },
  {
    method: 'patch',
    path: '/admin/api/settings',
    summary: 'Change any fields of any group; a refused change saves nothing.',
    admin: true,
    body: settingsPatchSchema,
    responses: {
      200: { description: 'The settings in force.', schema: z.strictObject({ settings: responses.settings }) },
      ...refused,
    },
  },
];

/**
 * A field is required when its schema refuses a missing value: asked of the schema itself, since
 * one that fills in a missing value before its rules (the forms' text fields) looks optional to
 * zod's JSON Schema writer.
 */
function requiredFields(schema: z.ZodObject): string[] {
  return Object.entries(schema.shape).flatMap(([name, field]) =>
    (field as z.ZodType).safeParse(undefined).success ? [] : [name],
  );
}

const jsonSchemaOptions = {
  target: 'draft-2020-12',
  unrepresentable: 'any',
  override: (context: { zodSchema: unknown; jsonSchema: Record<string, unknown> }) => {
    // `format: date-time` says it; zod's long pattern for the same would be repeated at every date.
    if (context.jsonSchema.format === 'date-time') delete context.jsonSchema.pattern;
    if (context.zodSchema instanceof z.ZodObject && context.jsonSchema.type === 'object') {
      const required = requiredFields(context.zodSchema);
      if (required.length > 0) context.jsonSchema.required = required;
      else delete context.jsonSchema.required;
    }
  },
} as const;

/** A request's JSON Schema: what a client may send (zod's input side). */
const requestSchema = (schema: z.ZodType) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { ...jsonSchemaOptions, io: 'input' });
  return rest;
};

/** A response's JSON Schema: what the route answers (zod's output side). */
const responseSchema = (schema: z.ZodType) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { ...jsonSchemaOptions, io: 'output' });
  return rest;
};

/** The document: a path for each operation, every schema written out in place. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of apiOperations) {
    const parameters = [
      ...[...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
        name,
        in: 'path',
        required: true,
        schema: name === 'id' ? { type: 'integer', minimum: 1 } : { type: 'string' },
      })),
      ...Object.entries(operation.query ? (requestSchema(operation.query).properties ?? {}) : {}).map(
        ([name, schema]) => ({
          name,
          in: 'query',
          required: operation.query ? requiredFields(operation.query).includes(name) : false,
          schema,
        }),
      ),
    ];
    paths[operation.path] ??= {};
    paths[operation.path]![operation.method] = {
      summary: operation.summary,
      tags: [operation.admin ? 'admin' : 'public'],
      ...(operation.admin ? { security: [{ bearerToken: [] }] } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(operation.body
        ? {
            requestBody: {
              required: true,
              content:
                operation.body === 'multipart'
                  ? { 'multipart/form-data': { schema: { type: 'object' } } }
                  : { 'application/json': { schema: requestSchema(operation.body) } },
            },
          }
        : {}),
      responses: Object.fromEntries(
        Object.entries({
          ...operation.responses,
          ...(operation.body && operation.body !== 'multipart' ? notJson : {}),
          ...(operation.admin ? adminErrors : {}),
        }).map(([status, answer]) => [
          status,
          {
            description: answer.description,
            ...(answer.schema ? { content: { 'application/json': { schema: responseSchema(answer.schema) } } } : {}),
          },
        ]),
      ),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'marginalia JSON APIs',
      version: '1',
      description:
        'The public comment API, and the admin API (send `Authorization: Bearer <ADMIN_API_TOKEN>`). See docs/API.md.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      securitySchemes: { bearerToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_API_TOKEN' } },
    },
  };
}
