# Shared by the AWS CLI journeys (sourced after `work` is set to the journey's scratch directory).

# The CLI against this service, JSON out.
aws_() { aws --endpoint-url "$LATCHKEY_ENDPOINT" --output json "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# No credentials at all: neither root's keys nor a session of the environment.
bare() { (unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN; "$@"); }
# with KEY SECRET TOKEN -- command...: the command with these credentials (an empty TOKEN: none).
with() {
  (
    export AWS_ACCESS_KEY_ID="$1" AWS_SECRET_ACCESS_KEY="$2"
    if [[ -n "$3" ]]; then export AWS_SESSION_TOKEN="$3"; else unset AWS_SESSION_TOKEN; fi
    shift 4
    "$@"
  )
}
# refused CODE PREFIX REST command...: the command fails with the service error CODE, its message
# starting with PREFIX and then matching the regular expression REST (empty: anything).
refused() {
  local code="$1" prefix="$2" rest="$3" status=0
  shift 3
  # The command as the failure messages show it, cut short (a SAML response is long).
  local what="$*"
  what="${what:0:200}"
  "$@" >"$work/refused.out" 2>"$work/refused.err" || status=$?
  [[ $status -eq 254 || $status -eq 255 ]] || fail "$what exited $status, not with a service error: $(cat "$work/refused.out" "$work/refused.err")"
  local err
  err="$(tr -d '\n' <"$work/refused.err")"
  [[ "$err" == *"An error occurred ($code) when calling the "*" operation: "* ]] || fail "$what did not fail with $code: $err"
  local message="${err#*operation: }"
  [[ "$message" == "$prefix"* ]] || fail "$what failed with the message '$message', expected it to start with '$prefix'"
  [[ "${message#"$prefix"}" =~ ^$rest ]] || fail "$what failed with the message '$message', expected '$prefix' then /$rest/"
}

# federated_role ROLE PROVIDER_ARN ACTION CONDITIONS: as root, a role that trusts the provider for
# ACTION when StringEquals holds for CONDITIONS (the members of a JSON object) and may call
# iam:ListRoles; prints its ARN (and nothing, with a non-zero status, when a step fails: a command
# substitution does not inherit errexit). Needs `account`.
federated_role() {
  local name="$1" provider="$2" action="$3" conditions="$4"
  cat >"$work/trust.json" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": { "Federated": "$provider" },
    "Action": "$action",
    "Condition": { "StringEquals": { $conditions } }
  }]
}
JSON
  cat >"$work/list-roles.json" <<'JSON'
{ "Version": "2012-10-17", "Statement": [{ "Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*" }] }
JSON
  aws_ iam create-role --role-name "$name" --assume-role-policy-document "file://$work/trust.json" >/dev/null || return 1
  aws_ iam put-role-policy --role-name "$name" --policy-name list-roles --policy-document "file://$work/list-roles.json" || return 1
  echo "arn:aws:iam::$account:role/$name"
}
