#!/usr/bin/env bash
# The AWS CLI against a running Latchkey's STS, the three ways people get temporary credentials:
#
# 1. `aws sts get-session-token` with a user's long-term keys: the credentials are the user
#    (get-caller-identity), but without MFA they cannot call IAM even though the user's policy
#    allows it (InvalidClientTokenId), nor get another session token (AccessDenied); the STS calls
#    they may make are judged by the user's policy: assume-role on a role it names works, on
#    another role that trusts the account is AccessDenied.
# 2. A profile with `role_arn` + `source_profile` (the CLI calls AssumeRole itself): the profile is
#    the assumed role, whose policy allows iam:ListUsers only: list-users works, list-roles is
#    AccessDenied because no identity-based policy allows it.
# 3. `aws sts get-federation-token --policy`: the federated user is who get-caller-identity says,
#    and may not federate again (AccessDenied). Federated credentials cannot call IAM at all, so the
#    session-policy intersection is shown on AssumeRole with `--policy` instead: the role allows
#    iam:List*, the session policy iam:ListUsers: list-users works, list-groups is AccessDenied
#    because no session policy allows it.
#
# Needs: LATCHKEY_ENDPOINT, E2E_PREFIX (names of the user and roles start with it), and root's
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_DEFAULT_REGION in the environment (the test that
# runs this gives it a HOME and AWS config files of its own). Prints one line per step; exits
# non-zero with the reason on the first step that does not go as AWS would.
set -euo pipefail

: "${LATCHKEY_ENDPOINT:?}" "${E2E_PREFIX:?}" "${AWS_ACCESS_KEY_ID:?}" "${AWS_SECRET_ACCESS_KEY:?}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# aws_, fail, bare, with, refused
source "$(dirname "$0")/journey-lib.sh"

user="$E2E_PREFIX"
dev_role="$E2E_PREFIX-dev"
lister_role="$E2E_PREFIX-lister"
outsider_role="outsider-$E2E_PREFIX"

# credentials FILE: "KEY SECRET TOKEN" of the Credentials in a get-session-token/get-federation-
# token/assume-role answer, after checking their shape.
credentials() {
  local key secret token expiration
  read -r key secret token expiration < <(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["Credentials"]
print(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"], c["Expiration"])' "$1")
  [[ "$key" =~ ^ASIA[A-Z2-7]{16}$ ]] || fail "temporary credentials with the key id '$key'"
  [[ ${#secret} -eq 40 ]] || fail "temporary credentials with a secret of ${#secret} characters"
  [[ -n "$token" ]] || fail "temporary credentials without a session token"
  [[ "$expiration" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|\+00:00)$ ]] || fail "temporary credentials expiring at '$expiration'"
  echo "$key $secret $token"
}

# --- Set-up, as root: a user who may federate and assume its two roles, the roles, and a third
# role it may not assume.
account="$(aws_ sts get-caller-identity --query Account --output text)"
[[ "$account" =~ ^[0-9]{12}$ ]] || fail "get-caller-identity as root returned the account '$account'"
user_arn="arn:aws:iam::$account:user/$user"

aws_ iam create-user --user-name "$user" >/dev/null
cat >"$work/user-policy.json" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": ["iam:ListUsers", "iam:ListGroups", "sts:GetFederationToken"], "Resource": "*" },
    { "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::$account:role/$E2E_PREFIX-*" }
  ]
}
JSON
aws_ iam put-user-policy --user-name "$user" --policy-name sts-journey --policy-document "file://$work/user-policy.json"
read -r key_id secret < <(aws_ iam create-access-key --user-name "$user" --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)
echo "ok: set-up: user $user with key $key_id"

# The trust policy names the account, so the user's own sts:AssumeRole allow is needed too.
cat >"$work/trust.json" <<JSON
{ "Version": "2012-10-17", "Statement": [{ "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::$account:root" }, "Action": "sts:AssumeRole" }] }
JSON
cat >"$work/list-users.json" <<'JSON'
{ "Version": "2012-10-17", "Statement": [{ "Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*" }] }
JSON
cat >"$work/list-all.json" <<'JSON'
{ "Version": "2012-10-17", "Statement": [{ "Effect": "Allow", "Action": "iam:List*", "Resource": "*" }] }
JSON
aws_ iam create-role --role-name "$dev_role" --assume-role-policy-document "file://$work/trust.json" >/dev/null
aws_ iam put-role-policy --role-name "$dev_role" --policy-name list-users --policy-document "file://$work/list-users.json"
aws_ iam create-role --role-name "$lister_role" --assume-role-policy-document "file://$work/trust.json" >/dev/null
aws_ iam put-role-policy --role-name "$lister_role" --policy-name list-all --policy-document "file://$work/list-all.json"
# Trusts the account too, but the user's policy does not let it assume this one.
aws_ iam create-role --role-name "$outsider_role" --assume-role-policy-document "file://$work/trust.json" >/dev/null
echo "ok: set-up: roles $dev_role (iam:ListUsers), $lister_role (iam:List*) and $outsider_role"

as_user() { with "$key_id" "$secret" "" -- "$@"; }

# --- 1. get-session-token
as_user aws_ sts get-session-token --duration-seconds 900 >"$work/session.json" || fail "get-session-token as $user failed"
creds="$(credentials "$work/session.json")"
read -r s_key s_secret s_token <<<"$creds"
echo "ok: get-session-token as $user: $s_key"

as_session() { with "$s_key" "$s_secret" "$s_token" -- "$@"; }
arn="$(as_session aws_ sts get-caller-identity --query Arn --output text)"
[[ "$arn" == "$user_arn" ]] || fail "get-caller-identity with the session token returned '$arn', expected '$user_arn'"
echo "ok: get-caller-identity with the session token is $arn"

refused InvalidClientTokenId 'The security token included in the request is invalid.' '' as_session aws_ iam list-users
echo "ok: list-users with the session token (no MFA) is InvalidClientTokenId, though $user may list users"

refused AccessDenied 'Cannot call GetSessionToken with session credentials' '' as_session aws_ sts get-session-token
echo "ok: get-session-token with the session token is AccessDenied"

# STS calls they may make are judged by the user's policies: AssumeRole on $E2E_PREFIX-* only.
as_session aws_ sts assume-role --role-arn "arn:aws:iam::$account:role/$lister_role" --role-session-name from-session-token >/dev/null \
  || fail "assume-role $lister_role with the session token failed"
echo "ok: assume-role $lister_role with the session token (the user's policy allows it)"

# AWS's STS names no reason for a refused AssumeRole: the message ends at the role's ARN.
refused AccessDenied "User: $user_arn is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::$account:role/$outsider_role" \
  '$' as_session aws_ sts assume-role --role-arn "arn:aws:iam::$account:role/$outsider_role" --role-session-name from-session-token
echo "ok: assume-role $outsider_role with the session token is AccessDenied: no identity-based policy allows it"

# --- 2. a profile with role_arn + source_profile: the CLI assumes the role itself, at the
# profile's endpoint_url (botocore >= 1.31 reads it from the profile for every client it makes,
# the STS client of the assume-role provider included).
cat >"$work/config" <<INI
[profile base]
region = us-east-1
endpoint_url = $LATCHKEY_ENDPOINT

[profile dev]
role_arn = arn:aws:iam::$account:role/$dev_role
source_profile = base
role_session_name = $E2E_PREFIX-session
region = us-east-1
endpoint_url = $LATCHKEY_ENDPOINT
INI
cat >"$work/credentials" <<INI
[base]
aws_access_key_id = $key_id
aws_secret_access_key = $secret
INI
# Only the files: no credentials in the environment for the profile to be confused with.
dev() { env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN AWS_CONFIG_FILE="$work/config" AWS_SHARED_CREDENTIALS_FILE="$work/credentials" aws --profile dev --output json "$@"; }

dev_arn="arn:aws:sts::$account:assumed-role/$dev_role/$E2E_PREFIX-session"
arn="$(dev sts get-caller-identity --query Arn --output text)" || fail "get-caller-identity with --profile dev failed"
[[ "$arn" == "$dev_arn" ]] || fail "get-caller-identity with --profile dev returned '$arn', expected '$dev_arn'"
echo "ok: --profile dev (role_arn + source_profile) is $arn"

dev iam list-users >"$work/dev-users.json" || fail "list-users with --profile dev failed"
grep -q "\"UserName\": \"$user\"" "$work/dev-users.json" || fail "list-users with --profile dev did not list $user: $(cat "$work/dev-users.json")"
echo "ok: list-users with --profile dev"

refused AccessDenied "User: $dev_arn is not authorized to perform: iam:ListRoles on resource: " \
  "[^ ]+ because no identity-based policy allows the iam:ListRoles action\$" dev iam list-roles
echo "ok: list-roles with --profile dev is AccessDenied: no identity-based policy allows it"

# --- 3. get-federation-token with a policy
as_user aws_ sts get-federation-token --name bob --policy "file://$work/list-users.json" >"$work/federation.json" || fail "get-federation-token as $user failed"
creds="$(credentials "$work/federation.json")"
read -r f_key f_secret f_token <<<"$creds"
fed_arn="arn:aws:sts::$account:federated-user/bob"
got="$(python3 -c 'import json, sys; f = json.load(open(sys.argv[1]))["FederatedUser"]; print(f["Arn"], f["FederatedUserId"])' "$work/federation.json")"
[[ "$got" == "$fed_arn $account:bob" ]] || fail "get-federation-token returned the federated user '$got'"
echo "ok: get-federation-token --name bob --policy (iam:ListUsers) as $user: $f_key"

as_federated() { with "$f_key" "$f_secret" "$f_token" -- "$@"; }
arn="$(as_federated aws_ sts get-caller-identity --query Arn --output text)"
[[ "$arn" == "$fed_arn" ]] || fail "get-caller-identity as bob returned '$arn', expected '$fed_arn'"
echo "ok: get-caller-identity as bob is $arn"

refused AccessDenied 'Cannot call GetFederationToken with session credentials' '' as_federated aws_ sts get-federation-token --name carol
echo "ok: get-federation-token as bob is AccessDenied"

refused InvalidClientTokenId 'The security token included in the request is invalid.' '' as_federated aws_ iam list-users
echo "ok: list-users as bob is InvalidClientTokenId: federated credentials cannot call IAM"

# The session-policy intersection, on a role: the role allows iam:List*, the session policy
# iam:ListUsers only.
lister_arn="arn:aws:sts::$account:assumed-role/$lister_role/ls"
as_user aws_ sts assume-role --role-arn "arn:aws:iam::$account:role/$lister_role" --role-session-name ls --policy "file://$work/list-users.json" >"$work/assumed.json" \
  || fail "assume-role --policy as $user failed"
creds="$(credentials "$work/assumed.json")"
read -r r_key r_secret r_token <<<"$creds"
arn="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["AssumedRoleUser"]["Arn"])' "$work/assumed.json")"
[[ "$arn" == "$lister_arn" ]] || fail "assume-role returned the assumed-role user '$arn', expected '$lister_arn'"
echo "ok: assume-role $lister_role --policy (iam:ListUsers) as $user: $r_key"

as_role() { with "$r_key" "$r_secret" "$r_token" -- "$@"; }
as_role aws_ iam list-users >/dev/null || fail "list-users with the assume-role --policy credentials failed"
echo "ok: list-users with the role session (the role and the session policy both allow it)"

refused AccessDenied "User: $lister_arn is not authorized to perform: iam:ListGroups on resource: " \
  "[^ ]+ because no session policy allows the iam:ListGroups action\$" as_role aws_ iam list-groups
echo "ok: list-groups with the role session is AccessDenied: no session policy allows it (the role does)"
