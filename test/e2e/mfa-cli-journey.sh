#!/usr/bin/env bash
# The AWS CLI with MFA against a running Latchkey, as a person enrols and uses a virtual device:
#
# 1. Enrolment, as root: `aws iam create-virtual-mfa-device --outfile … --bootstrap-method
#    Base32StringSeed` (the seed an authenticator app would take), then `aws iam
#    enable-mfa-device` with two consecutive codes. Two devices for one user, so that each
#    successful use below has a device whose next code is already in the window.
# 2. `aws sts get-session-token --serial-number … --token-code …`: the session may call IAM (a
#    session without MFA may not); the same code again, and no code at all, are AccessDenied with
#    AWS's message.
# 3. A profile with `role_arn`, `source_profile` and `mfa_serial`, for a role whose trust policy
#    requires aws:MultiFactorAuthPresent: the CLI prompts for the code and reads it from stdin (fed
#    here; `setsid` takes the terminal away so getpass falls back to stdin). With the right code it
#    is the role; with a wrong one, or without a code, it fails; a profile without mfa_serial is
#    refused by the trust policy.
#
# Codes are computed here as an authenticator app does (RFC 6238 with Python's hmac and hashlib).
# Needs LATCHKEY_ENDPOINT, E2E_PREFIX and root's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
# AWS_DEFAULT_REGION. Prints one line per step; exits non-zero on the first step that does not go
# as AWS would.
set -euo pipefail

: "${LATCHKEY_ENDPOINT:?}" "${E2E_PREFIX:?}" "${AWS_ACCESS_KEY_ID:?}" "${AWS_SECRET_ACCESS_KEY:?}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# aws_, fail, bare, with, refused
source "$(dirname "$0")/journey-lib.sh"

user="$E2E_PREFIX"
role="$E2E_PREFIX-mfa-admin"




# totp SEEDFILE OFFSET...: the device's codes for the time steps OFFSET steps from now (RFC 6238,
# SHA-1), one per line, from one reading of the clock: two codes read from two readings are not
# consecutive when a step ends between them (which, on a loaded machine, happened).
totp() {
  python3 - "$@" <<'PY'
import base64, hashlib, hmac, struct, sys, time
seed = open(sys.argv[1]).read().strip()
key = base64.b32decode(seed + "=" * (-len(seed) % 8))
now = int(time.time()) // 30
for offset in sys.argv[2:]:
    mac = hmac.new(key, struct.pack(">Q", now + int(offset)), hashlib.sha1).digest()
    o = mac[-1] & 0x0F
    print("%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000))
PY
}

# --- Set-up, as root: the user (who may assume the role and list users), a role that wants MFA.
account="$(aws_ sts get-caller-identity --query Account --output text)"
aws_ iam create-user --user-name "$user" >/dev/null
cat >"$work/user-policy.json" <<JSON
{ "Version": "2012-10-17", "Statement": [
  { "Effect": "Allow", "Action": ["iam:ListUsers", "sts:AssumeRole"], "Resource": "*" } ] }
JSON
aws_ iam put-user-policy --user-name "$user" --policy-name mfa-journey --policy-document "file://$work/user-policy.json"
read -r key_id secret < <(aws_ iam create-access-key --user-name "$user" --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)
cat >"$work/trust.json" <<JSON
{ "Version": "2012-10-17", "Statement": [{ "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::$account:root" },
  "Action": "sts:AssumeRole", "Condition": { "Bool": { "aws:MultiFactorAuthPresent": "true" } } }] }
JSON
aws_ iam create-role --role-name "$role" --assume-role-policy-document "file://$work/trust.json" >/dev/null
echo "ok: set-up: user $user, role $role (trust requires aws:MultiFactorAuthPresent)"

# --- 1. enrolment
for d in a b; do
  serial="$(aws_ iam create-virtual-mfa-device --virtual-mfa-device-name "$user-$d" --outfile "$work/seed-$d" --bootstrap-method Base32StringSeed --query VirtualMFADevice.SerialNumber --output text)"
  [[ "$serial" == "arn:aws:iam::$account:mfa/$user-$d" ]] || fail "create-virtual-mfa-device returned the serial '$serial'"
  grep -Eq '^[A-Z2-7]{32}$' "$work/seed-$d" || fail "the seed file holds '$(cat "$work/seed-$d")', not a Base32 seed of 20 bytes"
  { read -r code1; read -r code2; } < <(totp "$work/seed-$d" -1 0)
  aws_ iam enable-mfa-device --user-name "$user" --serial-number "$serial" --authentication-code1 "$code1" --authentication-code2 "$code2"
  printf -v "serial_$d" '%s' "$serial"
done
listed="$(aws_ iam list-mfa-devices --user-name "$user" --query 'length(MFADevices)' --output text)"
[[ "$listed" == 2 ]] || fail "list-mfa-devices lists $listed devices, expected 2"
echo "ok: create-virtual-mfa-device --outfile and enable-mfa-device with two consecutive codes, twice"

