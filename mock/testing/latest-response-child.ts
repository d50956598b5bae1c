import { createServer, get, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTwin } from '../app.ts';

/**
 * Run by mock/latest-response.test.ts with --expose-gc: answers one request through `listener`,
 * lets the connection go, runs full collections, and prints whether the response object is still
 * alive, for the twin's Synqly listener (it keeps its latest response referenced: createDispatcher
 * in core/pipeline.ts) and, as the control, for a bare listener that keeps nothing.
 */

const collectGarbage = (globalThis as { gc?: () => void }).gc;
if (!collectGarbage) throw new Error('run with --expose-gc');

async function responseSurvives(listener: RequestListener): Promise<boolean> {
  let answered: WeakRef<object> | undefined;
  const server = createServer((req, res) => {
    answered = new WeakRef(res);
    listener(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/v1/accounts', agent: false }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  // WeakRef targets are kept until the end of the current job: collect from a later one
  await new Promise((resolve) => setTimeout(resolve, 20));
  for (let i = 0; i < 3; i++) collectGarbage!();
  return answered?.deref() !== undefined;
}

const twin = await createTwin({});
const twinKeeps = await responseSurvives(twin.handlers.synqly);
const bareKeeps = await responseSurvives((_req, res) => res.end('{}'));
await twin.close();
process.stdout.write(JSON.stringify({ twinKeeps, bareKeeps }) + '\n');
