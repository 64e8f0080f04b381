// The app's entry file (package.json "main"): the Functions host imports it and it registers every function.
import { app } from '@azure/functions';
import { registerHubs } from '@serverless-hub/core';
import { Chat } from './chat.js';
import { serveAsset, servePage } from './page.js';

registerHubs(app, [Chat]);

app.http('index', { methods: ['GET'], authLevel: 'anonymous', route: 'index', handler: servePage });
app.http('assets', { methods: ['GET'], authLevel: 'anonymous', route: 'assets/{name}', handler: serveAsset });
