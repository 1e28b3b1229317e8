// Does the server speak TLS? The Postgres way to ask, before any login: send SSLRequest (8 bytes)
// and read one byte back, 'S' (TLS offered) or 'N' (not). No credentials are sent, nothing is
// created, the connection is closed at once. Poolers (PgBouncer, Supavisor) answer it too.
import net from 'node:net';

export type TlsOffer = 'offered' | 'not-offered';

export interface TlsProbe {
  offer?: TlsOffer;
  /** Why there is no answer (a network code, or the bytes a non-Postgres server sent). */
  error?: string;
  ms: number;
}

const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]); // length 8, code 80877103

export function probeTls(host: string, port: number, timeoutMs: number): Promise<TlsProbe> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let settled = false;
    const done = (result: Omit<TlsProbe, 'ms'>) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve({ ...result, ms: Math.round(performance.now() - started) });
    };
    socket.setTimeout(timeoutMs, () => done({ error: 'ETIMEDOUT' }));
    socket.once('connect', () => socket.write(SSL_REQUEST));
    socket.once('data', (data: Buffer) => {
      const byte = String.fromCharCode(data[0]!);
      if (byte === 'S') done({ offer: 'offered' });
      else if (byte === 'N') done({ offer: 'not-offered' });
      else done({ error: `not a Postgres answer (${JSON.stringify(data.subarray(0, 16).toString('latin1'))})` });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }));
    socket.once('end', () => done({ error: 'the server closed the connection without answering' }));
  });
}

/** Does the URL make node-postgres insist on TLS? Any sslmode but disable does (prefer too). */
export function urlWantsTls(sslmode: string | undefined): boolean {
  return !!sslmode && sslmode !== 'disable';
}
