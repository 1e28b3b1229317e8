// The contract's response shapes as zod schemas (CONTRACT.md), so a suite can say exactly which
// field of a user's service is missing or malformed.
import { z } from 'zod';

const status = z.enum(['pass', 'warn', 'fail']);
const check = z.object({
  status,
  time: z.string().optional(),
  componentType: z.string().optional(),
  observedValue: z.unknown().optional(),
  observedUnit: z.string().optional(),
  output: z.string().optional(),
}).passthrough();

export const healthReportSchema = z.object({
  status,
  version: z.string().min(1),
  releaseId: z.string().min(1),
  branch: z.string().min(1),
  serviceId: z.string().min(1),
  checks: z.object({
    'postgres:connection': z.array(check.extend({ observedValue: z.number(), observedUnit: z.literal('ms') }).partial({ observedValue: true, observedUnit: true })).min(1),
    // One entry per recently seen worker, freshest first; a single fail entry when there is none.
    'worker:heartbeat': z.array(check.extend({
      componentId: z.string().optional(),
      releaseId: z.string().optional(),
      branch: z.string().optional(),
      jobsDone: z.number().optional(),
    })).min(1),
    'config:env': z.array(check.extend({
      settings: z.array(z.object({ name: z.string(), source: z.enum(['env', 'default']), secret: z.boolean(), value: z.string().optional() })),
    })).min(1),
  }).passthrough(),
}).passthrough();

export type HealthReportBody = z.infer<typeof healthReportSchema>;

export const errorBodySchema = z.object({
  error: z.object({ code: z.string().min(1), message: z.string().min(1), field: z.string().optional() }),
});

/** "field: problem" lines for an assertion message. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}
