"""boto3 trading signed SAML responses for role sessions at a running Latchkey, with nothing but
its own settings:

1. Set-up, as root: iam.create_saml_provider from the IdP's metadata, and a role whose trust
   policy names the provider as Federated principal for sts:AssumeRoleWithSAML on the conditions
   SAML:aud (the Recipient, AWS's sign-in URL) and SAML:sub = alice, allowed iam:ListRoles only.
2. sts.assume_role_with_saml from a client with no credentials at all (botocore sends it
   unsigned, as the model says): alice's response becomes a session of the role; the answer's
   Subject, SubjectType, Issuer, Audience and NameQualifier are AWS's; get_caller_identity with
   the credentials is the assumed role; list_roles works, list_users is AccessDenied.
3. The same response again is InvalidIdentityToken: an assertion is used once.
4. Mallory's response, as validly signed, is AccessDenied: the trust policy's condition on SAML:sub.

Needs LATCHKEY_ENDPOINT, E2E_PREFIX, root's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
AWS_DEFAULT_REGION (for the set-up only), SAML_PROVIDER_NAME, SAML_ISSUER (the IdP's entity id),
IDP_METADATA_FILE, ALICE_RESPONSE_FILE and MALLORY_RESPONSE_FILE (base64 SAML responses, signed
for this journey's role and provider). Prints one line per step; exits non-zero on the first step
that does not go as AWS would.
"""
import base64
import hashlib
import json
import os
import re

import boto3
from journey_lib import CONFIG, ENDPOINT, fail, refused as refuse

PREFIX = os.environ["E2E_PREFIX"]
PROVIDER_NAME = os.environ["SAML_PROVIDER_NAME"]
ISSUER = os.environ["SAML_ISSUER"]
RECIPIENT = "https://signin.aws.amazon.com/saml"


def refused(what, code, status, message, call):
    """HTTP `status` and a message that `message` (a regular expression) matches from its start."""
    refuse(what, code, call, message, status=status)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


# --- 1. Set-up, as root: the provider from the IdP's metadata, and a role that trusts it for alice.
root_iam = boto3.client("iam", endpoint_url=ENDPOINT, config=CONFIG)
account = boto3.client("sts", endpoint_url=ENDPOINT, config=CONFIG).get_caller_identity()["Account"]
provider_arn = root_iam.create_saml_provider(Name=PROVIDER_NAME, SAMLMetadataDocument=read(os.environ["IDP_METADATA_FILE"]))["SAMLProviderArn"]
if provider_arn != f"arn:aws:iam::{account}:saml-provider/{PROVIDER_NAME}":
    fail(f"create_saml_provider returned {provider_arn!r}")
print(f"ok: set-up: create_saml_provider {provider_arn}")

role = f"{PREFIX}-web"
trust = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithSAML",
            "Condition": {"StringEquals": {"SAML:aud": RECIPIENT, "SAML:sub": "alice"}},
        }
    ],
}
role_arn = root_iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
list_roles = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}]}
root_iam.put_role_policy(RoleName=role, PolicyName="list-roles", PolicyDocument=json.dumps(list_roles))
print(f"ok: set-up: role {role} (iam:ListRoles) trusting alice at the provider")

# From here on, no credentials anywhere: AssumeRoleWithSAML needs none.
for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
    os.environ.pop(name, None)

session_arn = f"arn:aws:sts::{account}:assumed-role/{role}/alice"
qualifier = base64.b64encode(hashlib.sha1(f"{ISSUER}{account}/{PROVIDER_NAME}".encode()).digest()).decode()

# --- 2. assume_role_with_saml: a plain client with no credentials (the operation is unsigned in the model).
anonymous = boto3.client("sts", endpoint_url=ENDPOINT, config=CONFIG)
alice = read(os.environ["ALICE_RESPONSE_FILE"])
out = anonymous.assume_role_with_saml(RoleArn=role_arn, PrincipalArn=provider_arn, SAMLAssertion=alice, DurationSeconds=900)
c = out["Credentials"]
if not re.fullmatch(r"ASIA[A-Z2-7]{16}", c["AccessKeyId"]) or len(c["SecretAccessKey"]) != 40 or not c["SessionToken"]:
    fail(f"assume_role_with_saml returned the key id {c['AccessKeyId']!r}")
named = (out["Subject"], out["SubjectType"], out["Issuer"], out["Audience"], out["NameQualifier"], out["AssumedRoleUser"]["Arn"])
expected = ("alice", "persistent", ISSUER, RECIPIENT, qualifier, session_arn)
if named != expected:
    fail(f"assume_role_with_saml named {named}, expected {expected}")
print(f"ok: assume_role_with_saml with alice's response, unsigned: {c['AccessKeyId']} for {out['Subject']} ({out['SubjectType']}), audience {out['Audience']}")

saml = boto3.Session(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"], region_name="us-east-1")
arn = saml.client("sts", endpoint_url=ENDPOINT, config=CONFIG).get_caller_identity()["Arn"]
if arn != session_arn:
    fail(f"get_caller_identity with the SAML session returned {arn!r}, expected {session_arn!r}")
print(f"ok: get_caller_identity with those credentials is {arn}")

saml_iam = saml.client("iam", endpoint_url=ENDPOINT, config=CONFIG)
names = [r["RoleName"] for r in saml_iam.list_roles()["Roles"]]
if role not in names:
    fail(f"list_roles with the SAML session did not list {role}: {names}")
print("ok: list_roles with the SAML session")

refused(
    "list_users with the SAML session",
    "AccessDenied",
    403,
    rf"User: {re.escape(arn)} is not authorized to perform: iam:ListUsers on resource: \S+ because no identity-based policy allows the iam:ListUsers action$",
    saml_iam.list_users,
)
print("ok: list_users with the SAML session is AccessDenied: no identity-based policy allows it")

# --- 3. the same assertion again
refused(
    "assume_role_with_saml with alice's response again",
    "InvalidIdentityToken",
    400,
    r"Invalid SAML response: this assertion has already been used\.$",
    lambda: anonymous.assume_role_with_saml(RoleArn=role_arn, PrincipalArn=provider_arn, SAMLAssertion=alice),
)
print("ok: assume_role_with_saml with alice's response again is InvalidIdentityToken: an assertion is used once")

# --- 4. mallory, signed as validly, but not the subject the trust policy names
refused(
    "assume_role_with_saml with mallory's response",
    "AccessDenied",
    403,
    re.escape("Not authorized to perform sts:AssumeRoleWithSAML") + "$",
    lambda: anonymous.assume_role_with_saml(RoleArn=role_arn, PrincipalArn=provider_arn, SAMLAssertion=read(os.environ["MALLORY_RESPONSE_FILE"])),
)
print("ok: assume_role_with_saml with mallory's response is AccessDenied: the trust policy's condition on SAML:sub")
