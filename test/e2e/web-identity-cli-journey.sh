#!/usr/bin/env bash
# The AWS CLI trading ID tokens from a real OpenID Connect provider for role sessions at a running
# Latchkey, with nothing but its own settings:
#
# 1. `aws sts assume-role-with-web-identity`, unsigned (no credentials anywhere): alice's token
#    becomes a session of the role whose trust policy names the provider and alice; the answer
#    names her (SubjectFromWebIdentityToken), the provider and the audience, and get-caller-identity
#    with the credentials is the assumed role. Mallory's token, as valid, is AccessDenied: the
#    trust policy's condition on `sub` refuses it.
# 2. A profile with `role_arn` + `web_identity_token_file` (the CLI calls
#    AssumeRoleWithWebIdentity itself, at the profile's endpoint_url): the profile is the assumed
#    role, whose policy allows iam:ListRoles only: list-roles works, list-users is AccessDenied.
# 3. The environment EKS pods and CI runners get: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE +
#    AWS_ROLE_SESSION_NAME, with AWS_ENDPOINT_URL_STS (the credential provider's STS client reads
#    it) for get-caller-identity, then AWS_ENDPOINT_URL (every service) for the IAM calls.
#
# Needs: LATCHKEY_ENDPOINT, E2E_PREFIX (names of the role and sessions start with it), root's
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_DEFAULT_REGION (for the set-up only),
# OIDC_ISSUER and OIDC_CLIENT_ID (the provider), ALICE_TOKEN_FILE and MALLORY_TOKEN_FILE (their ID
# tokens). Prints one line per step; exits non-zero with the reason on the first step that does
# not go as AWS would.
set -euo pipefail

: "${LATCHKEY_ENDPOINT:?}" "${E2E_PREFIX:?}" "${AWS_ACCESS_KEY_ID:?}" "${AWS_SECRET_ACCESS_KEY:?}"
: "${OIDC_ISSUER:?}" "${OIDC_CLIENT_ID:?}" "${ALICE_TOKEN_FILE:?}" "${MALLORY_TOKEN_FILE:?}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# aws_, fail, bare, with, refused, federated_role
source "$(dirname "$0")/journey-lib.sh"

role="$E2E_PREFIX-web"

# --- Set-up, as root: the provider, and a role that trusts it for alice's tokens to this client.
account="$(aws_ sts get-caller-identity --query Account --output text)"
[[ "$account" =~ ^[0-9]{12}$ ]] || fail "get-caller-identity as root returned the account '$account'"
provider_arn="$(aws_ iam create-open-id-connect-provider --url "$OIDC_ISSUER" --client-id-list "$OIDC_CLIENT_ID" --query OpenIDConnectProviderArn --output text)"
host_path="${OIDC_ISSUER#https://}"
[[ "$provider_arn" == "arn:aws:iam::$account:oidc-provider/$host_path" ]] || fail "create-open-id-connect-provider returned '$provider_arn'"
echo "ok: set-up: create-open-id-connect-provider $provider_arn"

role_arn="$(federated_role "$role" "$provider_arn" sts:AssumeRoleWithWebIdentity "\"$host_path:aud\": \"$OIDC_CLIENT_ID\", \"$host_path:sub\": \"alice\"")"
echo "ok: set-up: role $role (iam:ListRoles) trusting alice at the provider"

session_arn() { echo "arn:aws:sts::$account:assumed-role/$role/$1"; }
# denied_list_users ARN command...: list-users refused for want of an identity-based policy.
denied_list_users() {
  local arn="$1"
  shift
  refused AccessDenied "User: $arn is not authorized to perform: iam:ListUsers on resource: " \
    "[^ ]+ because no identity-based policy allows the iam:ListUsers action\$" "$@" iam list-users
}

# --- 1. assume-role-with-web-identity, unsigned
bare aws_ sts assume-role-with-web-identity --role-arn "$role_arn" --role-session-name "$E2E_PREFIX-direct" \
  --web-identity-token "$(cat "$ALICE_TOKEN_FILE")" >"$work/assumed.json" || fail "assume-role-with-web-identity with alice's token failed"
