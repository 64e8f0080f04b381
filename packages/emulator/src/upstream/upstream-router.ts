import type { UpstreamTemplate } from './upstream-settings.js';

interface CompiledTemplate {
  readonly urlTemplate: string;
  readonly hubs: ReadonlySet<string> | undefined;
  readonly categories: ReadonlySet<string> | undefined;
  readonly events: ReadonlySet<string> | undefined;
}

function compilePattern(pattern: string | undefined): ReadonlySet<string> | undefined {
  if (pattern === undefined) return undefined;
  const names = pattern.split(',').map((name) => name.trim().toLowerCase());
  return names.includes('*') ? undefined : new Set(names);
}

const placeholder = /\{(hub|category|event)\}/gi;
const LONE_SURROGATE = /\p{Cs}/gu;
const maxCachedRoutes = 4096;

/**
 * Picks the upstream URL of an event: the first template (in order) whose hub, category and event
 * patterns all match, with its placeholders replaced URI-escaped. Names are compared without letter
 * case. Resolutions are cached, since every message of a connection asks again.
 */
export class UpstreamRouter {
  private readonly templates: readonly CompiledTemplate[];
  private readonly cache = new Map<string, string | null>();

  constructor(templates: readonly UpstreamTemplate[]) {
    this.templates = templates.map((template) => ({
      urlTemplate: template.urlTemplate,
      hubs: compilePattern(template.hubPattern),
      categories: compilePattern(template.categoryPattern),
      events: compilePattern(template.eventPattern),
    }));
  }

  /** The URL for this event, or `undefined` when no template matches (the event is not sent). */
  resolve(hub: string, category: string, event: string): string | undefined {
    const key = `${hub}\n${category}\n${event}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const url = this.match(hub, category, event);
    if (this.cache.size >= maxCachedRoutes) this.cache.clear();
    this.cache.set(key, url ?? null);
    return url;
  }

  private match(hub: string, category: string, event: string): string | undefined {
    const hubKey = hub.toLowerCase();
    const categoryKey = category.toLowerCase();
    const eventKey = event.toLowerCase();
    for (const template of this.templates) {
      if (template.hubs !== undefined && !template.hubs.has(hubKey)) continue;
      if (template.categories !== undefined && !template.categories.has(categoryKey)) continue;
      if (template.events !== undefined && !template.events.has(eventKey)) continue;
      return template.urlTemplate.replace(placeholder, (_match, name: string) => {
        const lower = name.toLowerCase();
        // An event is a client's invocation target, any text: a lone surrogate has no UTF-8 form (and would make
        // encodeURIComponent throw), so it is sent as U+FFFD, as .NET escapes it.
        return encodeURIComponent(
          (lower === 'hub' ? hub : lower === 'category' ? category : event).replace(LONE_SURROGATE, '\uFFFD'),
        );
      });
    }
    return undefined;
  }
}
