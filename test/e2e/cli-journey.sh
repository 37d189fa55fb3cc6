#!/usr/bin/env bash
# The AWS CLI against a running Latchkey: root creates a user, gives it an inline policy that
# allows iam:ListUsers and iam:GetUser only, and creates an access key for it; as that user,
# list-users and get-user succeed and create-user is refused with AccessDenied.
#
# Needs: LATCHKEY_ENDPOINT, E2E_USER, and root's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
# AWS_DEFAULT_REGION in the environment (the test that runs this gives it a HOME and AWS config
# files of its own, so no one's real profile is read). Prints one line per step; exits non-zero
# with the reason on the first step that does not go as AWS would.
set -euo pipefail

: "${LATCHKEY_ENDPOINT:?}" "${E2E_USER:?}" "${AWS_ACCESS_KEY_ID:?}" "${AWS_SECRET_ACCESS_KEY:?}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

iam() { aws --endpoint-url "$LATCHKEY_ENDPOINT" --output json iam "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

iam create-user --user-name "$E2E_USER" >"$work/user.json"
grep -q "\"UserName\": \"$E2E_USER\"" "$work/user.json" || fail "create-user did not return the user: $(cat "$work/user.json")"
echo "ok: create-user $E2E_USER"

cat >"$work/policy.json" <<'JSON'
{
  "Version": "2012-10-17",
  "Statement": [{ "Effect": "Allow", "Action": ["iam:ListUsers", "iam:GetUser"], "Resource": "*" }]
}
JSON
iam put-user-policy --user-name "$E2E_USER" --policy-name list-and-get --policy-document "file://$work/policy.json"
echo "ok: put-user-policy"

read -r key_id secret < <(iam create-access-key --user-name "$E2E_USER" --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)
[[ "$key_id" =~ ^AKIA[A-Z2-7]{16}$ ]] || fail "create-access-key returned the key id '$key_id'"
[[ ${#secret} -eq 40 ]] || fail "create-access-key returned a secret of ${#secret} characters"
echo "ok: create-access-key $key_id"

as_user() { AWS_ACCESS_KEY_ID="$key_id" AWS_SECRET_ACCESS_KEY="$secret" iam "$@"; }

as_user list-users >"$work/list.json" || fail "list-users as $E2E_USER failed"
grep -q "\"UserName\": \"$E2E_USER\"" "$work/list.json" || fail "list-users did not list $E2E_USER: $(cat "$work/list.json")"
echo "ok: list-users as $E2E_USER"

as_user get-user --user-name "$E2E_USER" >/dev/null || fail "get-user as $E2E_USER failed"
echo "ok: get-user as $E2E_USER"

set +e
as_user create-user --user-name "$E2E_USER-not-allowed" >"$work/denied.out" 2>"$work/denied.err"
code=$?
set -e
# The CLI exits 254 (v2) or 255 (v1) when the service answers with an error.
[[ $code -eq 254 || $code -eq 255 ]] || fail "create-user as $E2E_USER exited $code: $(cat "$work/denied.out" "$work/denied.err")"
grep -q "AccessDenied" "$work/denied.err" || fail "no AccessDenied on stderr: $(cat "$work/denied.err")"
# AWS's message exactly, with nothing after the reason (AUTHORIZATION_FAILURE_MESSAGES is plain).
reason="User: arn:aws:iam::[0-9]{12}:user/$E2E_USER is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::[0-9]{12}:user/$E2E_USER-not-allowed because no identity-based policy allows the iam:CreateUser action"
grep -Eq "operation: $reason\$" "$work/denied.err" \
  || fail "AccessDenied without AWS's message: $(cat "$work/denied.err")"
echo "ok: create-user as $E2E_USER is AccessDenied (exit $code)"
