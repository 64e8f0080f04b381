import { describe, expect, it } from 'vitest';
import { traceContextFor } from './trace-context.js';

describe('traceContextFor', () => {
  it('continues a valid caller trace with a new span, its flags and its trace state', () => {
    const context = traceContextFor('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'k=v');
    expect(context.traceParent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-(?!b7ad6b7169203331)[0-9a-f]{16}-01$/);
    expect(context).toMatchObject({ traceState: 'k=v', attributes: {} });
  });

  it('starts a new trace for a missing or invalid traceparent (all-zero ids, version ff, bad shape)', () => {
    for (const parent of [
      undefined,
      '',
      'garbage',
      `00-${'0'.repeat(32)}-b7ad6b7169203331-01`,
      `00-0af7651916cd43dd8448eb211c80319c-${'0'.repeat(16)}-01`,
      'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    ]) {
      const context = traceContextFor(parent, 'k=v');
      expect(context.traceParent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
      expect(context.traceParent).not.toContain('0af7651916cd43dd8448eb211c80319c');
      expect(context.traceState).toBe('');
    }
  });
});
