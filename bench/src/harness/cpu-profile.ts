import { Session } from 'node:inspector/promises';

/** The parts of a V8 `.cpuprofile` this module reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Runs `work` under the V8 sampling profiler (the same data as `node --cpu-prof`) and returns the profile. */
export async function profile(work: () => Promise<void>, samplingIntervalUs = 100): Promise<CpuProfile> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
    await session.post('Profiler.start');
    await work();
    const { profile: result } = await session.post('Profiler.stop');
    return result as CpuProfile;
  } finally {
    session.disconnect();
  }
}

export interface FunctionCost {
  /** `name file:line`, the file shortened to its package-relative path. */
  readonly location: string;
  /** Share of the sampled time, in percent. */
  readonly percent: number;
}

function shortUrl(url: string): string {
  const inPackage = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(.*)$/.exec(url);
  if (inPackage !== null) return inPackage[1]!;
  const inRepository = /\/((?:packages|samples|bench)\/.*)$/.exec(url);
  return inRepository?.[1] ?? url;
}

/**
 * The most expensive functions of a profile: by self time (samples in the function itself) and by
 * inclusive time (samples in it or in anything it called, each function counted once per stack).
 */
export function topFunctions(
  profileData: CpuProfile,
  count: number,
): { self: FunctionCost[]; inclusive: FunctionCost[] } {
  const nodes = new Map(profileData.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profileData.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const timeOf = new Map<number, number>();
  profileData.samples.forEach((id, index) =>
    timeOf.set(id, (timeOf.get(id) ?? 0) + (profileData.timeDeltas[index] ?? 0)),
  );

  const locationOf = (id: number): string => {
    const frame = nodes.get(id)!.callFrame;
    return `${frame.functionName === '' ? '(anonymous)' : frame.functionName} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const [id, time] of timeOf) {
    total += time;
    const location = locationOf(id);
    self.set(location, (self.get(location) ?? 0) + time);
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
      const at = locationOf(current);
      if (seen.has(at)) continue;
      seen.add(at);
      inclusive.set(at, (inclusive.get(at) ?? 0) + time);
    }
  }
  const ranked = (costs: Map<string, number>): FunctionCost[] =>
    [...costs]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([location, time]) => ({ location, percent: (100 * time) / total }));
  return { self: ranked(self), inclusive: ranked(inclusive) };
}
