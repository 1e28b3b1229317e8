import { readFileSync } from 'node:fs';
import net from 'node:net';

/**
 * The ephemeral range: the ports the kernel gives outgoing connections their local end from.
 * A port taken from it (listen on 0) can be handed to any outgoing connection between the moment
 * it is chosen and the moment a service binds it; with parallel stacks making connections by the
 * hundred, that race lost now and then (EADDRINUSE at start).
 */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return [low, high];
  } catch {
    /* not Linux */
  }
  return [32768, 60999];
}

const given = new Set<number>();
const FLOOR = 10_000;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The kernel's choice (listen on 0): the fallback when no port below the ephemeral range is free. */
function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A port that was free on 127.0.0.1 a moment ago, never a fixed number: chosen at random below the
 * ephemeral range (where no outgoing connection takes it meanwhile), never the same twice in this
 * process, and checked by binding it.
 */
export async function freePort(): Promise<number> {
  const [low] = ephemeralRange();
  if (low - FLOOR >= 1_000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = FLOOR + Math.floor(Math.random() * (low - FLOOR));
      if (given.has(port)) continue;
      if (await bindable(port)) {
        given.add(port);
        return port;
      }
    }
  }
  return kernelPort();
}
