// The mock external API as a real HTTP server (msw handlers behind @mswjs/http-middleware), so
// the worker calls it over the network exactly as it would call the real one.
import { createServer } from '@mswjs/http-middleware';
import { z } from 'zod';
import { intInRange, loadOrExit, parseEnv } from '../shared/env-config.ts';
import { createLogger } from '../shared/log.ts';
import { createMockState, externalApiHandlers } from './handlers.ts';

const config = loadOrExit('mock-external', () =>
  parseEnv(
    {
      PORT: intInRange(1, 65535),
      MOCK_HOST: z.string().default('127.0.0.1').describe('an address to bind'),
      EXTERNAL_API_KEY: z.string().min(8).describe('the API key callers must send, at least 8 characters'),
    },
    process.env,
  ),
);
const log = createLogger('mock-external');
const app = createServer(...externalApiHandlers(config.EXTERNAL_API_KEY, createMockState()));
const server = app.listen(config.PORT, config.MOCK_HOST, () => log.info(`listening on http://${config.MOCK_HOST}:${config.PORT}`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
