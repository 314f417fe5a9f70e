/**
 * A focused structural validator for SARIF 2.1.0 (no JSON-schema validator package is installed).
 * It checks what the OASIS sarif-schema-2.1.0.json requires of the objects llmtrace writes —
 * required properties, types, enums, minimums, `additionalProperties: false` where the schema
 * says so — plus the spec's cross-object rule that `ruleIndex` points at the rule named by
 * `ruleId` (§3.27.5–3.27.7). It is not a full schema validator: objects llmtrace never writes
 * (graphs, fixes, threadFlows, …) are only checked to be objects.
 */

type Obj = Record<string, unknown>;

const LEVELS = ['none', 'note', 'warning', 'error'];

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Check {
  errors: string[] = [];
  err(path: string, msg: string) {
    this.errors.push(`${path}: ${msg}`);
  }
  obj(v: unknown, path: string, allowed?: readonly string[], required: readonly string[] = []): v is Obj {
    if (!isObj(v)) {
      this.err(path, 'expected an object');
      return false;
    }
    for (const r of required) if (!(r in v)) this.err(path, `missing required property "${r}"`);
    if (allowed) for (const k of Object.keys(v)) if (!allowed.includes(k)) this.err(path, `property "${k}" is not allowed`);
    return true;
  }
  str(v: unknown, path: string) {
    if (typeof v !== 'string') this.err(path, 'expected a string');
  }
  int(v: unknown, path: string, min: number) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) this.err(path, `expected an integer ≥ ${min}`);
  }
  uri(v: unknown, path: string) {
    if (typeof v !== 'string') return this.err(path, 'expected a URI string');
    try {
      new URL(v);
    } catch {
      this.err(path, `not an absolute URI: ${v}`);
    }
  }
  uriReference(v: unknown, path: string) {
    if (typeof v !== 'string' || v === '' || /[\s"<>\\^`{|}]/.test(v)) this.err(path, `not a URI reference: ${JSON.stringify(v)}`);
  }
  propertyBag(v: unknown, path: string) {
    if (!this.obj(v, path)) return;
    if ('tags' in v) {
      const tags = v.tags;
      if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string') || new Set(tags).size !== tags.length) this.err(`${path}.tags`, 'expected unique strings');
    }
  }
  /** multiformatMessageString: required text. */
  mfm(v: unknown, path: string) {
    if (!this.obj(v, path, ['text', 'markdown', 'properties'], ['text'])) return;
    this.str(v.text, `${path}.text`);
    if ('markdown' in v) this.str(v.markdown, `${path}.markdown`);
  }
  /** message: anyOf required text / required id. */
  message(v: unknown, path: string) {
    if (!this.obj(v, path, ['text', 'markdown', 'id', 'arguments', 'properties'])) return;
    if (!('text' in v) && !('id' in v)) this.err(path, 'a message needs "text" or "id"');
    if ('text' in v) this.str(v.text, `${path}.text`);
    if ('id' in v) this.str(v.id, `${path}.id`);
  }
}

const RUN_KEYS = [
  'tool', 'invocations', 'conversion', 'language', 'versionControlProvenance', 'originalUriBaseIds', 'artifacts', 'logicalLocations',
  'graphs', 'results', 'automationDetails', 'runAggregates', 'baselineGuid', 'redactionTokens', 'defaultEncoding', 'defaultSourceLanguage',
  'newlineSequences', 'columnKind', 'externalPropertyFileReferences', 'threadFlowLocations', 'taxonomies', 'addresses', 'translations',
  'policies', 'webRequests', 'webResponses', 'specialLocations', 'properties',
];
const TOOL_COMPONENT_KEYS = [
  'guid', 'name', 'organization', 'product', 'productSuite', 'shortDescription', 'fullDescription', 'fullName', 'version',
  'semanticVersion', 'dottedQuadFileVersion', 'releaseDateUtc', 'downloadUri', 'informationUri', 'globalMessageStrings',
  'notifications', 'rules', 'taxa', 'locations', 'language', 'contents', 'isComprehensive', 'localizedDataSemanticVersion',
  'minimumRequiredLocalizedDataSemanticVersion', 'associatedComponent', 'translationMetadata', 'supportedTaxonomies', 'properties',
];
const DESCRIPTOR_KEYS = [
  'id', 'deprecatedIds', 'guid', 'deprecatedGuids', 'name', 'deprecatedNames', 'shortDescription', 'fullDescription',
  'messageStrings', 'defaultConfiguration', 'helpUri', 'help', 'relationships', 'properties',
];
const RESULT_KEYS = [
  'ruleId', 'ruleIndex', 'rule', 'kind', 'level', 'message', 'analysisTarget', 'locations', 'guid', 'correlationGuid',
  'occurrenceCount', 'partialFingerprints', 'fingerprints', 'stacks', 'codeFlows', 'graphs', 'graphTraversals',
  'relatedLocations', 'suppressions', 'baselineState', 'rank', 'attachments', 'hostedViewerUri', 'workItemUris',
  'provenance', 'fixes', 'taxa', 'webRequest', 'webResponse', 'properties',
];
const LOCATION_KEYS = ['id', 'physicalLocation', 'logicalLocations', 'message', 'annotations', 'relationships', 'properties'];
const PHYSICAL_KEYS = ['address', 'artifactLocation', 'region', 'contextRegion', 'properties'];
const ARTIFACT_LOCATION_KEYS = ['uri', 'uriBaseId', 'index', 'description', 'properties'];
const REGION_KEYS = [
  'startLine', 'startColumn', 'endLine', 'endColumn', 'charOffset', 'charLength', 'byteOffset', 'byteLength', 'snippet',
  'message', 'sourceLanguage', 'properties',
];
const LOGICAL_KEYS = ['name', 'index', 'fullyQualifiedName', 'decoratedName', 'parentIndex', 'kind', 'properties'];
const RESULT_KINDS = ['notApplicable', 'pass', 'fail', 'review', 'open', 'informational'];

function validateLocation(c: Check, loc: unknown, p: string) {
  if (!c.obj(loc, p, LOCATION_KEYS)) return;
  if ('id' in loc) c.int(loc.id, `${p}.id`, -1);
  if ('physicalLocation' in loc) {
    const pl = loc.physicalLocation;
    const pp = `${p}.physicalLocation`;
    if (c.obj(pl, pp, PHYSICAL_KEYS)) {
      if (!('address' in pl) && !('artifactLocation' in pl)) c.err(pp, 'needs "address" or "artifactLocation"');
      if ('artifactLocation' in pl && c.obj(pl.artifactLocation, `${pp}.artifactLocation`, ARTIFACT_LOCATION_KEYS)) {
        const al = pl.artifactLocation as Obj;
        if ('uri' in al) c.uriReference(al.uri, `${pp}.artifactLocation.uri`);
        if ('index' in al) c.int(al.index, `${pp}.artifactLocation.index`, -1);
      }
      if ('region' in pl && c.obj(pl.region, `${pp}.region`, REGION_KEYS)) {
        const r = pl.region as Obj;
        if (!('startLine' in r) && !('charOffset' in r) && !('byteOffset' in r)) c.err(`${pp}.region`, 'needs startLine, charOffset or byteOffset');
        for (const k of ['startLine', 'startColumn', 'endLine', 'endColumn']) if (k in r) c.int(r[k], `${pp}.region.${k}`, 1);
      }
    }
  }
  if ('logicalLocations' in loc) {
    const ll = loc.logicalLocations;
    if (!Array.isArray(ll)) c.err(`${p}.logicalLocations`, 'expected an array');
    else
      ll.forEach((l, i) => {
        const lp = `${p}.logicalLocations[${i}]`;
        if (!c.obj(l, lp, LOGICAL_KEYS)) return;
        for (const k of ['name', 'fullyQualifiedName', 'decoratedName', 'kind']) if (k in l) c.str(l[k], `${lp}.${k}`);
        for (const k of ['index', 'parentIndex']) if (k in l) c.int(l[k], `${lp}.${k}`, -1);
      });
  }
  if ('message' in loc) c.message(loc.message, `${p}.message`);
  if ('properties' in loc) c.propertyBag(loc.properties, `${p}.properties`);
}

export function validateSarif(doc: unknown): string[] {
  const c = new Check();
  if (!c.obj(doc, '$', ['$schema', 'version', 'runs', 'inlineExternalProperties', 'properties'], ['version', 'runs'])) return c.errors;
  if (doc.version !== '2.1.0') c.err('$.version', `must be "2.1.0", got ${JSON.stringify(doc.version)}`);
  if ('$schema' in doc) c.uri(doc.$schema, '$.$schema');
  else c.err('$', 'missing "$schema" (llmtrace always writes it)');
  if (!Array.isArray(doc.runs)) {
    c.err('$.runs', 'expected an array');
    return c.errors;
  }
  doc.runs.forEach((run, ri) => {
    const rp = `$.runs[${ri}]`;
    if (!c.obj(run, rp, RUN_KEYS, ['tool'])) return;
    if (!c.obj(run.tool, `${rp}.tool`, ['driver', 'extensions', 'properties'], ['driver'])) return;
    const driver = (run.tool as Obj).driver;
    const dp = `${rp}.tool.driver`;
    if (!c.obj(driver, dp, TOOL_COMPONENT_KEYS, ['name'])) return;
    c.str(driver.name, `${dp}.name`);
    if ('version' in driver) c.str(driver.version, `${dp}.version`);
    if ('informationUri' in driver) c.uri(driver.informationUri, `${dp}.informationUri`);
    const rules: unknown[] = Array.isArray(driver.rules) ? driver.rules : [];
    if ('rules' in driver && !Array.isArray(driver.rules)) c.err(`${dp}.rules`, 'expected an array');
    const ids = new Set<string>();
    rules.forEach((r, i) => {
      const p = `${dp}.rules[${i}]`;
      if (!c.obj(r, p, DESCRIPTOR_KEYS, ['id'])) return;
      c.str(r.id, `${p}.id`);
      if (ids.has(r.id as string)) c.err(p, `duplicate rule id ${String(r.id)}`);
      ids.add(r.id as string);
      if ('name' in r) c.str(r.name, `${p}.name`);
      for (const k of ['shortDescription', 'fullDescription', 'help']) if (k in r) c.mfm(r[k], `${p}.${k}`);
      if ('helpUri' in r) c.uri(r.helpUri, `${p}.helpUri`);
      if ('defaultConfiguration' in r && c.obj(r.defaultConfiguration, `${p}.defaultConfiguration`, ['enabled', 'level', 'rank', 'parameters', 'properties'])) {
        const cfg = r.defaultConfiguration as Obj;
        if ('level' in cfg && !LEVELS.includes(cfg.level as string)) c.err(`${p}.defaultConfiguration.level`, `must be one of ${LEVELS.join(', ')}`);
        if ('enabled' in cfg && typeof cfg.enabled !== 'boolean') c.err(`${p}.defaultConfiguration.enabled`, 'expected a boolean');
      }
    });
    if ('results' in run) {
      if (!Array.isArray(run.results)) return c.err(`${rp}.results`, 'expected an array');
      run.results.forEach((res, i) => {
        const p = `${rp}.results[${i}]`;
        if (!c.obj(res, p, RESULT_KEYS, ['message'])) return;
        c.message(res.message, `${p}.message`);
        if ('ruleId' in res) c.str(res.ruleId, `${p}.ruleId`);
        if ('ruleIndex' in res) c.int(res.ruleIndex, `${p}.ruleIndex`, -1);
        if ('level' in res && !LEVELS.includes(res.level as string)) c.err(`${p}.level`, `must be one of ${LEVELS.join(', ')}`);
        if ('kind' in res && !RESULT_KINDS.includes(res.kind as string)) c.err(`${p}.kind`, 'unknown kind');
        // §3.27.6: ruleIndex, when present, must name the rule whose id is ruleId.
        if (typeof res.ruleIndex === 'number' && res.ruleIndex >= 0) {
          const rule = rules[res.ruleIndex];
          if (!isObj(rule)) c.err(`${p}.ruleIndex`, `no rule at index ${res.ruleIndex}`);
          else if ('ruleId' in res && rule.id !== res.ruleId) c.err(`${p}.ruleIndex`, `rules[${res.ruleIndex}].id is ${String(rule.id)}, not ${String(res.ruleId)}`);
        }
        if (!('ruleId' in res) && !('ruleIndex' in res) && !('rule' in res)) c.err(p, 'a result should identify its rule');
        if ('locations' in res) {
          if (!Array.isArray(res.locations)) c.err(`${p}.locations`, 'expected an array');
          else res.locations.forEach((l, li) => validateLocation(c, l, `${p}.locations[${li}]`));
        }
        if ('properties' in res) c.propertyBag(res.properties, `${p}.properties`);
      });
    }
    if ('properties' in run) c.propertyBag(run.properties, `${rp}.properties`);
  });
  return c.errors;
}
