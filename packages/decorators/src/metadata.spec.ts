import { describe, expect, it } from 'vitest';
import {
  HubEvent,
  FunctionContext,
  Hub,
  HubContext,
  Ignore,
  Negotiate,
  NotEvent,
  Optional,
  Signal,
  recordFilters,
  Validate,
  readConstructorParameterMarkers,
  readHubClassMetadata,
  readHubMemberMetadata,
} from './index.js';
import type { FilterReference } from './index.js';

// What core's @UseFilters does with its (typed) filters.
function UseFilters(...filters: FilterReference[]): ClassDecorator & MethodDecorator {
  return (target: object, member?: string | symbol) => {
    recordFilters(target, member, filters);
  };
}

const first = () => true;
const second = () => true;
const third = () => true;
class ClassFilter {
  canActivate(): boolean {
    return true;
  }
}

describe('hub metadata', () => {
  it('records @Hub in its three forms', () => {
    @Hub()
    class A {}
    @Hub('chat')
    class B {}
    @Hub({ name: 'x', connectionStringSetting: 'Other', negotiate: { userId: '{query.u}', lifetime: 60 } })
    class C {}
    expect(readHubClassMetadata(A).hubs).toEqual([{}]);
    expect(readHubClassMetadata(B).hubs).toEqual([{ name: 'chat' }]);
    expect(readHubClassMetadata(C).hubs).toEqual([
      { name: 'x', connectionStringSetting: 'Other', negotiate: { userId: '{query.u}', lifetime: 60 } },
    ]);
  });

  it('keeps class metadata to the class itself, not its subclasses', () => {
    @Hub('base')
    @UseFilters(first)
    class Base {}
    class Derived extends Base {}
    expect(readHubClassMetadata(Derived)).toEqual({ hubs: [], filters: [] });
    expect(readHubClassMetadata(Base).filters).toEqual([first]);
  });

  it('keeps filters in declaration order across stacked decorators', () => {
    @UseFilters(first, second)
    @UseFilters(ClassFilter)
    class A {
      @UseFilters(third)
      @UseFilters(first, second)
      method(): void {}
    }
    expect(readHubClassMetadata(A).filters).toEqual([first, second, ClassFilter]);
    expect(readHubMemberMetadata(A.prototype).get('method')?.filters).toEqual([third, first, second]);
  });

  it('records method decorators per member, and every application', () => {
    class A {
      @HubEvent('send')
      @HubEvent('other')
      broadcast(): void {}
      @NotEvent()
      helper(): void {}
      @Negotiate()
      connect(): void {}
      plain(): void {}
    }
    const members = readHubMemberMetadata(A.prototype);
    expect(members.get('broadcast')).toMatchObject({
      events: 2,
      eventNames: ['send', 'other'],
      notEvent: 0,
      negotiate: 0,
    });
    expect(members.get('helper')).toMatchObject({ eventNames: [], notEvent: 1, negotiate: 0 });
    expect(members.get('connect')).toMatchObject({ negotiate: 1 });
    expect(members.has('plain')).toBe(false);
  });

  it('records @HubEvent() without a name as an event mark only', () => {
    class A {
      @HubEvent()
      marked(): void {}
    }
    expect(readHubMemberMetadata(A.prototype).get('marked')).toMatchObject({ events: 1, eventNames: [] });
  });

  it('records @Validate on methods and on parameters apart, in declaration order', () => {
    const first = { '~standard': { version: 1 as const, vendor: 'test', validate: (value: unknown) => ({ value }) } };
    const second = { '~standard': { version: 1 as const, vendor: 'test', validate: (value: unknown) => ({ value }) } };
    class A {
      @Validate(first)
      @Validate(second)
      list(_a: string): void {}
      each(_a: string, @Validate(first) @Validate(second) _b: number): void {}
    }
    const members = readHubMemberMetadata(A.prototype);
    expect(members.get('list')?.argumentsSchemas).toEqual([first, second]);
    expect(members.get('list')?.parameterSchemas.size).toBe(0);
    expect(members.get('each')?.argumentsSchemas).toEqual([]);
    expect(members.get('each')?.parameterSchemas.get(1)).toEqual([first, second]);
  });

  it('records parameter markers by index', () => {
    class A {
      method(
        @HubContext() _context: unknown,
        _text: string,
        @FunctionContext() _functionContext: unknown,
        @Signal() _signal: AbortSignal,
        @Ignore() _ignored: unknown,
        @Optional() _limit?: number,
      ): void {}
    }
    const parameters = readHubMemberMetadata(A.prototype).get('method')?.parameters;
    expect(parameters && Object.fromEntries(parameters)).toEqual({
      0: ['hub-context'],
      2: ['function-context'],
      3: ['signal'],
      4: ['ignore'],
      5: ['optional'],
    });
  });

  it('keeps member metadata of a subclass apart from its base', () => {
    class Base {
      @HubEvent('x')
      method(): void {}
    }
    class Derived extends Base {
      override method(): void {}
      @NotEvent()
      other(): void {}
    }
    expect(readHubMemberMetadata(Derived.prototype).has('method')).toBe(false);
    expect(readHubMemberMetadata(Derived.prototype).has('other')).toBe(true);
    expect(readHubMemberMetadata(Base.prototype).has('other')).toBe(false);
  });

  it('records static members on the class and constructor parameters apart', () => {
    class A {
      constructor(@HubContext() readonly context: unknown) {}
      @HubEvent('s')
      static helper(): void {}
    }
    expect(readHubMemberMetadata(A).get('helper')?.eventNames).toEqual(['s']);
    expect(readHubMemberMetadata(A.prototype).size).toBe(0);
    expect(readConstructorParameterMarkers(A)).toEqual([{ index: 0, marker: 'hub-context' }]);
  });

  it('stores metadata invisibly: no enumerable keys on the class or prototype', () => {
    @Hub('x')
    class A {
      @HubEvent('y')
      method(): void {}
    }
    expect(Object.keys(A)).toEqual([]);
    expect(Object.keys(A.prototype)).toEqual([]);
    expect(JSON.stringify(new A())).toBe('{}');
  });
});
