"""boto3 against a running Latchkey's STS, on its own, the three ways people get temporary
credentials:

1. get_session_token with a user's long-term keys: the credentials are the user
   (get_caller_identity), but without MFA they cannot call IAM even though the user's policy
   allows it (InvalidClientTokenId), nor get another session token (AccessDenied); the STS calls
   they may make are judged by the user's policy: assume_role on a role it names works, on another
   role that trusts the account is AccessDenied.
2. boto3.Session(profile_name="dev") over a config file whose profile has role_arn +
   source_profile (botocore calls AssumeRole itself): the session is the assumed role, whose policy
   allows iam:ListUsers only: ListUsers works, ListRoles is AccessDenied because no identity-based
   policy allows it.
3. get_federation_token with a Policy: the federated user is who get_caller_identity says, and may
   not federate again (AccessDenied); federated credentials cannot call IAM at all, so the
   session-policy intersection is shown on assume_role with a Policy instead: the role allows
   iam:List*, the session policy iam:ListUsers: ListUsers works, ListGroups is AccessDenied because
   no session policy allows it.

Needs LATCHKEY_ENDPOINT, E2E_PREFIX (names of the user and roles start with it) and root's
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_DEFAULT_REGION in the environment. Prints one line
per step; exits non-zero on the first step that does not go as AWS would.
"""
import atexit
import datetime
import json
import os
import re
import shutil
import tempfile

import boto3
from journey_lib import CONFIG, ENDPOINT, client, fail, refused as refuse

PREFIX = os.environ["E2E_PREFIX"]
INVALID_TOKEN = re.escape("The security token included in the request is invalid.")


def refused(what, code, message, call):
    """HTTP 403, a message that `message` (a regular expression) matches from its start, a request id."""
    refuse(what, code, call, message, status=403, request_id=True)


def check_credentials(what, credentials, seconds):
    """Temporary credentials as AWS issues them, expiring `seconds` from now."""
    if not re.fullmatch(r"ASIA[A-Z2-7]{16}", credentials["AccessKeyId"]):
        fail(f"{what} returned the key id {credentials['AccessKeyId']!r}")
    if len(credentials["SecretAccessKey"]) != 40 or not credentials["SessionToken"]:
        fail(f"{what} returned a secret of {len(credentials['SecretAccessKey'])} characters or no token")
    # botocore parses the Expiration timestamp into an aware datetime.
    expiration = credentials["Expiration"]
    if not isinstance(expiration, datetime.datetime) or expiration.tzinfo is None:
        fail(f"{what} returned the expiration {expiration!r}")
    left = (expiration - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    if abs(left - seconds) > 60:
        fail(f"{what} returned credentials expiring in {left:.0f} s, expected {seconds}")


def allow(*actions, resource="*"):
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": resource}]}


# --- Set-up, as root: a user who may federate and assume its two roles, the roles, and a third
# role it may not assume.
root_iam = client("iam")
account = client("sts").get_caller_identity()["Account"]
user = PREFIX
user_arn = root_iam.create_user(UserName=user)["User"]["Arn"]
user_policy = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["iam:ListUsers", "iam:ListGroups", "sts:GetFederationToken"], "Resource": "*"},
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{account}:role/{PREFIX}-*"},
    ],
}
root_iam.put_user_policy(UserName=user, PolicyName="sts-journey", PolicyDocument=json.dumps(user_policy))
key = root_iam.create_access_key(UserName=user)["AccessKey"]
print(f"ok: set-up: user {user} with key {key['AccessKeyId']}")

# The trust policy names the account, so the user's own sts:AssumeRole allow is needed too.
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}]}
dev_role, lister_role, outsider_role = f"{PREFIX}-dev", f"{PREFIX}-lister", f"outsider-{PREFIX}"
for role, policy in ((dev_role, allow("iam:ListUsers")), (lister_role, allow("iam:List*"))):
    root_iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
    root_iam.put_role_policy(RoleName=role, PolicyName="permissions", PolicyDocument=json.dumps(policy))
