/**
 * Downloads of finished recordings, by signed links only (see
 * auth/signed-links.ts): the link names the room, the recording and the
 * file, and proves it was handed out by a node of this deployment and has
 * not expired. Only a recording's own files can be named.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { checkSignedPath } from '../auth/signed-links.js';
import { ROOM_ID_PATTERN } from '../store/room-id.js';

const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const FILE_PATTERN = '^(recording\\.mp4|manifest\\.json|tracks/[0-9]{1,6}-[a-z-]{1,16}\\.(mkv|wav))$';

export function registerRecordingRoutes(app: FastifyInstance, { dir, secret }: { dir: string; secret: string }): void {
  app.get(
    '/recordings/:roomId/:recordingId/*',
    {
      schema: {
        params: Type.Object({ roomId: Type.String({ pattern: ROOM_ID_PATTERN }), recordingId: Type.String({ pattern: UUID_PATTERN }), '*': Type.String({ pattern: FILE_PATTERN }) }),
        querystring: Type.Object({ expires: Type.Integer({ minimum: 0 }), signature: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const { roomId, recordingId, '*': file } = request.params as { roomId: string; recordingId: string; '*': string };
      const { expires, signature } = request.query as { expires: number; signature: string };
      const problem = checkSignedPath(secret, `/recordings/${roomId}/${recordingId}/${file}`, expires, signature);
      if (problem) {
        return reply.code(403).send({ error: problem === 'expired' ? 'this download link has expired; ask a host for a new one' : 'this download link is not valid' });
      }
      reply.header('cache-control', 'private, no-store');
      reply.header('content-disposition', `attachment; filename="parley-${recordingId}${path.extname(file)}"`);
      // Without cacheControl: false, the file server would replace the header above with `public, max-age=0`, and shared caches could keep the recording.
      return reply.sendFile(path.join(roomId, recordingId, file), path.resolve(dir), { cacheControl: false });
    },
  );
}
