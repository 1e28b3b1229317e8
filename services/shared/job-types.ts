// Job types the reference worker runs, with the payload each accepts. The API validates against
// these before writing anything, so a job that cannot run is refused at the door.
import { z } from 'zod';

export const MAX_PAYLOAD_BYTES = 16 * 1024;
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_PAYLOAD_DEPTH = 32;

export const payloadSchemas = {
  /** Returns its payload as the result. */
  echo: z.unknown(),
  /** Sleeps `ms` milliseconds, then succeeds. */
  sleep: z.object({ ms: z.number().int().min(0).max(600_000) }).strict(),
  /** Fails its first `failures` attempts, then succeeds. */
  flaky: z.object({ failures: z.number().int().min(0).max(100) }).strict(),
  /** Always fails, with `message` as its error. */
  fail: z.object({ message: z.string().max(1000).optional() }).strict(),
  /** POSTs `body` to the external API with the API key; `ref` lets a test find its requests. */
  external: z.object({ ref: z.string().min(1).max(200), body: z.unknown().optional() }).strict(),
} as const;

export type JobType = keyof typeof payloadSchemas;
export const JOB_TYPES = Object.keys(payloadSchemas) as JobType[];

export function isJobType(value: unknown): value is JobType {
  return typeof value === 'string' && (JOB_TYPES as string[]).includes(value);
}
