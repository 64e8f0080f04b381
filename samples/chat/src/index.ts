// The app's entry file (package.json "main"): the Functions host imports it and it registers every function.
import { app as functionsApp } from '@azure/functions';
import { registerHubs, trackedApp } from '@serverless-hub/core';
import { Chat } from './chat.js';
import { serveAsset, servePage } from './page.js';

// trackedApp records the page functions too, so that the local functions host serves them with the hub's.
const app = trackedApp(functionsApp);

registerHubs(app, [Chat]);

app.http('index', { methods: ['GET'], authLevel: 'anonymous', route: 'index', handler: servePage });
app.http('assets', { methods: ['GET'], authLevel: 'anonymous', route: 'assets/{name}', handler: serveAsset });
