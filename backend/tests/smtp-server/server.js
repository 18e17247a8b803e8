// A real SMTP server for the API tests: listens on 127.0.0.1:<port>, requires AUTH when given a user and password,
// and appends each message it accepts to <out> as one JSON line: envelope, the AUTH user, and the raw message.
// usage: node server.js <port> <out> [user password]
'use strict';
const fs = require('fs');
const { SMTPServer } = require('smtp-server');

const [port, out, user, password] = process.argv.slice(2);
const server = new SMTPServer({
  secure: false,
  disabledCommands: ['STARTTLS'],
  // AUTH without TLS: the tests talk over loopback only.
  allowInsecureAuth: true,
  authOptional: !user,
  authMethods: ['PLAIN', 'LOGIN'],
  onAuth(auth, session, callback) {
    if (auth.username === user && auth.password === password) {
      callback(null, { user: auth.username });
    } else {
      callback(new Error('Invalid username or password'));
    }
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      const message = {
        from: session.envelope.mailFrom && session.envelope.mailFrom.address,
        to: session.envelope.rcptTo.map((r) => r.address),
        user: session.user || null,
        raw: Buffer.concat(chunks).toString('utf8'),
      };
      fs.appendFileSync(out, JSON.stringify(message) + '\n');
      callback(null, 'Queued as test-' + Date.now());
    });
  },
});
server.on('error', (e) => console.error(e.message));
server.listen(Number(port), '127.0.0.1', () => console.log('listening on ' + port));
