// Large request bodies against the local functions host: the posting client (node:http, since fetch hides an
// answer that arrives while its body is still being sent) and the memory run of the stress files.
import { request as httpRequest } from 'node:http';
import { collectGarbage } from './robustness-load-harness.js';

export interface PostAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * POSTs `size` bytes, with a `Content-Length` or chunked. The server may answer and stop reading before the
 * whole body is written: the answer is what counts, so a write error after it is ignored.
 */
export function postBytes(url: string, size: number, options: { chunked?: boolean } = {}): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, {
      method: 'POST',
      headers: options.chunked === true ? {} : { 'content-length': String(size) },
    });
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body });
      });
      response.on('error', reject);
    });
    request.on('error', (error) => {
      if (!request.writableFinished) return;
      reject(error);
    });
    const chunk = Buffer.alloc(256 * 1024, 1);
    let sent = 0;
    const write = (): void => {
      while (sent < size) {
        const part = Math.min(chunk.length, size - sent);
        sent += part;
        if (!request.write(part === chunk.length ? chunk : chunk.subarray(0, part))) {
          request.once('drain', write);
          return;
        }
      }
      request.end();
    };
    write();
  });
}

export interface LargeBodyRun {
  readonly answers: readonly PostAnswer[];
  /** Resident memory before the posts, after a full collection. */
  readonly baselineMb: number;
  /** Highest resident memory sampled while the posts ran. */
  readonly peakMb: number;
  readonly seconds: number;
}

/** `count` concurrent POSTs of `size` bytes each, sampling resident memory every 10 ms. */
export async function postConcurrently(url: string, size: number, count: number): Promise<LargeBodyRun> {
  collectGarbage();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  const started = performance.now();
  try {
    const answers = await Promise.all(Array.from({ length: count }, () => postBytes(url, size)));
    peak = Math.max(peak, process.memoryUsage().rss);
    return {
      answers,
      baselineMb: baseline / 2 ** 20,
      peakMb: peak / 2 ** 20,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    clearInterval(sampler);
  }
}
