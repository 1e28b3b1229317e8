// A local stack, assembled the way testcontainers modules read:
//   await LocalStack.on('processes').withServices(spec).withWorkers(2).withServiceEnv({ … }).start()
// Each provider builds it from small modules that own their readiness check (Postgres, PgBouncer,
// the mock external API, a service process or container); the builder only collects options,
// and the provider honours every one of them or refuses it by name.
import type { ServicesSpec } from './services.ts';
import type { ControlledStack, StackOptions } from './types.ts';

export type LocalProvider = 'processes' | 'containers';

export class LocalStack {
  private options: StackOptions = {};

  private constructor(private readonly provider: LocalProvider) {}

  static on(provider: LocalProvider): LocalStack {
    return new LocalStack(provider);
  }

  withServices(services: ServicesSpec | undefined): this {
    this.options.services = services;
    return this;
  }

  withWorkers(count: number): this {
    this.options.workers = count;
    return this;
  }

  /** Environment for the API and the workers (after the stack's own). */
  withServiceEnv(env: Record<string, string>): this {
    this.options.serviceEnv = { ...this.options.serviceEnv, ...env };
    return this;
  }

  withApiEnv(env: Record<string, string>): this {
    this.options.apiEnv = { ...this.options.apiEnv, ...env };
    return this;
  }

  withWorkerEnv(env: Record<string, string>): this {
    this.options.workerEnv = { ...this.options.workerEnv, ...env };
    return this;
  }

  /** Names the kept logs: reports/stack-logs/<label>/. */
  withLabel(label: string): this {
    this.options.label = label;
    return this;
  }

  withProgress(onProgress: (message: string) => void): this {
    this.options.onProgress = onProgress;
    return this;
  }

  withLogLines(onLogLine: (service: string, line: string) => void): this {
    this.options.onLogLine = onLogLine;
    return this;
  }

  /** Any other option (a broken scenario's database URL, a TLS pooler): a provider refuses what it cannot do. */
  withOptions(options: StackOptions): this {
    this.options = { ...this.options, ...options };
    return this;
  }

  async start(): Promise<ControlledStack> {
    if (this.provider === 'containers') {
      const { startContainerStack } = await import('./containers/index.ts');
      return startContainerStack(this.options);
    }
    const { startProcessStack } = await import('./processes/index.ts');
    return startProcessStack(this.options);
  }
}
