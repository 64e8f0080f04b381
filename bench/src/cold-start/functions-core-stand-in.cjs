// Loaded first (node --require) by both sides of the cold-start benchmark. The Node.js worker answers
// require('@azure/functions-core') with its registration API before it imports an app; without that,
// @azure/functions runs in test mode and prints a warning for each function instead of registering it, which
// no deployed app pays. This stand-in keeps what is registered, as the worker does, and nothing more; it costs
// the baseline, which registers nothing, as much as the app. The worker has also written to the console by
// then (Azure/azure-functions-nodejs-worker, src/Worker.ts: "Worker <id> connecting on <host>", through
// console.log), so the process's stdout already exists when an app first logs, as it does here.
'use strict';
const Module = require('node:module');

class Disposable {
  constructor(callback) {
    this.callback = callback;
  }
  dispose() {
    this.callback?.();
  }
}

const functions = [];
let programmingModel;
const coreApi = Object.freeze({
  version: '4.0.0',
  hostVersion: '4.0.0',
  Disposable,
  registerFunction: (metadata, callback) => {
    functions.push({ metadata, callback });
    return new Disposable(() => undefined);
  },
  registerHook: () => new Disposable(() => undefined),
  setProgrammingModel: (model) => {
    programmingModel = model;
  },
  getProgrammingModel: () => programmingModel,
  log: () => undefined,
});

const load = Module.prototype.require;
Module.prototype.require = function require(id) {
  return id === '@azure/functions-core' ? coreApi : load.apply(this, arguments);
};

console.log('LanguageWorkerConsoleLogWorker cold-start-bench connecting on 127.0.0.1');
