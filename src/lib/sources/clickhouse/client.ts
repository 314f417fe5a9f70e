/**
 * The HTTP client for a `clickhouse://` source and what its failures mean to a user. Every
 * failure becomes an LlmtraceError (exit 2) that names the source, never a stack trace; the
 * server's text is shortened and printed through the one writer like any untrusted text.
 */
import { ClickHouseError, ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { LlmtraceError } from '../../errors.js';
import { qualifiedName, type ClickHouseTarget } from './url.js';

/** How long one request may wait for the server's answer (headers, then each chunk). */
export const REQUEST_TIMEOUT_MS = 300_000;
/** The server stops a query after this long (max_execution_time), before the client gives up. */
export const MAX_EXECUTION_SECONDS = 290;

/** The run's one client; a query that must answer sooner (the layout probe) brings its own abort signal. */
export function connect(target: ClickHouseTarget): ClickHouseClient {
  return createClient({
    url: target.httpUrl,
    username: target.username,
    password: target.password,
    database: target.database,
    request_timeout: REQUEST_TIMEOUT_MS,
    // Results are text (JSON rows): gzip cuts them several times over on the wire.
    compression: { response: true, request: false },
    application: 'llmtrace',
    max_open_connections: 2,
    // The client logs errors to the console itself; llmtrace reports them once, as its own.
    log: { level: ClickHouseLogLevel.OFF },
  });
}

const MAX_SERVER_TEXT = 300;

function serverText(message: string): string {
  const one = message.replace(/\s+/g, ' ').trim();
  return one.length > MAX_SERVER_TEXT ? `${one.slice(0, MAX_SERVER_TEXT)}…` : one;
}

/** What went wrong, in words naming the source; `what` says what llmtrace was doing. */
export function clickHouseError(e: unknown, target: ClickHouseTarget, what: string, timeoutMs = REQUEST_TIMEOUT_MS): LlmtraceError {
  const where = `ClickHouse ${target.label}`;
  if (e instanceof LlmtraceError) return e;
  if (e instanceof ClickHouseError) {
    const code = Number(e.code);
    const text = serverText(e.message);
    switch (code) {
      case 516:
        return new LlmtraceError(`${where}: authentication failed for user ${JSON.stringify(target.username)}`, 'check the user and password (clickhouse://user:password@host/db, or LLMTRACE_CLICKHOUSE_PASSWORD)');
      case 81:
        return new LlmtraceError(`${where}: database ${JSON.stringify(target.database)} does not exist`, 'the database is the URL path: clickhouse://host:8123/otel');
      case 60:
        return new LlmtraceError(`${where}: table ${JSON.stringify(qualifiedName(target))} does not exist`, 'the Collector exporter\'s table is otel_traces by default; another name goes in ?table=NAME');
      case 47:
      case 16:
        return new LlmtraceError(`${where}: a column llmtrace reads is missing while ${what}: ${text}`, 'llmtrace reads the table layout of the OpenTelemetry Collector ClickHouse exporter');
      case 497:
        return new LlmtraceError(`${where}: access denied while ${what}: ${text}`, `llmtrace needs SELECT on ${qualifiedName(target)} and ${qualifiedName({ database: target.database, table: `${target.table}_trace_id_ts` })} (see the README, "ClickHouse")`);
      case 164: // READONLY: a readonly = 1 user may not change the settings sent with every query
        return new LlmtraceError(`${where}: the user cannot change settings (readonly = 1) while ${what}`, 'llmtrace sends settings with each query (max_execution_time, gzip); give the user SELECT grants without readonly = 1 (README, "ClickHouse")');
      case 159:
      case 160:
        return new LlmtraceError(`${where}: the query took too long while ${what}: ${text}`, 'narrow it with --since/--until');
      default:
        return new LlmtraceError(`${where}: query failed while ${what}: ${text}`);
    }
  }
  const err = e as NodeJS.ErrnoException | undefined;
  const code = err?.code;
  const message = serverText(String(err?.message ?? e));
  if (code === 'ECONNREFUSED') return new LlmtraceError(`${where}: connection refused at ${target.httpUrl}`, `is ClickHouse listening there? Its HTTP port is 8123 (8443 with secure=1)`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new LlmtraceError(`${where}: host not found (${target.httpUrl})`);
  if (code === 'ECONNRESET' || code === 'EPIPE') return new LlmtraceError(`${where}: the connection was closed while ${what}`);
  if (code === 'EPROTO' && /wrong version number/.test(message)) {
    return new LlmtraceError(`${where}: TLS failed: the server answered in plain HTTP`, 'leave out secure=1, or give the server\'s HTTPS port (8443 by default)');
  }
  if (code === 'EPROTO' || (typeof code === 'string' && /CERT|SSL|TLS/.test(code))) {
    return new LlmtraceError(`${where}: TLS failed (${message})`, target.secure ? 'secure=1 speaks HTTPS (port 8443 by default)' : 'a server that speaks HTTPS needs secure=1');
  }
  // The client's own timeout, or the abort signal of a query with a shorter one (the probe's).
  if (/timeout|aborted a request/i.test(message)) return new LlmtraceError(`${where}: no answer within ${timeoutMs / 1000} s while ${what}`, 'is the host right, and ClickHouse not overloaded? Narrow the query with --since/--until');
  // An HTTP error without a ClickHouse exception in its body (a proxy in between, or a request
  // the server refused before reading it): the client gives no status, only the empty text.
  if (e instanceof Error && code === undefined && message === '') {
    return new LlmtraceError(`${where}: the server refused the request with an empty answer while ${what}`, 'a proxy in front of ClickHouse may limit the URL size: llmtrace sends the attribute keys it reads as query parameters (fewer --by or --feature-key keys make it shorter)');
  }
  if (/HPE_|Parse Error/i.test(message)) return new LlmtraceError(`${where}: the answer is not HTTP from ClickHouse while ${what} (${message})`, target.secure ? undefined : 'a server that speaks HTTPS needs secure=1');
  return new LlmtraceError(`${where}: failed while ${what}: ${message}`);
}
