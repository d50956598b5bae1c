// The same operation as the twin's accounts_get on a plain Express 5 app: GET /v1/accounts/:id
// reads a Map of 1,000 accounts and answers {"result": account} (404 when unknown).
import { createServer } from 'node:http';
import express from 'express';

const accounts = new Map();
for (let i = 0; i < 1000; i++) {
  const id = `acct-${String(i).padStart(4, '0')}`;
  accounts.set(id, { id, name: `account-${i}`, fullname: `Account ${i}`, environment: i % 3 === 0 ? 'test' : 'prod', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' });
}
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.get('/v1/accounts/:accountId', (req, res) => {
  const account = accounts.get(req.params.accountId);
  if (!account) return res.status(404).json({ status: 404, message: 'not found' });
  return res.json({ result: account });
});
const server = createServer(app);
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ ready: true, port: server.address().port }) + '\n'));
process.on('SIGTERM', () => process.exit(0));
