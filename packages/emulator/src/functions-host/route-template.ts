import { EmulatorError } from '../errors/emulator-error.js';

type Segment =
  | { readonly kind: 'literal'; readonly text: string }
  | {
      readonly kind: 'parameter';
      readonly name: string;
      readonly optional: boolean;
      readonly constraint: string | undefined;
    }
  | { readonly kind: 'catchAll'; readonly name: string };

/**
 * A compiled Functions route template (`chat/negotiate`, `items/{id}`, `items/{id:int?}`,
 * `files/{*path}`), matched case-insensitively as the Functions host matches routes.
 */
export class RouteTemplate {
  private readonly segments: readonly Segment[];
  /** Literal segments count first when several routes match. */
  readonly specificity: number;

  constructor(readonly template: string) {
    this.segments = template
      .split('/')
      .filter((part) => part !== '')
      .map((part): Segment => {
        const match = /^\{(\*)?([A-Za-z_][\w]*)(?::([A-Za-z]+))?(\?)?\}$/.exec(part);
        if (match === null) {
          if (part.includes('{') || part.includes('}'))
            throw new EmulatorError(
              'CONFIG_INVALID',
              `Route '${template}': the segment '${part}' is not a valid parameter.`,
            );
          return { kind: 'literal', text: part.toLowerCase() };
        }
        const name = match[2] as string;
        if (match[1] === '*') return { kind: 'catchAll', name };
        return { kind: 'parameter', name, optional: match[4] === '?', constraint: match[3]?.toLowerCase() };
      });
    this.specificity =
      this.segments.filter((segment) => segment.kind === 'literal').length * 2 -
      (this.segments.at(-1)?.kind === 'catchAll' ? 1 : 0);
  }

  /** The route parameters when the path (without prefix, already split and decoded) matches. */
  match(parts: readonly string[]): Record<string, string> | undefined {
    const params: Record<string, string> = {};
    let index = 0;
    for (const segment of this.segments) {
      if (segment.kind === 'catchAll') {
        if (index < parts.length) params[segment.name] = parts.slice(index).join('/');
        return params;
      }
      const part = parts[index];
      if (part === undefined) {
        if (segment.kind === 'parameter' && segment.optional) continue;
        return undefined;
      }
      if (segment.kind === 'literal') {
        if (part.toLowerCase() !== segment.text) return undefined;
      } else {
        if (!satisfies(part, segment.constraint)) return undefined;
        params[segment.name] = part;
      }
      index++;
    }
    return index === parts.length ? params : undefined;
  }
}

function satisfies(value: string, constraint: string | undefined): boolean {
  switch (constraint) {
    case undefined:
      return true;
    case 'int':
    case 'long':
      return /^-?\d+$/.test(value);
    case 'alpha':
      return /^[A-Za-z]+$/.test(value);
    case 'bool':
      return /^(true|false)$/i.test(value);
    case 'guid':
      return /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(value);
    case 'double':
    case 'float':
    case 'decimal':
      return value.trim() !== '' && Number.isFinite(Number(value));
    default:
      return true;
  }
}
