// The run's secrets, shared in vitest's main process between the global setup (which creates or
// reads them) and the reporter (which must mask them). A global, because the two may be loaded
// as separate module instances.
interface RunSecrets {
  values: string[];
  provider?: string;
  apiUrl?: string;
}

const KEY = Symbol.for('pooler-queue-e2e.run-secrets');
const holder = globalThis as unknown as Record<symbol, RunSecrets | undefined>;

export const runSecrets: RunSecrets = (holder[KEY] ??= { values: [] });
