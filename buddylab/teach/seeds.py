"""Per-student variants: a seed from the course secret, the student id and the assignment.

Kernel: none (teaching support).

``variant_seed(secret, student, assignment)`` is HMAC-SHA256 keyed with the
course secret over the student id and the assignment name, cut to 31 bits.
Staff who hold the secret rebuild any student's variant; a student, who sees
only the seed of their own notebooks, cannot compute another student's seed
without the secret.  The secret is never written into a released file.

>>> variant_seed("s3cret", "alice", "a01_free_lists")
1493222214
>>> variant_seed("s3cret", "bob", "a01_free_lists") != variant_seed("s3cret", "alice", "a01_free_lists")
True
"""

import hashlib
import hmac
import os
import re

from ..errors import BuddyLabError

__all__ = ["variant_seed", "read_secret", "read_roster", "TeachError", "SECRET_ENV"]

SECRET_ENV = "BUDDYLAB_COURSE_SECRET"
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class TeachError(BuddyLabError):
    """Bad input to the release or grade commands (roster, secret, folders)."""


def variant_seed(secret, student, assignment):
    """The seed of `student`'s variant of `assignment` (0 <= seed < 2**31)."""
    if not secret:
        raise TeachError("the course secret is empty")
    msg = ("%s\0%s" % (student, assignment)).encode("utf-8")
    digest = hmac.new(str(secret).encode("utf-8"), msg, hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def read_secret(path=None, environ=None):
    """The course secret from `path` (first line) or the BUDDYLAB_COURSE_SECRET variable."""
    environ = os.environ if environ is None else environ
    if path is not None:
        try:
            with open(path, encoding="utf-8") as f:
                secret = f.readline().strip()
        except OSError as e:
            raise TeachError("cannot read the secret file %s: %s" % (path, e.strerror)) from None
        if not secret:
            raise TeachError("the secret file %s is empty" % path)
        return secret
    secret = environ.get(SECRET_ENV, "").strip()
    if not secret:
        raise TeachError("no course secret: pass --secret-file FILE or set %s" % SECRET_ENV)
    return secret


def read_roster(path):
    """Student ids, one a line (blank lines and # comments skipped), in file order.

    >>> import io
    >>> read_roster(io.StringIO("alice\\n# TA\\n\\nbob\\n"))
    ['alice', 'bob']
    """
    if hasattr(path, "read"):
        text = path.read()
        name = "the roster"
    else:
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise TeachError("cannot read the roster %s: %s" % (path, e.strerror)) from None
        name = "roster %s" % path
    ids = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not STUDENT_ID.match(line):
            raise TeachError("%s line %d: %r is not a student id (letters, digits, . _ @ -)"
                             % (name, n, line))
        if line in ids:
            raise TeachError("%s line %d: %s is listed twice" % (name, n, line))
        ids.append(line)
    if not ids:
        raise TeachError("%s lists no student" % name)
    return ids
