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
