// A minimal Functions app for the command-line tests: one hub, registered through the framework, and a
// plain HTTP function, both with @azure/functions' own `app`. Plain JavaScript (decorators applied as
// functions), so that it runs without a build step.
import functions from '@azure/functions';
import { Hub, ServerlessHub, registerHubs } from '@serverless-hub/core';

const { app } = functions;

class Cli extends ServerlessHub {
  greet() {
    return process.env.CLI_FIXTURE_GREETING ?? null;
  }

  echo(value) {
    return value;
  }
}
Hub('cli')(Cli);

registerHubs(app, [Cli]);
app.http('hello', {
  methods: ['GET'],
  route: 'hello/{name?}',
  handler: (request) => ({ jsonBody: { hello: request.params.name ?? 'world' } }),
});
