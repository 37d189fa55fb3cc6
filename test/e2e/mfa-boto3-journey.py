"""boto3 with MFA against a running Latchkey, as a person enrols and uses a virtual device:

1. Enrolment, as root: create_virtual_mfa_device (the Base32 seed, as bytes), enable_mfa_device
   with two consecutive codes; two devices for one user, so each successful use below has a device
   whose next code is already in the window.
2. get_session_token(SerialNumber, TokenCode): the session may call IAM (one without MFA may not);
   the same code again, no code, and an unknown serial are AccessDenied with AWS's messages.
3. boto3.Session(profile_name="admin") over a config file whose profile has role_arn,
   source_profile and mfa_serial, for a role whose trust policy requires
   aws:MultiFactorAuthPresent: botocore's assume-role provider asks its prompter for the code (the
   test sets the prompter: botocore's default is getpass); with the right code the session is the
   role; a wrong code fails; a profile without mfa_serial is refused by the trust policy.

Codes are computed here as an authenticator app does (RFC 6238 with hmac and hashlib). Needs
LATCHKEY_ENDPOINT, E2E_PREFIX and root's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
AWS_DEFAULT_REGION. Prints one line per step; exits non-zero on the first step that does not go as
AWS would.
"""
import atexit
import base64
import hashlib
import hmac
import json
import os
import shutil
import struct
import tempfile
import time

import boto3
from journey_lib import CONFIG, ENDPOINT, client, exactly, fail, refused as refuse

PREFIX = os.environ["E2E_PREFIX"]
INVALID_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
UNKNOWN_SERIAL = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."


def totp(seed, offset=0, now=None):
    """The device's code for the time step `offset` steps from `now` (a step; by default the clock's)
    (RFC 6238, SHA-1, 6 digits)."""
    key = base64.b32decode(seed + "=" * (-len(seed) % 8))
    step = (int(time.time()) // 30 if now is None else now) + offset
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    o = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)


def refused(what, code, message, call):
    """AWS's exact `message`, when one is given."""
    refuse(what, code, call, None if message is None else exactly(message))


root_iam, root_sts = client("iam"), client("sts")
account = root_sts.get_caller_identity()["Account"]
user, role = PREFIX, f"{PREFIX}-mfa-admin"

# --- Set-up, as root
root_iam.create_user(UserName=user)
root_iam.put_user_policy(
    UserName=user,
    PolicyName="mfa-journey",
    PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:ListUsers", "sts:AssumeRole"], "Resource": "*"}]}),
)
key = root_iam.create_access_key(UserName=user)["AccessKey"]
keys = {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}
trust = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    ],
}
root_iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
print(f"ok: set-up: user {user}, role {role} (trust requires aws:MultiFactorAuthPresent)")

# --- 1. enrolment
devices = {}
for d in ("a", "b"):
    created = root_iam.create_virtual_mfa_device(VirtualMFADeviceName=f"{user}-{d}")["VirtualMFADevice"]
    seed = created["Base32StringSeed"].decode("ascii")
    if len(seed) != 32 or not created["QRCodePNG"].startswith(b"\x89PNG"):
        fail(f"create_virtual_mfa_device returned a seed of {len(seed)} characters or no PNG")
    # Both codes from one reading of the clock: two readings may fall either side of a step's end.
    now = int(time.time()) // 30
    root_iam.enable_mfa_device(UserName=user, SerialNumber=created["SerialNumber"], AuthenticationCode1=totp(seed, -1, now), AuthenticationCode2=totp(seed, 0, now))
    devices[d] = (created["SerialNumber"], seed)
if len(root_iam.list_mfa_devices(UserName=user)["MFADevices"]) != 2:
    fail("list_mfa_devices does not list the two devices")
print("ok: create_virtual_mfa_device and enable_mfa_device with two consecutive codes, twice")

