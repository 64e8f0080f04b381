// A minimal Functions app for the command-line tests: one hub, registered through the framework.
// Plain JavaScript (decorators applied as functions), so that it runs without a build step.
import { Hub, ServerlessHub, registerHubs, trackedApp } from '@serverless-hub/core';

class Cli extends ServerlessHub {
  greet() {
    return process.env.CLI_FIXTURE_GREETING ?? null;
  }

  echo(value) {
    return value;
  }
}
Hub('cli')(Cli);

// Outside the Functions host @azure/functions registers nothing; the framework's record is served.
const app = trackedApp({ http: () => undefined, generic: () => undefined });
registerHubs(app, [Cli]);
app.http('hello', { methods: ['GET'], route: 'hello/{name?}', handler: (request) => ({ jsonBody: { hello: request.params.name ?? 'world' } }) });
