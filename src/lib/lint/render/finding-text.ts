/**
 * The formats that write each finding on its own (json, sarif, github) render it from the
 * finding alone, so findings can be rendered where they are found — on a worker thread for
 * large inputs — and only their bytes cross to the main thread, which writes them in order.
 */
import { newFinding, type FindingPlace } from '../finding.js';
import type { RuleFacts, RuleId, Severity } from '../types.js';
import { annotation } from './github.js';
import { ByteBuilder } from './byte-builder.js';
import { JsonFindingBytes } from './json.js';
import { sarifResult } from './sarif.js';

export type StreamFormat = 'json' | 'sarif' | 'github';

export interface RenderSpec {
  format: StreamFormat;
  /** SARIF artifact URIs are relative to this directory. */
  cwd: string;
  /** --quiet: only errors are written (all are still counted). */
  quiet: boolean;
}

const COMMA = 0x2c;
const LF = 0x0a;

/**
 * Renders a batch's findings into one piece of output: JSON array elements joined by `,\n`
 * (the reporter writes the separator before the piece), annotations each on its own line.
 * Keeps what repeats across batches (json: render/json.ts).
 */
export class FindingRenderer {
  private readonly out = new ByteBuilder();
  private readonly json: JsonFindingBytes | undefined;
  private shown = 0;

  constructor(private readonly spec: RenderSpec) {
    if (spec.format === 'json') this.json = new JsonFindingBytes();
  }

  /** Renders a finding (the one newFinding would make of these). */
  add(rule: RuleId, severity: Severity, where: FindingPlace, facts: RuleFacts[RuleId]): void {
    if (this.spec.format === 'github') {
      this.out.text(annotation(newFinding(rule, severity, where, facts)));
      this.out.byte(LF);
    } else {
      if (this.shown > 0) {
        this.out.byte(COMMA);
        this.out.byte(LF);
      }
      if (this.json) this.json.write(rule, severity, where, facts, this.out);
      else this.out.text(JSON.stringify(sarifResult(newFinding(rule, severity, where, facts), this.spec.cwd)));
    }
    this.shown++;
  }

  /** The findings added since the last take, as bytes, with how many; undefined when none. */
  take(): { bytes: Uint8Array; shown: number } | undefined {
    if (this.shown === 0) return undefined;
    const piece = { bytes: this.out.take(), shown: this.shown };
    this.shown = 0;
    this.json?.restart();
    return piece;
  }
}
