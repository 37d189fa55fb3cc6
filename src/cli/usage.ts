/** `latchkey help`: every command, the environment it reads, and the two ways to hurt yourself. */

export const USAGE = `Usage: latchkey <command> [flags]

The bin is dist/cli.js, built by \`npm run build\` (node dist/cli.js <command> works too); in
development, without a build: npm run cli -- <command> [flags].

Commands:
  serve                      Run the server (the same as \`node dist/main.js\`; see the README).
                             SIGINT/SIGTERM let in-flight requests finish, then it exits.
  migrate                    Apply every pending database migration and say which ran.
  bootstrap                  Create the first account if there is none (the server does this on
                             its first start too). Honours STS_ACCOUNT_ID, STS_ROOT_ACCESS_KEY_ID and
                             STS_ROOT_SECRET_ACCESS_KEY. Prints the root access key as JSON, once:
                             a generated secret is shown here and nowhere else.
  accounts create [--id 123456789012] [--alias name]
                             Create another account with a root access key; prints AccountId,
                             AccessKeyId and SecretAccessKey as JSON, once.
  accounts list              List accounts (id, alias, creation time); never secrets.
  keys rotate                Add a new key to KEYS_DIR/keyring.json; it seals from now on and the
                             older keys keep opening what they sealed. Prints the new kid and the
                             number of keys, never key material. Copy keys/ to every node and
                             restart them all: a node without the new key cannot open secrets
                             sealed with it.
  audit [--account 123456789012] [--since 2024-05-01T12:00:00Z] [--action iam:CreateUser]
        [--principal ARN] [--limit 100]
                             Print audit events as JSON lines, newest first (default 100, at most
                             10000): IAM mutations, credential issuances (with the session's jti and
                             temporary access key id, never its secret) and AccessDenied answers.
                             --action takes a prefix ending in * (sts:*).
  sessions revoke --account 123456789012 --jti JTI
                             Revoke one session: every request made with its temporary
                             credentials is refused from now on, on every node. The jti is in the
                             Details of the session's issuance event (\`audit --action sts:*\`); a
                             role session belongs to the role's account.
  sessions revoke-role --account 123456789012 --role NAME
                             Revoke every session of the role issued before now, as AWS does: puts
                             the inline policy AWSRevokeOlderSessions (deny everything when
                             aws:TokenIssueTime is earlier than now) on the role. Sessions issued
                             from the next second on are not affected (issue times are whole
                             seconds); delete the policy to undo.
  help                       This text.

Environment (the same as the server's):
  DATABASE_URL               postgres://… ; when unset, the embedded database in DATA_DIR/pglite
  DATA_DIR                   default ./data
  KEYS_DIR                   default ./keys
  NODE_ENV=production        bootstrap and accounts create refuse to run without keys in KEYS_DIR
                             (create them with \`keys rotate\`); otherwise development keys are
                             generated, with a warning, when the database holds no account yet.

The embedded database (no DATABASE_URL) can be open in only one process at a time, and PGlite
itself does not detect a second one: do NOT run this command while the server is running on the
same DATA_DIR (stop it first), or the database may be corrupted. Commands take DATA_DIR/pglite.lock
while they run and refuse to start when another live process holds it.

Exit status: 0 done, 1 failed (the reason is on stderr), 2 usage or configuration error.
`;
