// The physical ceiling: node:http answering a constant JSON document (no routing, no parsing).
import { createServer } from 'node:http';

const body = JSON.stringify({ result: { id: '9d2c8a0e-4f1b-4c3e-8a7d-6b5e4f3a2c1d', name: 'acme-prod', fullname: 'Acme (production)', environment: 'prod' } });
const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ ready: true, port: server.address().port }) + '\n'));
process.on('SIGTERM', () => process.exit(0));
