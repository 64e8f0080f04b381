// Records where the app is loaded from, as a Functions app sees it: the working directory and
// AzureWebJobsScriptRoot, read while its entry file runs.
import functions from '@azure/functions';

const loadedIn = { cwd: process.cwd(), scriptRoot: process.env.AzureWebJobsScriptRoot };

functions.app.http('where', {
  methods: ['GET'],
  handler: () => ({
    jsonBody: { loadedIn, invokedIn: { cwd: process.cwd(), scriptRoot: process.env.AzureWebJobsScriptRoot } },
  }),
});
