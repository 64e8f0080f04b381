import * as http from 'node:http';
import * as https from 'node:https';
import type { OutgoingHttpHeaders } from 'node:http';
import { errorMessage } from '@serverless-hub/core/upstream';

/** What an upstream call gave: the app's answer, or why there was none. */
export type UpstreamOutcome =
  | { readonly ok: true; readonly status: number; readonly body: Buffer }
  | { readonly ok: false; readonly failure: 'unreachable' | 'timeout' | 'too-large'; readonly reason: string };

/**
 * POSTs upstream requests over kept-alive connections, with a timeout and a cap on the size of the
 * answer (the service passes at most 16 MB on).
 */
export class UpstreamClient {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 256 });

  constructor(
    private readonly timeoutMs: number,
    private readonly maxResponseBytes: number,
  ) {}

  post(url: string, headers: OutgoingHttpHeaders, body: Uint8Array): Promise<UpstreamOutcome> {
    return this.attempt(url, headers, body, true);
  }

  private attempt(
    url: string,
    headers: OutgoingHttpHeaders,
    body: Uint8Array,
    mayRetryStaleSocket: boolean,
  ): Promise<UpstreamOutcome> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: UpstreamOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const isHttps = url.startsWith('https:');
      let request: http.ClientRequest;
      try {
        request = (isHttps ? https : http).request(url, {
          method: 'POST',
          headers: { ...headers, 'Content-Length': body.byteLength },
          agent: isHttps ? this.httpsAgent : this.httpAgent,
        });
      } catch (error) {
        resolve({ ok: false, failure: 'unreachable', reason: errorMessage(error) });
        return;
      }
      const timer = setTimeout(() => {
        settle({ ok: false, failure: 'timeout', reason: `no answer within ${this.timeoutMs} ms` });
        request.destroy();
      }, this.timeoutMs);
      let responded = false;
      request.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive connection that the app closed while it sat idle fails as soon as it is reused,
        // before the app saw the request: send it again on a new connection, else the message is lost.
        if (
          mayRetryStaleSocket &&
          !responded &&
          !settled &&
          request.reusedSocket &&
          (error.code === 'ECONNRESET' || error.code === 'EPIPE')
        ) {
          settled = true;
          clearTimeout(timer);
          resolve(this.attempt(url, headers, body, false));
          return;
        }
        settle({ ok: false, failure: 'unreachable', reason: error.code ?? error.message });
      });
      request.on('response', (response) => {
        responded = true;
        const declared = Number(response.headers['content-length'] ?? '0');
        if (declared > this.maxResponseBytes) {
          settle({ ok: false, failure: 'too-large', reason: `the answer has ${declared} bytes` });
          response.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxResponseBytes) {
            settle({ ok: false, failure: 'too-large', reason: `the answer exceeds ${this.maxResponseBytes} bytes` });
            response.destroy();
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => {
          settle({
            ok: true,
            status: response.statusCode ?? 0,
            body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size),
          });
        });
        response.on('error', (error) => {
          settle({ ok: false, failure: 'unreachable', reason: error.message });
        });
      });
      request.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