read -r key secret token subject provider audience arn < <(python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
c = a["Credentials"]
print(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"], a["SubjectFromWebIdentityToken"], a["Provider"], a["Audience"], a["AssumedRoleUser"]["Arn"])' "$work/assumed.json")
[[ "$key" =~ ^ASIA[A-Z2-7]{16}$ && ${#secret} -eq 40 && -n "$token" ]] || fail "assume-role-with-web-identity returned the key id '$key'"
[[ "$subject $provider $audience" == "alice $provider_arn $OIDC_CLIENT_ID" ]] || fail "assume-role-with-web-identity named '$subject' '$provider' '$audience'"
[[ "$arn" == "$(session_arn "$E2E_PREFIX-direct")" ]] || fail "assume-role-with-web-identity returned the assumed-role user '$arn'"
echo "ok: assume-role-with-web-identity with alice's ID token, unsigned: $key for $subject"

got="$(AWS_ACCESS_KEY_ID="$key" AWS_SECRET_ACCESS_KEY="$secret" AWS_SESSION_TOKEN="$token" aws_ sts get-caller-identity --query Arn --output text)"
[[ "$got" == "$arn" ]] || fail "get-caller-identity with the web identity session returned '$got', expected '$arn'"
echo "ok: get-caller-identity with those credentials is $got"

refused AccessDenied 'Not authorized to perform sts:AssumeRoleWithWebIdentity' '$' \
  bare aws_ sts assume-role-with-web-identity --role-arn "$role_arn" --role-session-name "$E2E_PREFIX-mallory" --web-identity-token "$(cat "$MALLORY_TOKEN_FILE")"
echo "ok: assume-role-with-web-identity with mallory's ID token is AccessDenied: the trust policy's condition on sub"

# --- 2. a profile with role_arn + web_identity_token_file
cat >"$work/config" <<INI
[profile wi]
role_arn = $role_arn
web_identity_token_file = $ALICE_TOKEN_FILE
role_session_name = $E2E_PREFIX-profile
region = us-east-1
endpoint_url = $LATCHKEY_ENDPOINT
INI
: >"$work/credentials"
wi() { bare env AWS_CONFIG_FILE="$work/config" AWS_SHARED_CREDENTIALS_FILE="$work/credentials" aws --profile wi --output json "$@"; }

arn="$(wi sts get-caller-identity --query Arn --output text)" || fail "get-caller-identity with --profile wi failed"
[[ "$arn" == "$(session_arn "$E2E_PREFIX-profile")" ]] || fail "get-caller-identity with --profile wi returned '$arn'"
echo "ok: --profile wi (role_arn + web_identity_token_file) is $arn"

wi iam list-roles >"$work/roles.json" || fail "list-roles with --profile wi failed"
grep -q "\"RoleName\": \"$role\"" "$work/roles.json" || fail "list-roles with --profile wi did not list $role: $(cat "$work/roles.json")"
echo "ok: list-roles with --profile wi"

denied_list_users "$arn" wi
echo "ok: list-users with --profile wi is AccessDenied: no identity-based policy allows it"

# --- 3. the environment: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE, and the endpoints
from_env() {
  bare env AWS_ROLE_ARN="$role_arn" AWS_WEB_IDENTITY_TOKEN_FILE="$ALICE_TOKEN_FILE" AWS_ROLE_SESSION_NAME="$E2E_PREFIX-env" "$@"
}
arn="$(from_env AWS_ENDPOINT_URL_STS="$LATCHKEY_ENDPOINT" aws --output text sts get-caller-identity --query Arn)" \
  || fail "get-caller-identity with AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ENDPOINT_URL_STS failed"
[[ "$arn" == "$(session_arn "$E2E_PREFIX-env")" ]] || fail "get-caller-identity with the environment's web identity returned '$arn'"
echo "ok: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ENDPOINT_URL_STS is $arn"

from_env AWS_ENDPOINT_URL="$LATCHKEY_ENDPOINT" aws iam list-roles >/dev/null || fail "list-roles with the environment's web identity failed"
echo "ok: list-roles with the environment's web identity (AWS_ENDPOINT_URL)"

denied_list_users "$arn" from_env AWS_ENDPOINT_URL="$LATCHKEY_ENDPOINT" aws
echo "ok: list-users with the environment's web identity is AccessDenied"
