// The Stack interface every suite uses without knowing how the stack runs. Providers (native
// processes, containers, a live external target) all hand tests the same endpoints, and say what
// they can do: suites skip on a missing capability, with its reason, never on a provider's name.
import type { ServicesSpec } from './services.ts';

export type ProviderName = 'processes' | 'containers' | 'external';

/** What a started stack lets the suites do beyond HTTP to the API. */
export interface Capabilities {
  /** Stop, kill and restart the stack's services; start stacks of a suite's own with these services. */
  control: boolean;
  /** Start one more API or worker with chosen settings (bad config, another port, another DATABASE_URL). */
  bootServices: boolean;
  /** A direct (non-pooled) database connection, to read rows back. */
  directDatabase: boolean;
  /** The mock external API the workers call, to see what they sent. */
  mockExternal: boolean;
  /** A network of its own, with an inside and an outside (containers). */
  ownNetwork: boolean;
  /** The services are the reference services, with their test-only defect switches. */
  referenceServices: boolean;
  /** Each service's own output, captured by the stack. */
  serviceLogs: boolean;
}

/** Plain data, serialisable: it crosses from globalSetup to test workers via provide/inject. */
export interface StackEndpoints {
  provider: ProviderName;
  capabilities: Capabilities;
  /** The API and worker this stack runs (none for a live target). */
  services?: ServicesSpec;
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
  /** A scratch directory the run owns, removed with the stack (by the watchdog after a crash); a live target's run has one too. */
  scratchDir?: string;
  /** Where each service's log file lives (service name → path), when the provider captures logs. */
  logFiles: Record<string, string>;
  /** Containers of the services by name, their network and the services image (containers provider). */
  containers?: Record<string, string>;
  network?: string;
  servicesImage?: string;
  /** Process ids of the services, for liveness checks (processes provider). */
  pids?: Record<string, number>;
  /** The PORT the API was given, where it differs from the URL's port (containers: 10000 behind a mapped port). */
  apiPortGiven?: string;
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

/**
 * What resilience suites need: stop, crash and restart one service (processes or containers
 * alike), then wait until it is back. Service names: postgres, pooler, mock-external, api,
 * worker-1, worker-2.
 */
export interface StackControl {
  /** Sends `signal` (SIGKILL by default) and waits until the service has exited. */
  kill(service: string, signal?: NodeJS.Signals): Promise<void>;
  /** Sends `signal` and returns at once (a graceful-shutdown check watches what happens next). */
  signal(service: string, signal: NodeJS.Signals): void;
  /** Waits until the service has exited; its exit code (null when a signal ended it). */
  waitForExit(service: string): Promise<number | null>;
  /** Clean stop (the program's own stop signal), SIGKILL after 10 s. */
  stop(service: string): Promise<void>;
  /** Starts a stopped service again on the same port and data, and waits until it is ready. */
  start(service: string): Promise<void>;
  running(service: string): boolean;
  /** Changes whenever the service is started again: "did it restart?" (a pid, a container's start time). */
  incarnation(service: string): Promise<string>;
}

/** A local stack whose services the suites can control (capability `control`). */
export interface ControlledStack extends StartedStack {
  control: StackControl;
}

export interface StackOptions {
  /** Which API and worker to run (default: the reference services). */
  services?: ServicesSpec;
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