# Trusts the account too, but the user's policy does not let it assume this one.
root_iam.create_role(RoleName=outsider_role, AssumeRolePolicyDocument=json.dumps(trust))
print(f"ok: set-up: roles {dev_role} (iam:ListUsers), {lister_role} (iam:List*) and {outsider_role}")

user_sts = client("sts", key)

# --- 1. get_session_token
session = user_sts.get_session_token(DurationSeconds=900)["Credentials"]
check_credentials("get_session_token", session, 900)
print(f"ok: get_session_token as {user}: {session['AccessKeyId']}")

arn = client("sts", session).get_caller_identity()["Arn"]
if arn != user_arn:
    fail(f"get_caller_identity with the session token returned {arn!r}, expected {user_arn!r}")
print(f"ok: get_caller_identity with the session token is {arn}")

refused("list_users with the session token", "InvalidClientTokenId", INVALID_TOKEN, lambda: client("iam", session).list_users())
print(f"ok: list_users with the session token (no MFA) is InvalidClientTokenId, though {user} may list users")

refused(
    "get_session_token with the session token",
    "AccessDenied",
    re.escape("Cannot call GetSessionToken with session credentials"),
    lambda: client("sts", session).get_session_token(),
)
print("ok: get_session_token with the session token is AccessDenied")

# STS calls they may make are judged by the user's policies: AssumeRole on PREFIX-* only.
session_sts = client("sts", session)
session_sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{lister_role}", RoleSessionName="from-session-token")
print(f"ok: assume_role {lister_role} with the session token (the user's policy allows it)")

outsider_arn = f"arn:aws:iam::{account}:role/{outsider_role}"
refused(
    f"assume_role {outsider_role} with the session token",
    "AccessDenied",
    # AWS's STS names no reason for a refused AssumeRole: the message ends at the role's ARN.
    rf"User: {re.escape(user_arn)} is not authorized to perform: sts:AssumeRole on resource: {re.escape(outsider_arn)}$",
    lambda: session_sts.assume_role(RoleArn=outsider_arn, RoleSessionName="from-session-token"),
)
print(f"ok: assume_role {outsider_role} with the session token is AccessDenied: no identity-based policy allows it")

# --- 2. a profile with role_arn + source_profile, read by boto3.Session from the files.
files = tempfile.mkdtemp()
atexit.register(shutil.rmtree, files, ignore_errors=True)
config_file, credentials_file = os.path.join(files, "config"), os.path.join(files, "credentials")
with open(config_file, "w", encoding="utf-8") as f:
    f.write(
        f"[profile base]\nregion = us-east-1\nendpoint_url = {ENDPOINT}\n\n"
        f"[profile dev]\nrole_arn = arn:aws:iam::{account}:role/{dev_role}\nsource_profile = base\n"
        f"role_session_name = {PREFIX}-session\nregion = us-east-1\nendpoint_url = {ENDPOINT}\n"
    )
with open(credentials_file, "w", encoding="utf-8") as f:
    f.write(f"[base]\naws_access_key_id = {key['AccessKeyId']}\naws_secret_access_key = {key['SecretAccessKey']}\n")
os.environ["AWS_CONFIG_FILE"], os.environ["AWS_SHARED_CREDENTIALS_FILE"] = config_file, credentials_file
# A named profile takes precedence over credentials in the environment (root's, here).
dev = boto3.Session(profile_name="dev")
resolved = dev.get_credentials()
if resolved is None or resolved.method != "assume-role":
    fail(f"boto3.Session(profile_name='dev') resolved its credentials by {getattr(resolved, 'method', None)!r}, not assume-role")
if not resolved.access_key.startswith("ASIA"):
    fail(f"the dev profile's credentials have the key id {resolved.access_key!r}")
