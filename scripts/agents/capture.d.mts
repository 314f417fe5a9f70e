export interface CapturedBody {
  seq: number;
  time: string;
  transport: 'http' | 'grpc';
  path: string;
  signal: 'traces' | 'logs' | 'metrics' | 'unknown';
  contentType: string;
  contentEncoding: string | null;
  body: Buffer;
}
export interface Capture {
  httpUrl: string;
  grpcUrl: string;
  requests: CapturedBody[];
  close(): Promise<void>;
}
export function startCapture(opts?: { log?: (s: string) => void }): Promise<Capture>;
