/**
 * The coding agents' recorded OTLP exports (test/fixtures/agents/<agent>/<run>/, made by
 * scripts/record-agents.mjs; see its README): loading them, and sending them again, in their
 * recorded order and over their recorded transport, to a running receiver such as `tail`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import type { MockTruthCall } from '../../scripts/agents/mocks.mjs';
import { grpcServiceDefinition } from '../../src/lib/receiver/grpc.js';

export const AGENT_FIXTURES = path.resolve('test/fixtures/agents');

export type CapturedSignal = 'traces' | 'logs' | 'metrics';

export interface CapturedRequest {
  seq: number;
  time: string;
  transport: 'http' | 'grpc';
  path: string;
  signal: CapturedSignal;
  contentType: string;
  contentEncoding: string | null;
  bytes: number;
  file: string;
  stored?: 'gzip' | 'raw';
}

/** What the mock returned for one model call. */
export type TruthCall = MockTruthCall;

export interface AgentCapture {
  dir: string;
  agent: string;
  run: string;
  requests: CapturedRequest[];
  truth: { totalsByModel: Record<string, Record<string, number>>; calls: TruthCall[] };
  info: { options: { protocol: string; temporality: string; traces: boolean }; env: Record<string, string>; packageVersion: string };
}

export function agentCaptures(): AgentCapture[] {
  if (!existsSync(AGENT_FIXTURES)) return [];
  const out: AgentCapture[] = [];
  for (const agent of readdirSync(AGENT_FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const run of readdirSync(path.join(AGENT_FIXTURES, agent.name), { withFileTypes: true }).filter((d) => d.isDirectory())) {
      const dir = path.join(AGENT_FIXTURES, agent.name, run.name);
      const read = (f: string) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as unknown;
      if (!existsSync(path.join(dir, 'requests.json'))) continue;
      out.push({
        dir,
        agent: agent.name,
        run: run.name,
        requests: read('requests.json') as CapturedRequest[],
        truth: read('truth.json') as AgentCapture['truth'],
        info: read('run.json') as AgentCapture['info'],
      });
    }
  }
  return out.sort((a, b) => a.dir.localeCompare(b.dir));
}

/** The request body exactly as the agent sent it (any gzip the agent applied already undone). */
export function requestBody(capture: AgentCapture, r: CapturedRequest): Buffer {
  const stored = readFileSync(path.join(capture.dir, r.file));
  return r.stored === 'gzip' ? gunzipSync(stored) : stored;
}

/** Sends every recorded request again, one at a time in recorded order; rejects on any failure. */
export async function replayCapture(capture: AgentCapture, ports: { http: number; grpc?: number | null }): Promise<void> {
  const clients = new Map<CapturedSignal, grpc.Client>();
  try {
    for (const r of capture.requests) {
      const body = requestBody(capture, r);
      if (r.transport === 'http') {
        const res = await fetch(`http://127.0.0.1:${ports.http}${r.path}`, { method: 'POST', headers: { 'content-type': r.contentType }, body: new Uint8Array(body) });
        if (!res.ok) throw new Error(`${capture.agent}/${capture.run} ${r.file}: HTTP ${res.status} ${await res.text()}`);
        continue;
      }
      if (!ports.grpc) throw new Error(`${capture.agent}/${capture.run} ${r.file}: recorded over gRPC, and no gRPC port`);
      let client = clients.get(r.signal);
      if (!client) {
        const Ctor = grpc.makeGenericClientConstructor(grpcServiceDefinition(r.signal), r.signal);
        client = new Ctor(`127.0.0.1:${ports.grpc}`, grpc.credentials.createInsecure());
        clients.set(r.signal, client);
      }
      const call = client as unknown as { Export(req: Buffer, cb: (err: grpc.ServiceError | null) => void): void };
      await new Promise<void>((resolve, reject) =>
        call.Export(body, (err) => (err ? reject(new Error(`${capture.agent}/${capture.run} ${r.file}: gRPC ${err.code} ${err.details}`)) : resolve())),
      );
    }
  } finally {
    for (const c of clients.values()) c.close();
  }
}
