#!/usr/bin/env bash
# The AWS CLI trading signed SAML responses for role sessions at a running Latchkey, with nothing
# but its own settings:
#
# 1. Set-up, as root: `aws iam create-saml-provider` from the IdP's metadata, and a role whose
#    trust policy names the provider as Federated principal for sts:AssumeRoleWithSAML on the
#    conditions SAML:aud (the Recipient, AWS's sign-in URL) and SAML:sub = alice, allowed
#    iam:ListRoles only.
# 2. `aws sts assume-role-with-saml --role-arn … --principal-arn … --saml-assertion …` with no
#    credentials anywhere (the CLI sends it unsigned): alice's response becomes a session of the
#    role; the answer's Subject, SubjectType, Issuer, Audience and NameQualifier are AWS's;
#    get-caller-identity with the credentials is the assumed role; list-roles works, list-users is
#    AccessDenied.
# 3. The same response again is InvalidIdentityToken: an assertion is used once.
# 4. Mallory's response, as validly signed, is AccessDenied: the trust policy's condition on SAML:sub.
#
# Needs: LATCHKEY_ENDPOINT, E2E_PREFIX, root's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
# AWS_DEFAULT_REGION (for the set-up only), SAML_PROVIDER_NAME, SAML_ISSUER (the IdP's entity id),
# IDP_METADATA_FILE, ALICE_RESPONSE_FILE and MALLORY_RESPONSE_FILE (base64 SAML responses, signed
# for this journey's role and provider). Prints one line per step; exits non-zero with the reason on
# the first step that does not go as AWS would.
set -euo pipefail

: "${LATCHKEY_ENDPOINT:?}" "${E2E_PREFIX:?}" "${AWS_ACCESS_KEY_ID:?}" "${AWS_SECRET_ACCESS_KEY:?}"
: "${SAML_PROVIDER_NAME:?}" "${SAML_ISSUER:?}" "${IDP_METADATA_FILE:?}" "${ALICE_RESPONSE_FILE:?}" "${MALLORY_RESPONSE_FILE:?}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# aws_, fail, bare, with, refused, federated_role
source "$(dirname "$0")/journey-lib.sh"

role="$E2E_PREFIX-web"
recipient="https://signin.aws.amazon.com/saml"

# --- 1. Set-up, as root: the provider from the IdP's metadata, and a role that trusts it for alice.
account="$(aws_ sts get-caller-identity --query Account --output text)"
[[ "$account" =~ ^[0-9]{12}$ ]] || fail "get-caller-identity as root returned the account '$account'"
provider_arn="$(aws_ iam create-saml-provider --name "$SAML_PROVIDER_NAME" --saml-metadata-document "file://$IDP_METADATA_FILE" --query SAMLProviderArn --output text)"
[[ "$provider_arn" == "arn:aws:iam::$account:saml-provider/$SAML_PROVIDER_NAME" ]] || fail "create-saml-provider returned '$provider_arn'"
echo "ok: set-up: create-saml-provider $provider_arn"

role_arn="$(federated_role "$role" "$provider_arn" sts:AssumeRoleWithSAML "\"SAML:aud\": \"$recipient\", \"SAML:sub\": \"alice\"")"
echo "ok: set-up: role $role (iam:ListRoles) trusting alice at the provider"

session_arn="arn:aws:sts::$account:assumed-role/$role/alice"
qualifier="$(python3 -c 'import base64, hashlib, sys; print(base64.b64encode(hashlib.sha1(sys.argv[1].encode()).digest()).decode())' "$SAML_ISSUER$account/$SAML_PROVIDER_NAME")"

# --- 2. assume-role-with-saml, unsigned
bare aws_ sts assume-role-with-saml --role-arn "$role_arn" --principal-arn "$provider_arn" \
  --saml-assertion "$(cat "$ALICE_RESPONSE_FILE")" --duration-seconds 900 >"$work/assumed.json" || fail "assume-role-with-saml with alice's response failed"
read -r key secret token subject subject_type issuer audience name_qualifier arn < <(python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
c = a["Credentials"]
print(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"], a["Subject"], a["SubjectType"], a["Issuer"], a["Audience"], a["NameQualifier"], a["AssumedRoleUser"]["Arn"])' "$work/assumed.json")
[[ "$key" =~ ^ASIA[A-Z2-7]{16}$ && ${#secret} -eq 40 && -n "$token" ]] || fail "assume-role-with-saml returned the key id '$key'"
[[ "$subject $subject_type $issuer $audience" == "alice persistent $SAML_ISSUER $recipient" ]] || fail "assume-role-with-saml named '$subject' '$subject_type' '$issuer' '$audience'"
[[ "$name_qualifier" == "$qualifier" ]] || fail "assume-role-with-saml returned the NameQualifier '$name_qualifier', expected '$qualifier'"
[[ "$arn" == "$session_arn" ]] || fail "assume-role-with-saml returned the assumed-role user '$arn'"
echo "ok: assume-role-with-saml with alice's response, unsigned: $key for $subject ($subject_type), audience $audience"

as_session() { AWS_ACCESS_KEY_ID="$key" AWS_SECRET_ACCESS_KEY="$secret" AWS_SESSION_TOKEN="$token" "$@"; }
got="$(as_session aws_ sts get-caller-identity --query Arn --output text)"
[[ "$got" == "$session_arn" ]] || fail "get-caller-identity with the SAML session returned '$got', expected '$session_arn'"
echo "ok: get-caller-identity with those credentials is $got"

as_session aws_ iam list-roles >"$work/roles.json" || fail "list-roles with the SAML session failed"
grep -q "\"RoleName\": \"$role\"" "$work/roles.json" || fail "list-roles with the SAML session did not list $role: $(cat "$work/roles.json")"
echo "ok: list-roles with the SAML session"

refused AccessDenied "User: $session_arn is not authorized to perform: iam:ListUsers on resource: " \
  "[^ ]+ because no identity-based policy allows the iam:ListUsers action\$" as_session aws_ iam list-users
echo "ok: list-users with the SAML session is AccessDenied: no identity-based policy allows it"

# --- 3. the same assertion again
refused InvalidIdentityToken 'Invalid SAML response: this assertion has already been used.' '$' \
  bare aws_ sts assume-role-with-saml --role-arn "$role_arn" --principal-arn "$provider_arn" --saml-assertion "$(cat "$ALICE_RESPONSE_FILE")"
echo "ok: assume-role-with-saml with alice's response again is InvalidIdentityToken: an assertion is used once"

# --- 4. mallory, signed as validly, but not the subject the trust policy names
refused AccessDenied 'Not authorized to perform sts:AssumeRoleWithSAML' '$' \
  bare aws_ sts assume-role-with-saml --role-arn "$role_arn" --principal-arn "$provider_arn" --saml-assertion "$(cat "$MALLORY_RESPONSE_FILE")"
echo "ok: assume-role-with-saml with mallory's response is AccessDenied: the trust policy's condition on SAML:sub"
