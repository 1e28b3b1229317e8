// The Stack interface every suite uses without knowing how the stack runs. Providers (native
// processes now; containers and a live external target later) all hand tests the same endpoints.

export type ProviderName = 'processes' | 'containers' | 'external';

/** Plain data, serialisable: it crosses from globalSetup to test workers via provide/inject. */
export interface StackEndpoints {
  provider: ProviderName;
  /** Base URL of the API, e.g. http://127.0.0.1:41234 */
  apiUrl: string;
  /** The services' DATABASE_URL: through the transaction-mode pooler. Contains a password. */
  poolerUrl?: string;
  /** A direct (non-pooled) connection for inspecting the database in tests. Contains a password. */
  directUrl?: string;
  /** The mock external API, when the stack has one. */
  mockUrl?: string;
  /** The release identity the services were deployed with. */
  release: { commit: string; branch: string };
  /** Worker instance ids the stack started. */
  workers: string[];
  /** Directory of the run's log files (removed with the stack, copied to reports/stack-logs). */
  logDir?: string;
  /** Where each service's log file lives (service name → path), when the provider captures logs. */
  logFiles: Record<string, string>;
  /** Containers of the services by name, their network and the services image (containers provider). */
  containers?: Record<string, string>;
  network?: string;
  servicesImage?: string;
  /** Process ids of the services, for liveness checks (processes provider). */
  pids?: Record<string, number>;
  /** Wall time from start() to every service ready. */
  readyMs: number;
  /** Secrets the run created; reports and logs must never contain them. */
  secrets: string[];
}

export interface StartedStack {
  endpoints: StackEndpoints;
  /** Stops everything this stack started. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Number of worker instances (default 2). */
  workers?: number;
  /** Extra environment for the API and workers (short test intervals, defect switches). */
  serviceEnv?: Record<string, string>;
  /** Extra environment for the API only, and for the workers only (after serviceEnv). */
  apiEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
  /** Services a broken scenario keeps from becoming ready: start() does not wait for them. */
  skipReadiness?: ('api' | 'workers')[];
  /** Changes the services' DATABASE_URL (given the working pooler URL): a wrong password, a direct host. */
  databaseUrl?: (poolerUrl: string) => string;
  /** The pooler requires TLS from clients (a throwaway self-signed certificate). */
  poolerTls?: boolean;
  /** Called with each log line as it arrives, e.g. to stream logs for a person. */
  onLogLine?: (service: string, line: string) => void;
  /** Names this stack's kept logs: reports/stack-logs/<label>/ (default e2e). */
  label?: string;
  /** Called with progress messages while starting. */
  onProgress?: (message: string) => void;
}
