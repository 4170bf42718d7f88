/** Raw HTTP/1.1 over node:net, for requests no HTTP client would send. */
import { connect } from 'node:net';

export interface RawResponse {
  readonly status: number;
  /** Lower-cased names; the last value of a repeated header. */
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Everything the server sent, as is. */
  readonly raw: string;
}

/** Parses the first response of `raw` (a Content-Length body, or everything after the head). */
export function parseRawResponse(raw: string): RawResponse {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd < 0) throw new Error(`No response head in ${JSON.stringify(raw.slice(0, 200))}`);
  const [statusLine, ...lines] = raw.slice(0, headEnd).split('\r\n');
  const match = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine!);
  if (!match) throw new Error(`Not an HTTP/1.1 status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = Buffer.from(raw.slice(headEnd + 4), 'latin1');
  const length = headers['content-length'] === undefined ? rest.length : Number(headers['content-length']);
  return { status: Number(match[1]), headers, body: rest.subarray(0, length).toString('utf8'), raw };
}

/** In a `rawExchange` script: wait until the server has sent this many bytes in all. */
export interface AwaitBytes {
  readonly afterBytes: number;
}

/**
 * Writes `script`'s chunks to a fresh connection to `base` (waiting where it
 * says) and collects what comes back until the server closes the connection
 * (or `timeoutMs` passes). `closed` says whether the server closed it.
 */
export function rawExchange(
  base: string,
  script: ReadonlyArray<string | Buffer | AwaitBytes>,
  timeoutMs = 5_000,
): Promise<{ raw: string; closed: boolean }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    const received: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ raw: Buffer.concat(received).toString('latin1'), closed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    let next = 0;
    let receivedBytes = 0;
    const writeOn = () => {
      while (next < script.length) {
        const step = script[next]!;
        if (typeof step === 'object' && !Buffer.isBuffer(step)) {
          if (receivedBytes < step.afterBytes) return;
        } else socket.write(step);
        next += 1;
      }
    };
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      receivedBytes += chunk.length;
      writeOn();
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    // A reset after the answer was read still counts as closed by the server.
    socket.on('error', (error) => (received.length > 0 ? finish(true) : reject(error)));
    socket.on('connect', writeOn);
  });
}