# --- 2. get_session_token with MFA
sts = client("sts", keys)
serial_a, seed_a = devices["a"]
code = totp(seed_a, 1)
session = sts.get_session_token(SerialNumber=serial_a, TokenCode=code)["Credentials"]
client("iam", session).list_users()
print("ok: get_session_token(SerialNumber, TokenCode); list_users with the MFA session")

plain = sts.get_session_token()["Credentials"]
refused("list_users with a session without MFA", "InvalidClientTokenId", None, lambda: client("iam", plain).list_users())
print("ok: list_users with a session without MFA is InvalidClientTokenId")

refused("the same code again", "AccessDenied", INVALID_CODE, lambda: sts.get_session_token(SerialNumber=serial_a, TokenCode=code))
print("ok: the same code again is AccessDenied")
refused("get_session_token without a code", "AccessDenied", INVALID_CODE, lambda: sts.get_session_token(SerialNumber=serial_a))
print("ok: get_session_token(SerialNumber) without a code is AccessDenied")
refused("an unknown serial", "AccessDenied", UNKNOWN_SERIAL, lambda: sts.get_session_token(SerialNumber=f"arn:aws:iam::{account}:mfa/nobody", TokenCode="123456"))
print("ok: an unknown serial is AccessDenied")

# --- 3. a profile with mfa_serial, read by boto3.Session from the files
files = tempfile.mkdtemp()
atexit.register(shutil.rmtree, files, True)
config_file, credentials_file = os.path.join(files, "config"), os.path.join(files, "credentials")
serial_b, seed_b = devices["b"]
with open(config_file, "w", encoding="utf-8") as f:
    f.write(f"[profile base]\nregion = us-east-1\nendpoint_url = {ENDPOINT}\n\n")
    for name, mfa in (("admin", True), ("admin-again", True), ("no-mfa", False)):
        f.write(
            f"[profile {name}]\nrole_arn = arn:aws:iam::{account}:role/{role}\nsource_profile = base\n"
            + (f"mfa_serial = {serial_b}\n" if mfa else "")
            + f"role_session_name = {PREFIX}-{name}\nregion = us-east-1\nendpoint_url = {ENDPOINT}\n\n"
        )
with open(credentials_file, "w", encoding="utf-8") as f:
    f.write(f"[base]\naws_access_key_id = {keys['AccessKeyId']}\naws_secret_access_key = {keys['SecretAccessKey']}\n")
os.environ["AWS_CONFIG_FILE"], os.environ["AWS_SHARED_CREDENTIALS_FILE"] = config_file, credentials_file
for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
    os.environ.pop(name, None)

prompts = []


def session_for(profile, answer):
    """boto3.Session(profile_name=profile) whose assume-role provider answers its MFA prompt with `answer`."""
    s = boto3.Session(profile_name=profile)
    provider = s._session.get_component("credential_provider").get_provider("assume-role")

    def prompter(prompt):
        prompts.append(prompt)
        return answer

    provider._prompter = prompter
    return s


admin = session_for("admin", totp(seed_b, 1))
arn = admin.client("sts", config=CONFIG).get_caller_identity()["Arn"]
if arn != f"arn:aws:sts::{account}:assumed-role/{role}/{PREFIX}-admin":
    fail(f"the admin profile is {arn!r}")
if not prompts or serial_b not in prompts[-1]:
    fail(f"botocore did not prompt for the code of {serial_b}: {prompts!r}")
print(f"ok: boto3.Session(profile_name='admin') (mfa_serial, the code from the prompter) is {arn}")

refused("the admin-again profile with a wrong code", "AccessDenied", INVALID_CODE, lambda: session_for("admin-again", "000000").client("sts", config=CONFIG).get_caller_identity())
print("ok: the admin-again profile with a wrong code is AccessDenied")

refused("the no-mfa profile", "AccessDenied", None, lambda: session_for("no-mfa", "").client("sts", config=CONFIG).get_caller_identity())
print("ok: the no-mfa profile (no mfa_serial) is AccessDenied by the trust policy")
