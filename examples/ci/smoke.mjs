// What a project's tests do in CI against the twin: read the exported variables and call both APIs.
const synqly = await fetch(`${process.env.SYNQLY_BASE_URL}/v1/accounts`, { headers: { authorization: `Bearer ${process.env.SYNQLY_TOKEN}` } });
const token = await fetch(process.env.CONNXIO_TOKEN_URL, {
  method: 'POST',
  body: new URLSearchParams({ grant_type: 'client_credentials', client_id: process.env.CONNXIO_CLIENT_ID, client_secret: process.env.CONNXIO_CLIENT_SECRET }),
});
const { access_token } = await token.json();
const connxio = await fetch(`${process.env.CONNXIO_BASE_URL}/v2/subscriptions/current`, {
  headers: { 'connxio-api-key': process.env.CONNXIO_API_KEY, authorization: `Bearer ${access_token}` },
});
console.log(`synqly ${synqly.status} connxio ${connxio.status}`);
process.exit(synqly.status === 200 && connxio.status === 200 ? 0 : 1);