as_user() { with "$key_id" "$secret" "" -- "$@"; }

# --- 2. get-session-token with MFA
code="$(totp "$work/seed-a" 1)"
as_user aws_ sts get-session-token --serial-number "$serial_a" --token-code "$code" >"$work/session.json" || fail "get-session-token with MFA failed"
read -r s_key s_secret s_token < <(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["Credentials"]
print(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])' "$work/session.json")
[[ "$s_key" =~ ^ASIA ]] || fail "get-session-token returned the key id '$s_key'"
echo "ok: get-session-token --serial-number --token-code"

with "$s_key" "$s_secret" "$s_token" -- aws_ iam list-users >/dev/null || fail "list-users with the MFA session failed"
echo "ok: list-users with the MFA session"

refused AccessDenied 'MultiFactorAuthentication failed with invalid MFA one time pass code.' '' as_user aws_ sts get-session-token --serial-number "$serial_a" --token-code "$code"
echo "ok: the same code again is AccessDenied"

refused AccessDenied 'MultiFactorAuthentication failed with invalid MFA one time pass code.' '' as_user aws_ sts get-session-token --serial-number "$serial_a"
echo "ok: get-session-token --serial-number without a code is AccessDenied"

refused AccessDenied 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.' '' \
  as_user aws_ sts get-session-token --serial-number "arn:aws:iam::$account:mfa/nobody" --token-code 123456
echo "ok: an unknown serial is AccessDenied"

# --- 3. a profile with mfa_serial: the CLI calls AssumeRole with SerialNumber and TokenCode itself.
cat >"$work/config" <<INI
[profile base]
region = us-east-1
endpoint_url = $LATCHKEY_ENDPOINT

[profile admin]
role_arn = arn:aws:iam::$account:role/$role
source_profile = base
mfa_serial = $serial_b
role_session_name = $E2E_PREFIX-ok
region = us-east-1
endpoint_url = $LATCHKEY_ENDPOINT

[profile admin-again]
role_arn = arn:aws:iam::$account:role/$role
source_profile = base
mfa_serial = $serial_b
role_session_name = $E2E_PREFIX-again
region = us-east-1
endpoint_url = $LATCHKEY_ENDPOINT

[profile no-mfa]
role_arn = arn:aws:iam::$account:role/$role
source_profile = base
role_session_name = $E2E_PREFIX-no-mfa
region = us-east-1
endpoint_url = $LATCHKEY_ENDPOINT
INI
cat >"$work/credentials" <<INI
[base]
aws_access_key_id = $key_id
aws_secret_access_key = $secret
INI
# profile NAME command...: the CLI with only the files (no credentials in the environment), no
# terminal (setsid: getpass reads the code from stdin) and an empty credential cache.
profile() {
  local name="$1"
  shift
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN AWS_CONFIG_FILE="$work/config" AWS_SHARED_CREDENTIALS_FILE="$work/credentials" \
    HOME="$work/home-$name" setsid -w aws --profile "$name" --output json "$@"
}

arn="$(totp "$work/seed-b" 1 | profile admin sts get-caller-identity --query Arn --output text 2>"$work/prompt.err")" || fail "--profile admin with the code on stdin failed: $(cat "$work/prompt.err")"
[[ "$arn" == "arn:aws:sts::$account:assumed-role/$role/$E2E_PREFIX-ok" ]] || fail "--profile admin is '$arn'"
grep -q "Enter MFA code for $serial_b" "$work/prompt.err" || fail "the CLI did not prompt for the code: $(cat "$work/prompt.err")"
echo "ok: --profile admin (mfa_serial, the code fed to the prompt) is $arn"

status=0
echo 000000 | profile admin-again sts get-caller-identity >"$work/wrong.out" 2>"$work/wrong.err" || status=$?
[[ $status -ne 0 ]] || fail "--profile admin-again with a wrong code succeeded: $(cat "$work/wrong.out")"
grep -q 'MultiFactorAuthentication failed with invalid MFA one time pass code.' "$work/wrong.err" || fail "--profile admin-again with a wrong code: $(cat "$work/wrong.err")"
echo "ok: --profile admin-again with a wrong code fails with AWS's message"

status=0
profile admin-again sts get-caller-identity </dev/null >"$work/none.out" 2>"$work/none.err" || status=$?
[[ $status -ne 0 ]] || fail "--profile admin-again without a code succeeded: $(cat "$work/none.out")"
echo "ok: --profile admin-again without a code fails"

status=0
profile no-mfa sts get-caller-identity </dev/null >"$work/nomfa.out" 2>"$work/nomfa.err" || status=$?
[[ $status -ne 0 ]] || fail "--profile no-mfa succeeded: $(cat "$work/nomfa.out")"
grep -q 'AccessDenied' "$work/nomfa.err" || fail "--profile no-mfa: $(cat "$work/nomfa.err")"
echo "ok: --profile no-mfa (no mfa_serial) is AccessDenied by the trust policy"
