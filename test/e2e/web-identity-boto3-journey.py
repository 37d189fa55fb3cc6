"""boto3 trading ID tokens from a real OpenID Connect provider for role sessions at a running
Latchkey, with nothing but its own settings:

1. sts.assume_role_with_web_identity from a client with no credentials (botocore sends it
   unsigned): alice's token becomes a session of the role whose trust policy names the provider
   and alice; the answer names her, the provider and the audience, and get_caller_identity with
   the credentials is the assumed role. Mallory's token, as valid, is AccessDenied: the trust
   policy's condition on `sub` refuses it.
2. boto3.Session(profile_name="wi") over a config file whose profile has role_arn +
   web_identity_token_file (botocore calls AssumeRoleWithWebIdentity itself, at the profile's
   endpoint_url): the session is the assumed role, whose policy allows iam:ListRoles only:
   ListRoles works, ListUsers is AccessDenied.
3. boto3.Session() over the environment EKS pods and CI runners get: AWS_ROLE_ARN +
   AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_SESSION_NAME, with AWS_ENDPOINT_URL_STS (the credential
   provider's STS client reads it) and AWS_ENDPOINT_URL_IAM.

Needs LATCHKEY_ENDPOINT, E2E_PREFIX, root's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
AWS_DEFAULT_REGION (for the set-up only), OIDC_ISSUER and OIDC_CLIENT_ID (the provider),
ALICE_TOKEN_FILE and MALLORY_TOKEN_FILE (their ID tokens). Prints one line per step; exits
non-zero on the first step that does not go as AWS would.
"""
import atexit
import json
import os
import re
import shutil
import tempfile

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from journey_lib import CONFIG, ENDPOINT, fail, refused as refuse

PREFIX = os.environ["E2E_PREFIX"]
ISSUER = os.environ["OIDC_ISSUER"]
CLIENT_ID = os.environ["OIDC_CLIENT_ID"]
ALICE_TOKEN_FILE = os.environ["ALICE_TOKEN_FILE"]
MALLORY_TOKEN_FILE = os.environ["MALLORY_TOKEN_FILE"]


def refused(what, code, message, call):
    """HTTP 403 and a message that `message` (a regular expression) matches from its start."""
    refuse(what, code, call, message, status=403)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


def no_list_users(arn):
    return rf"User: {re.escape(arn)} is not authorized to perform: iam:ListUsers on resource: \S+ because no identity-based policy allows the iam:ListUsers action$"


# --- Set-up, as root: the provider, and a role that trusts it for alice's tokens to this client.
root_iam = boto3.client("iam", endpoint_url=ENDPOINT, config=CONFIG)
account = boto3.client("sts", endpoint_url=ENDPOINT, config=CONFIG).get_caller_identity()["Account"]
host_path = ISSUER.removeprefix("https://")
provider_arn = root_iam.create_open_id_connect_provider(Url=ISSUER, ClientIDList=[CLIENT_ID])["OpenIDConnectProviderArn"]
if provider_arn != f"arn:aws:iam::{account}:oidc-provider/{host_path}":
    fail(f"create_open_id_connect_provider returned {provider_arn!r}")
print(f"ok: set-up: create_open_id_connect_provider {provider_arn}")

role = f"{PREFIX}-web"
trust = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{host_path}:aud": CLIENT_ID, f"{host_path}:sub": "alice"}},
        }
    ],
}
role_arn = root_iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
list_roles = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}]}
root_iam.put_role_policy(RoleName=role, PolicyName="list-roles", PolicyDocument=json.dumps(list_roles))
print(f"ok: set-up: role {role} (iam:ListRoles) trusting alice at the provider")

# From here on, no credentials in the environment: only what each step resolves itself.
for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
    os.environ.pop(name, None)


def session_arn(name):
    return f"arn:aws:sts::{account}:assumed-role/{role}/{name}"


def check_session(what, session, name):
    """get_caller_identity is the assumed role; ListRoles works, ListUsers is refused."""
    arn = session.client("sts", config=CONFIG).get_caller_identity()["Arn"]
    if arn != session_arn(name):
        fail(f"get_caller_identity with {what} returned {arn!r}, expected {session_arn(name)!r}")
    return arn


# --- 1. assume_role_with_web_identity, unsigned
anonymous = boto3.client("sts", endpoint_url=ENDPOINT, config=CONFIG.merge(Config(signature_version=UNSIGNED)))
out = anonymous.assume_role_with_web_identity(RoleArn=role_arn, RoleSessionName=f"{PREFIX}-direct", WebIdentityToken=read(ALICE_TOKEN_FILE))
c = out["Credentials"]
if not re.fullmatch(r"ASIA[A-Z2-7]{16}", c["AccessKeyId"]) or len(c["SecretAccessKey"]) != 40 or not c["SessionToken"]:
    fail(f"assume_role_with_web_identity returned the key id {c['AccessKeyId']!r}")
