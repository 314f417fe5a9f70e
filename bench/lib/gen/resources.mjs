/** The resources (one per app instance) spans point at, with their OTLP JSON pre-serialized. */
import { APPS, INSTANCES_PER_APP } from './catalog.mjs';
import { jsonAttributes } from './encode-json.mjs';

export function makeResources() {
  const map = new Map();
  for (const [app, def] of Object.entries(APPS)) {
    for (let i = 0; i < INSTANCES_PER_APP; i++) {
      const attrs = { 'service.name': app, 'service.instance.id': `${app}-${i}-7f9c`, 'host.name': `ip-10-0-${i}-${app.length * 7}`, ...def.resource };
      const list = Object.entries(attrs);
      map.set(`${app}#${i}`, { app, attrs, list, json: JSON.stringify({ attributes: jsonAttributes(list) }) });
    }
  }
  return map;
}
