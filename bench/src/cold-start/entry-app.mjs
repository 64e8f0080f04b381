// Cold start of an app: a fresh process that imports the app's entry (argv[2]), which registers its hubs.
await import(process.argv[2]);
const readyMs = performance.now();

// The framework records what it registered on globalThis; read after the timing, without importing more.
const registered = globalThis[Symbol.for('@serverless-hub/core:registered-functions')];
// On a line of its own: the app may print before it (registration lists what it exposed).
process.stdout.write(`\n${JSON.stringify({ readyMs, functions: registered instanceof Map ? registered.size : 0 })}`);