named = (out["SubjectFromWebIdentityToken"], out["Provider"], out["Audience"], out["AssumedRoleUser"]["Arn"])
if named != ("alice", provider_arn, CLIENT_ID, session_arn(f"{PREFIX}-direct")):
    fail(f"assume_role_with_web_identity named {named}")
print(f"ok: assume_role_with_web_identity with alice's ID token, unsigned: {c['AccessKeyId']} for alice")

direct = boto3.Session(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
arn = direct.client("sts", endpoint_url=ENDPOINT, config=CONFIG).get_caller_identity()["Arn"]
if arn != session_arn(f"{PREFIX}-direct"):
    fail(f"get_caller_identity with the web identity session returned {arn!r}")
print(f"ok: get_caller_identity with those credentials is {arn}")

refused(
    "assume_role_with_web_identity with mallory's ID token",
    "AccessDenied",
    re.escape("Not authorized to perform sts:AssumeRoleWithWebIdentity") + "$",
    lambda: anonymous.assume_role_with_web_identity(RoleArn=role_arn, RoleSessionName=f"{PREFIX}-mallory", WebIdentityToken=read(MALLORY_TOKEN_FILE)),
)
print("ok: assume_role_with_web_identity with mallory's ID token is AccessDenied: the trust policy's condition on sub")

# --- 2. a profile with role_arn + web_identity_token_file, read by boto3.Session from the files.
files = tempfile.mkdtemp()
atexit.register(shutil.rmtree, files, ignore_errors=True)
config_file, credentials_file = os.path.join(files, "config"), os.path.join(files, "credentials")
with open(config_file, "w", encoding="utf-8") as f:
    f.write(
        f"[profile wi]\nrole_arn = {role_arn}\nweb_identity_token_file = {ALICE_TOKEN_FILE}\n"
        f"role_session_name = {PREFIX}-profile\nregion = us-east-1\nendpoint_url = {ENDPOINT}\n"
    )
open(credentials_file, "w", encoding="utf-8").close()
os.environ["AWS_CONFIG_FILE"], os.environ["AWS_SHARED_CREDENTIALS_FILE"] = config_file, credentials_file

wi = boto3.Session(profile_name="wi")
resolved = wi.get_credentials()
if resolved is None or resolved.method != "assume-role-with-web-identity":
    fail(f"boto3.Session(profile_name='wi') resolved its credentials by {getattr(resolved, 'method', None)!r}, not assume-role-with-web-identity")
# No endpoint_url here: the profile's is used, by the credential provider and by these clients.
arn = check_session("the wi profile", wi, f"{PREFIX}-profile")
print(f"ok: boto3.Session(profile_name='wi') (role_arn + web_identity_token_file) is {arn}")

wi_iam = wi.client("iam", config=CONFIG)
names = [r["RoleName"] for r in wi_iam.list_roles()["Roles"]]
if role not in names:
    fail(f"list_roles with the wi profile did not list {role}: {names}")
print("ok: list_roles with the wi profile")

refused("list_users with the wi profile", "AccessDenied", no_list_users(arn), wi_iam.list_users)
print("ok: list_users with the wi profile is AccessDenied: no identity-based policy allows it")

# --- 3. the environment: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE, and the endpoints
with open(config_file, "w", encoding="utf-8") as f:
    f.write("")
os.environ.update(
    {
        "AWS_ROLE_ARN": role_arn,
        "AWS_WEB_IDENTITY_TOKEN_FILE": ALICE_TOKEN_FILE,
        "AWS_ROLE_SESSION_NAME": f"{PREFIX}-env",
        "AWS_ENDPOINT_URL_STS": ENDPOINT,
        "AWS_ENDPOINT_URL_IAM": ENDPOINT,
    }
)
from_env = boto3.Session()
resolved = from_env.get_credentials()
if resolved is None or resolved.method != "assume-role-with-web-identity":
    fail(f"boto3.Session() resolved its credentials by {getattr(resolved, 'method', None)!r}, not assume-role-with-web-identity")
arn = check_session("the environment's web identity", from_env, f"{PREFIX}-env")
print(f"ok: boto3.Session() with AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ENDPOINT_URL_STS is {arn}")

env_iam = from_env.client("iam", config=CONFIG)
env_iam.list_roles()
print("ok: list_roles with the environment's web identity (AWS_ENDPOINT_URL_IAM)")

refused("list_users with the environment's web identity", "AccessDenied", no_list_users(arn), env_iam.list_users)
print("ok: list_users with the environment's web identity is AccessDenied")
