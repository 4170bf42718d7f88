/**
 * POST /api/upload (admin): multipart field `files`, streamed to the upload
 * store with the count and size limits enforced while streaming. On any
 * failure every file of the request is removed: nothing is left behind.
 */
import type { FastifyInstance } from 'fastify';
import { HttpError, scrubPaths } from '../errors.ts';
import { doc } from '../openapi.ts';
import type { StoredUpload } from '../uploads/store.ts';

export const UPLOAD_FIELD = 'files';
/** The one route that takes multipart/form-data (app.ts refuses it elsewhere). */
export const UPLOAD_ROUTE = '/api/upload';

/**
 * What went wrong reading the request, as the client's error: anything the
 * multipart parser (busboy) throws is a malformed body. A file-system error
 * while storing (no space, permissions) stays the server's.
 */
function asClientError(error: unknown): unknown {
  if (error instanceof HttpError) return error;
  if (error instanceof Error && 'syscall' in error) return error;
  const why = error instanceof Error ? error.message.slice(0, 120) : 'unreadable body';
  return new HttpError('UPLOAD_MALFORMED', `The multipart body is malformed: ${scrubPaths(why)}`);
}

export async function uploadRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.docent;
  const { maxUploadBytes, maxUploadFiles } = ctx.config;

  app.post(
    UPLOAD_ROUTE,
    {
      schema: doc({
        tags: ['upload'],
        summary: `Upload up to ${maxUploadFiles} files (multipart field "files")`,
        admin: true,
      }),
      bodyLimit: maxUploadFiles * maxUploadBytes + 1024 * 1024,
      // After the admin check (onRequest), before any byte of the body is read:
      // the large body limit above is for files, not for a JSON body to parse.
      preParsing: async (request) => {
        // isMultipart() is only known once the parser ran, so the header decides here.
        if (!/^multipart\/form-data\b/i.test(request.headers['content-type'] ?? '')) {
          throw new HttpError('UNSUPPORTED_MEDIA_TYPE', 'Send the files as multipart/form-data in the "files" field');
        }
      },
    },
    async (request) => {
      const saved: StoredUpload[] = [];
      try {
        for await (const part of request.parts()) {
          if (part.type !== 'file') continue;
          if (part.fieldname !== UPLOAD_FIELD) {
            part.file.resume();
            throw new HttpError('BAD_REQUEST', `Unexpected file field "${part.fieldname.slice(0, 50)}"; use "files"`);
          }
          saved.push(await ctx.uploads.save(part.file, part));
        }
      } catch (error) {
        await Promise.all(saved.map((upload) => ctx.uploads.remove(upload.reference)));
        const code = (error as { code?: string }).code;
        if (code === 'FST_REQ_FILE_TOO_LARGE') {
          throw new HttpError('FILE_TOO_LARGE', `A file is larger than the limit of ${maxUploadBytes} bytes`);
        }
        if (code === 'FST_FILES_LIMIT') {
          throw new HttpError('TOO_MANY_FILES', `Too many files: at most ${maxUploadFiles} per upload`);
        }
        throw asClientError(error);
      }
      if (saved.length === 0) throw new HttpError('BAD_REQUEST', 'No files received in the "files" field');
      return {
        status: 'success',
        files: saved.map((upload) => ({
          original_name: upload.originalName,
          temp_path: upload.reference,
          size: upload.size,
          content_type: upload.contentType,
        })),
        message: `Successfully received ${saved.length} file(s)`,
        note: 'temp_path is an upload reference; pass it to the admin agent or POST /api/kb/ingest within a day',
      };
    },
  );
}
