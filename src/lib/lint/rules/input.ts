/**
 * Input that could not be read as spans (a bad JSON line, a truncated frame, a dropped
 * attribute). The reader reports it with file and line and goes on; lint makes it a finding so
 * it reaches the report and SARIF, not only stderr. Id problems belong to `invalid-id`.
 */
import type { RuleDef } from '../types.js';
import { isIdProblem } from './values.js';

export const decodeProblem: RuleDef<'decode-problem'> = {
  id: 'decode-problem',
  defaultSeverity: 'warn',
  description: 'the input decodes cleanly',
  docs: {
    checks: 'A record, span or attribute of the input could not be decoded and was skipped (invalid JSON, a truncated protobuf frame, an attribute value of the wrong shape); reported with file, line and field. Bad ids are `invalid-id` instead.',
    why: 'Skipped data is missing from every result: its calls, tokens and findings are not there. A truncated last line is normal after a crash mid-write; anything else points at a broken exporter or converter.',
    fix: 'Look at the named line and field; regenerate the dump with an OTLP exporter or the Collector\'s file exporter.',
  },
  problem(p) {
    return isIdProblem(p) ? undefined : { field: p.field, message: p.message };
  },
};
