// Cold-start baseline: a fresh process that imports only @azure/functions, what every Functions app loads.
import '@azure/functions';

process.stdout.write(JSON.stringify({ readyMs: performance.now() }));
