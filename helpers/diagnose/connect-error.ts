// Turns a connection error into a cause and a fix a person can act on. Pure: no network.

export interface Diagnosis {
  cause: string;
  fix: string;
}

interface ErrorLike {
  code?: string;
  message?: string;
  errno?: number;
}

export function diagnoseConnectError(error: unknown, where: { host: string; port: number; user: string; timeoutMs?: number }): Diagnosis {
  const e = (error ?? {}) as ErrorLike;
  const code = e.code ?? '';
  const message = e.message ?? String(error);
  const at = `${where.host}:${where.port}`;

  if (code === '28P01' || /password authentication failed|SASL authentication failed/i.test(message)) {
    return { cause: `wrong password for user "${where.user}" (${message})`, fix: 'copy the password again from the database provider; URL-encode characters such as @ : / # in DATABASE_URL' };
  }
  if (/tenant or user not found/i.test(message)) {
    return { cause: `the pooler does not know user "${where.user}": "Tenant or user not found"`, fix: "with Supabase's pooler the user is postgres.<project-ref>, and the region in the host must be the project's" };
  }
  if (/no such user/i.test(message) || code === '28000') {
    return { cause: `the pooler rejects user "${where.user}" (${message})`, fix: "check the user name; a pooler's user list may differ from the database's" };
  }
  const prepared = /prepared statement "([^"]+)" (already exists|does not exist)/i.exec(message);
  if (prepared) {
    return {
      cause: `named prepared statements through a transaction-mode pooler (prepared statement "${prepared[1]}" ${prepared[2]}): each transaction may run on another server connection`,
      fix: 'use unnamed statements (node-postgres: no `name` in query configs), or a session-mode connection for that client',
    };
  }
  const param = /unsupported startup parameter:?\s*"?([\w.]+)/i.exec(message);
  if (param) {
    return {
      cause: `the transaction-mode pooler rejects the startup parameter ${param[1]}`,
      fix: `do not send ${param[1]} as a connection option (node-postgres: remove it from the Client/Pool config); use query_timeout or SET LOCAL inside a transaction`,
    };
  }
  if (['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'].includes(code)) {
    return {
      cause: `TLS: the server's certificate chain is not trusted (${code})`,
      fix: 'node-postgres treats sslmode=require as verify-full: pass the provider\'s CA (sslrootcert=/path/ca.crt, or ssl.ca), or accept it unverified with sslmode=no-verify',
    };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return { cause: `TLS: the certificate does not name ${where.host}`, fix: 'connect with the host name the certificate was issued for' };
  }
  if (/does not support SSL/i.test(message)) {
    return { cause: 'TLS was required by the URL but the server offers none', fix: 'drop sslmode=require for this server, or enable TLS on it' };
  }
  if (/no pg_hba\.conf entry|SSL required|must use SSL/i.test(message)) {
    return { cause: `the server requires TLS (${message})`, fix: 'add sslmode=require (and the CA) to DATABASE_URL' };
  }
  if (code === 'ENETUNREACH' || code === 'EHOSTUNREACH') {
    return { cause: `${at}: network is unreachable (${code}): this network has no route to that address`, fix: 'for an IPv6-only direct host, use the pooler URL (IPv4)' };
  }
  if (code === 'EADDRNOTAVAIL') {
    return { cause: `${at}: cannot assign a local address (EADDRNOTAVAIL): IPv6 is disabled here`, fix: 'for an IPv6-only direct host, use the pooler URL (IPv4)' };
  }
  if (code === 'ECONNREFUSED') {
    return { cause: `nothing listens on ${at} (connection refused)`, fix: 'check the port (pooler 6543 or 5432, Postgres 5432) and that the database or pooler runs' };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return { cause: `the host name ${where.host} does not resolve (${code})`, fix: 'check the host in DATABASE_URL (project ref, region)' };
  }
  if (code === 'ETIMEDOUT' || /timeout/i.test(message)) {
    return {
      cause: `no answer from ${at} within ${where.timeoutMs ?? '?'} ms`,
      fix: 'a firewall, an IP allow-list or network restrictions on the database, or a wrong host: check them',
    };
  }
  if (code === 'ECONNRESET' || /Connection terminated/i.test(message)) {
    return { cause: `${at} closed the connection during the handshake (${message})`, fix: 'often TLS is required, or the pooler is overloaded: try sslmode=require, then check the pooler' };
  }
  return { cause: message, fix: 'see the message above' };
}
