import { defineScenario } from './types.ts';

const DIRECT = 'postgresql://postgres:direct-db-secret-51c3@db.abcdefghijklmnopqrst.supabase.co:5432/postgres';

export default defineScenario({
  name: 'direct-ipv6',
  story:
    'DATABASE_URL pointed at the direct database host (db.<project-ref>.supabase.co). That host resolves only to IPv6, ' +
    'and the platform has no IPv6 egress: every connection failed with "Network is unreachable" until the pooler URL ' +
    '(IPv4, port 6543) was used. Here the checks and services run in a network namespace with no IPv6 route, where ' +
    'the host name resolves only to an IPv6 address: the kernel answers ENETUNREACH and no packet leaves the machine.',
  stack: { databaseUrl: () => DIRECT, skipReadiness: ['api', 'workers'] },
  netnsHosts: ['2001:db8::5 db.abcdefghijklmnopqrst.supabase.co'],
  detect: { check: /pooler .* DATABASE_URL resolves, every address answers/, diagnosis: /direct host is IPv6-only and this network has no IPv6 route: use the pooler URL/ },
});