dev_arn = f"arn:aws:sts::{account}:assumed-role/{dev_role}/{PREFIX}-session"
# No endpoint_url here: the profile's is used, by the assume-role provider and by these clients.
arn = dev.client("sts", config=CONFIG).get_caller_identity()["Arn"]
if arn != dev_arn:
    fail(f"get_caller_identity with the dev profile returned {arn!r}, expected {dev_arn!r}")
print(f"ok: boto3.Session(profile_name='dev') (role_arn + source_profile) is {arn}")

dev_iam = dev.client("iam", config=CONFIG)
names = [u["UserName"] for u in dev_iam.list_users()["Users"]]
if user not in names:
    fail(f"list_users with the dev profile did not list {user}: {names}")
print("ok: list_users with the dev profile")

refused(
    "list_roles with the dev profile",
    "AccessDenied",
    rf"User: {re.escape(dev_arn)} is not authorized to perform: iam:ListRoles on resource: \S+ because no identity-based policy allows the iam:ListRoles action$",
    dev_iam.list_roles,
)
print("ok: list_roles with the dev profile is AccessDenied: no identity-based policy allows it")

# --- 3. get_federation_token with a Policy
out = user_sts.get_federation_token(Name="bob", Policy=json.dumps(allow("iam:ListUsers")), DurationSeconds=900)
fed_arn = f"arn:aws:sts::{account}:federated-user/bob"
if out["FederatedUser"] != {"Arn": fed_arn, "FederatedUserId": f"{account}:bob"}:
    fail(f"get_federation_token returned the federated user {out['FederatedUser']}")
if not 0 < out["PackedPolicySize"] <= 100:
    fail(f"get_federation_token returned PackedPolicySize {out['PackedPolicySize']}")
federated = out["Credentials"]
check_credentials("get_federation_token", federated, 900)
print(f"ok: get_federation_token Name=bob Policy=iam:ListUsers as {user}: {federated['AccessKeyId']}")

arn = client("sts", federated).get_caller_identity()["Arn"]
if arn != fed_arn:
    fail(f"get_caller_identity as bob returned {arn!r}, expected {fed_arn!r}")
print(f"ok: get_caller_identity as bob is {arn}")

refused(
    "get_federation_token as bob",
    "AccessDenied",
    re.escape("Cannot call GetFederationToken with session credentials"),
    lambda: client("sts", federated).get_federation_token(Name="carol"),
)
print("ok: get_federation_token as bob is AccessDenied")

refused("list_users as bob", "InvalidClientTokenId", INVALID_TOKEN, lambda: client("iam", federated).list_users())
print("ok: list_users as bob is InvalidClientTokenId: federated credentials cannot call IAM")

# The session-policy intersection, on a role: the role allows iam:List*, the session policy
# iam:ListUsers only.
out = user_sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{lister_role}", RoleSessionName="ls", Policy=json.dumps(allow("iam:ListUsers")))
lister_arn = f"arn:aws:sts::{account}:assumed-role/{lister_role}/ls"
if out["AssumedRoleUser"]["Arn"] != lister_arn or not out["AssumedRoleUser"]["AssumedRoleId"].endswith(":ls"):
    fail(f"assume_role returned the assumed-role user {out['AssumedRoleUser']}")
assumed = out["Credentials"]
check_credentials("assume_role", assumed, 3600)
print(f"ok: assume_role {lister_role} Policy=iam:ListUsers as {user}: {assumed['AccessKeyId']}")

role_iam = client("iam", assumed)
role_iam.list_users()
print("ok: list_users with the role session (the role and the session policy both allow it)")

refused(
    "list_groups with the role session",
    "AccessDenied",
    rf"User: {re.escape(lister_arn)} is not authorized to perform: iam:ListGroups on resource: \S+ because no session policy allows the iam:ListGroups action$",
    role_iam.list_groups,
)
print("ok: list_groups with the role session is AccessDenied: no session policy allows it (the role does)")
