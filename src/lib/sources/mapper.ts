/**
 * A batch mapper turns each decoded span batch into a command's compact result (cost's facts,
 * lint's findings): the part of a command that can run wherever the spans were decoded, so
 * that only small results, never Spans, cross from a worker thread to the main thread.
 */
import type { SpanBatch } from './read.js';

export type BatchMapper<R> = (batch: SpanBatch) => R;

export interface MapperSpec<C, R> {
  /**
   * URL of a module exporting `createMapper(config: C): BatchMapper<R>`; workers import it. It
   * may also export `transferList(result: R): ArrayBuffer[]`: buffers of a result that are
   * moved to the main thread instead of copied (each used by that result alone).
   */
  module: string;
  /** Structured-cloneable: it is handed to every worker. */
  config: C;
  /** The same factory, for mapping on the main thread. */
  create(config: C): BatchMapper<R>;
}
