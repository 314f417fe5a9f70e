/**
 * Validation against the official SARIF 2.1.0 JSON schema (OASIS sarif-2.1.0-rtm.5, as shipped in
 * @microsoft/jest-sarif) with ajv, next to the structural checks of sarif-validator.ts (which
 * also checks what a schema cannot: ruleIndex pointing at the rule named by ruleId).
 */
import { createRequire } from 'node:module';
import Ajv from 'ajv';

const require = createRequire(import.meta.url);
const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;

// The SARIF schema is written in JSON Schema draft-04.
const ajv = new Ajv({ allErrors: true, jsonPointers: true, schemaId: 'auto' });
ajv.addMetaSchema(require('ajv/lib/refs/json-schema-draft-04.json') as object);
const validate = ajv.compile(schema);

/** Schema violations as `pointer: message` lines; empty when the document is valid SARIF 2.1.0. */
export function schemaErrors(doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.dataPath || '/'}: ${e.message}`);
}
