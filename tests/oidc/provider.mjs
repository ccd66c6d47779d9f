// A real OpenID Connect provider on loopback for the sign-in tests (started by tests/oidc/provider.py).
// Accounts: any login is an e-mail address; one starting with "unverified." has email_verified false.
// Prints "ready <port>" once listening.
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OIDC_CLIENTS);

const provider = new Provider(issuer, {
  clients: clients.map((client) => ({
    client_id: client.client_id,
    client_secret: client.client_secret,
    redirect_uris: client.redirect_uris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  features: { devInteractions: { enabled: true } },
  // Clients whose id starts with "short-codes" get codes that expire after one second (the expired-code test).
  ttl: {
    AuthorizationCode: (ctx, code, client) => (client.clientId.startsWith('short-codes') ? 1 : 60),
    IdToken: 3600,
    Interaction: 600,
    Session: 600,
    Grant: 600,
  },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        const name = id.split('@')[0].replace(/^unverified\./, '');
        return { sub: id, email: id.replace(/^unverified\./, ''), email_verified: !id.startsWith('unverified.'), name };
      },
    };
  },
});
provider.proxy = false;

const server = provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
