// Child process: a stand-in for the service's REST API that answers every send with 202, and counts the
// sends it received (path and bearer token present) so the benchmark can check none was lost.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveParent } from '../harness/child.js';

let sends = 0;
let others = 0;

const server = createServer((request, response) => {
  const isSend =
    request.method === 'POST' &&
    request.url?.startsWith('/api/hubs/bench/:send?') === true &&
    request.headers.authorization?.startsWith('Bearer ') === true;
  if (isSend) sends++;
  else others++;
  request.on('data', () => {});
  request.on('end', () => {
    response.writeHead(isSend ? 202 : 400, { 'content-length': '0' });
    response.end();
  });
});
// Clients keep their connections for the whole run.
server.keepAliveTimeout = 120_000;

server.listen(0, '127.0.0.1', () => {
  serveParent(
    { port: (server.address() as AddressInfo).port },
    (message) => {
      if (message.type !== 'counts') throw new Error(`unknown request ${message.type}`);
      const answer = { sends, others };
      sends = 0;
      others = 0;
      return answer;
    },
    () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  );
});
