// The app's entry file (package.json "main"): the Functions host loads it, and it registers every function.
import { app } from '@azure/functions';
import { registerHubs } from '@serverless-hub/core';
import { Chat } from './chat.js';

registerHubs(app, [Chat]);

// Any other function of the app, registered as usual.
app.http('hello', {
  methods: ['GET'],
  route: 'hello/{name?}',
  handler: (request) => ({ jsonBody: { hello: request.params.name ?? 'world' } }),
});
