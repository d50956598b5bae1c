// The framework ceiling: a bare Express 5 app answering the same constant JSON with res.json().
import { createServer } from 'node:http';
import express from 'express';

const doc = { result: { id: '9d2c8a0e-4f1b-4c3e-8a7d-6b5e4f3a2c1d', name: 'acme-prod', fullname: 'Acme (production)', environment: 'prod' } };
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.get('/v1/accounts/:accountId', (req, res) => res.json(doc));
const server = createServer(app);
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ ready: true, port: server.address().port }) + '\n'));
process.on('SIGTERM', () => process.exit(0));
