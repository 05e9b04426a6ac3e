// The model server's own metrics text, fetched for each scrape of the agent and appended to its own.
import { http } from '../node-http.ts';

const MAX_BYTES = 32 * 1024 * 1024;

export function scrapeUpstream(url: URL, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { headers: { accept: 'text/plain;version=0.0.4' }, timeout: timeoutMs }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`status ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (bytes > MAX_BYTES) req.destroy(new Error('too large'));
        else chunks.push(c);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** The agent's text then the server's, without an OpenMetrics `# EOF` that would end the exposition early. Pure. */
export function joinExpositions(own: string, upstream: string | undefined): string {
  if (upstream === undefined || upstream.trim() === '') return own;
  const body = upstream.replace(/^# EOF\s*$/m, '').trimEnd();
  return `${own.endsWith('\n') ? own : `${own}\n`}${body}\n`;
}
