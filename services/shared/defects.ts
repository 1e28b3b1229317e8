// Test-only defect switches, for the failure catalogue (scenarios/): each reproduces, inside the
// reference services, a mistake real services make. Off by default; set E2E_DEFECTS to a comma
// list. Refused outright when NODE_ENV=production, so a stray variable cannot break a real deploy.
import { ConfigError } from './env-config.ts';

export const DEFECTS = {
  'ignore-port': 'api: ignores PORT and listens on API_PORT (or 8000), as code from before PORT support',
  'health-lies': 'api: /health reports the database as pass without touching it',
  'named-statements': 'worker: claims jobs with a named prepared statement',
  'startup-statement-timeout': 'api and worker: send statement_timeout as a connection startup parameter',
  'no-lease-reclaim': 'worker: never claims a job whose lease expired (a crashed worker\'s job stays running)',
} as const;

export type Defect = keyof typeof DEFECTS;

export function loadDefects(env: NodeJS.ProcessEnv): Set<Defect> {
  const raw = env.E2E_DEFECTS?.trim();
  if (!raw) return new Set();
  if (env.NODE_ENV === 'production') {
    throw new ConfigError(['E2E_DEFECTS: refused when NODE_ENV=production (defect switches are for the test catalogue only); unset it']);
  }
  const names = raw.split(',').map((d) => d.trim()).filter(Boolean);
  const unknown = names.filter((d) => !(d in DEFECTS));
  if (unknown.length) {
    throw new ConfigError([`E2E_DEFECTS: expected a comma list of ${Object.keys(DEFECTS).join(', ')}; got "${unknown.join(', ')}"`]);
  }
  return new Set(names as Defect[]);
}
