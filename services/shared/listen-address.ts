import { ConfigError } from './env-config.ts';

// The platform's port convention: PORT (set by the PaaS) wins, else API_PORT, else 8000.
// The host is API_HOST, default 0.0.0.0: binding 127.0.0.1 in a container makes the service
// unreachable from the platform's health checker even though it "runs".

export interface ListenAddress {
  host: string;
  port: number;
  portSource: 'PORT' | 'API_PORT' | 'default';
  hostSource: 'API_HOST' | 'default';
}

export function listenAddressFromEnv(env: NodeJS.ProcessEnv): ListenAddress {
  const problems: string[] = [];
  let port = 8000;
  let portSource: ListenAddress['portSource'] = 'default';
  for (const key of ['PORT', 'API_PORT'] as const) {
    const raw = env[key]?.trim();
    if (!raw) continue;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1 || n > 65535) {
      problems.push(`${key}: expected an integer from 1 to 65535; got "${raw}"`);
    } else {
      port = n;
      portSource = key;
    }
    break;
  }
  const hostRaw = env.API_HOST?.trim();
  if (hostRaw !== undefined && hostRaw !== '' && !/^[0-9a-zA-Z.:\-[\]]+$/.test(hostRaw)) {
    problems.push(`API_HOST: expected an address to bind such as 0.0.0.0; got "${hostRaw}"`);
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    host: hostRaw || '0.0.0.0',
    port,
    portSource,
    hostSource: hostRaw ? 'API_HOST' : 'default',
  };
}
