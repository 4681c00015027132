"""dataguard's own recognizers: secrets, classification markings, health terms, travel
documents (MRZ), Indian PAN, persons named with their e-mail address; the faster e-mail
and IP address checks and the IBAN recognizer.

Each is a Presidio ``EntityRecognizer`` driven by compiled Python regexes with a
capture group ``v`` marking the value (so a finding masks and hashes the secret,
not the key name) and a validator that keeps placeholders and decoys out. Each
factory returns it as a ``Triggered``: with the words it needs to run and its window.
"""
from __future__ import annotations

import base64
import bisect
import functools
import json
import math
import re
from collections import Counter
from typing import TYPE_CHECKING, Callable, List, Optional

from presidio_analyzer import EntityRecognizer, RecognizerResult

if TYPE_CHECKING:
    from presidio_analyzer.nlp_engine import NlpArtifacts

from dataguard.checksums import VALIDATORS, mrz_valid
from dataguard.detect.bounded import BoundedPattern
from dataguard.detect.filters import (LIST_LABELS, NAME_PATTERN_KEY, POST_WORDS, SECRET_KEY_KEY, UPPER, hashes_in_text,
                                      iban_layout, listed_person, mailbox_person, password_hash, placeholder_secret)
from dataguard.detect.windows import Triggered, patterns_on_windows


def entropy(s: str) -> float:
    if not s:
        return 0.0
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in Counter(s).values())


# code, not a literal: a look-up of the secret, an empty call ("getpass()"), a call's quoted
# argument ("input('...')"), a value cut before a call's arguments ("get(")
_CODE_RX = re.compile(r"(?:os\.environ|getenv|process\.env|ENV\[|System\.getenv|Environment\.|config\[|settings\.|"
                      r"params\[|\bself\.|\bvault:|secretsmanager|keyvault|\(\)|\([\"'`]|[\"'`]\)|\($)", re.I)
# a whole call ("decrypt(ENC_PW)", "new Secret(x);") or a remark in parentheses ("(hidden)"): a
# generated key may hold brackets anywhere ("m3x&l7p*r0t(u4y)e6i", Django's alphabet has them)
_CALL = re.compile(r"(?:new\s+)?[A-Za-z_$][\w$.:>-]*\s*\(.*\)[;,]?|\(.*\)")
_OPENS_CALL = re.compile(r"[A-Za-z_$][\w$.]*\(")


def _code_call(v: str) -> bool:
    """A call the value opens with: cut before its arguments end ("crypt(pw" of "crypt(pw, salt)"),
    or going on after them as code does ("row(3).value", "getpw(user)[0]"); a secret with brackets
    inside goes on with its own characters ("Kx9(mP2q)Lr7!")."""
    m = _OPENS_CALL.match(v)
    if m is None:
        return False
    close = v.find(")", m.end())
    return close < 0 or v[close + 1:close + 2] in ("", ".", "[", ")", ";", ",")


_CODE_REF = re.compile(
    r"^(?:[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\[.*|"      # args[0], request.form[, $_POST[
    r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|"                      # user.password, config.db.pass
    r"[a-z]+(?:_[a-z]+)+|"                                    # hashed_pw, confirm_password
    r"[a-z]+(?:[A-Z][a-z]+)+|"                                # hashedPassword
    r"\$[A-Za-z_{(].*|!\w+.*)$")                             # $var, ${...}, $(...), !vault
_VERB_NOUN = re.compile(r"^(?:Add|Clear|ConvertFrom|ConvertTo|Get|New|Read|Remove|Set|Import|Export|Invoke|Out|Write)-[A-Z][A-Za-z]+$")


def plausible_password(v: str) -> bool:
    v = v.strip()
    if len(v) < 4 or len(v) > 128:
        return False
    if placeholder_secret(v) or _CODE_RX.search(v) or _CALL.fullmatch(v) or _code_call(v):
        return False
    if len(set(v)) <= 2:
        return False
    if _VERB_NOUN.match(v):
        return False          # PowerShell cmdlet (ConvertTo-SecureString, Read-Host), not a value
    if _CODE_REF.match(v.rstrip(");,")) or "://" in v:     # (the end of a call or condition: "confirm_pw)")
        return False          # a variable, attribute, subscript, YAML tag or URL, not a literal secret
    classes = sum(bool(re.search(p, v)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    # plain words ("required", "hidden") are prose, not passwords
    return classes >= 2


def _b64url_json(seg: str) -> Optional[dict]:
    try:
        data = base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4))
        obj = json.loads(data)
        return obj if isinstance(obj, dict) else None
    except Exception:  # noqa: BLE001
        return None


def valid_jwt(token: str) -> bool:
    parts = token.split(".")
    if len(parts) != 3:
        return False
    header = _b64url_json(parts[0])
    return header is not None and "alg" in header and _b64url_json(parts[1]) is not None


def high_entropy_token(v: str) -> bool:
    if len(v) < 16 or not re.search(r"\d", v) or not re.search(r"[A-Za-z]", v) or placeholder_secret(v):
        return False            # ("your_secret_key_here_123456": a template's)
    return entropy(v) >= 3.3


# what a Markdown code span after a password's word names that is no password: a setting's or a
# variable's name ("DB_PASSWORD", "pbkdf2_sha256"), an option, a path, a format, an assignment
_SPAN_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[-/%].*|\w+=.*")


def spanned_password(v: str) -> bool:
    """``plausible_password`` for a value in a Markdown code span, which also names settings."""
    return plausible_password(v) and _SPAN_NAME.fullmatch(v) is None


def basic_credentials(v: str) -> bool:
    """Whether a value after "Basic" is HTTP basic authentication's base64 of "user:password"
    (printable text with a colon, and a password after it), not a word ("basic training")."""
    import base64
    import binascii
    if len(v) % 4 == 1:
        return False
    try:       # (padding restored where a client left it out)
        text = base64.b64decode(v + "=" * (-len(v) % 4), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    user, colon, password = text.partition(":")
    if not (colon and password and text.isprintable()) or placeholder_secret(password):
        return False
    # an empty user before a personal access token (Azure DevOps, GitHub: ":<PAT>")
    return bool(user) or high_entropy_token(password)


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def opaque_token(v: str) -> bool:
    """A high-entropy value of one piece (or a UUID): not words or numbers joined by dashes,
    dots or slashes (a slug, a build name, a resource path)."""
    return high_entropy_token(v) and (_UUID.fullmatch(v) is not None or len(re.findall(r"[-./]", v)) <= 2)


class Rx:
    """One regex of a recognizer: group 'v' (or the whole match) is the value; ``needs``: words
    (lower case) of which a text holds one where the regex can match (``PasswordRecognizer``
    searches a text that holds none with no regex)."""

    def __init__(self, pattern: str, score: float, validate: Optional[Callable[[str], bool]] = None,
                 entity: Optional[str] = None, flags: int = 0, timeout_s: Optional[float] = None,
                 needs: tuple = ()):
        # a rule pack's (user-supplied) pattern is searched under the regex module's time limit
        self.rx = BoundedPattern(pattern, flags, timeout_s) if timeout_s else re.compile(pattern, flags)
        self.score = score
        self.validate = validate
        self.entity = entity
        self.needs = needs


class RegexRecognizer(EntityRecognizer):
    """A Presidio recognizer over a list of ``Rx`` entries."""

    def __init__(self, name: str, entities: List[str], regexes: List[Rx], language: str = "en",
                 context: Optional[List[str]] = None, metadata: Optional[dict] = None):
        self._regexes = regexes
        self._metadata = dict(metadata or {})
        # a rule pack's patterns: one search over a text tells whether any of them is worth running
        bounded = [r.rx for r in regexes if isinstance(r.rx, BoundedPattern)]
        self._any = BoundedPattern.any_of(bounded) if 1 < len(bounded) == len(regexes) else None
        super().__init__(supported_entities=entities, name=name, supported_language=language, context=context)

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: List[str], nlp_artifacts: Optional[NlpArtifacts] = None):
        wanted = set(entities) if entities else set(self.supported_entities)
        out = []
        if self._any is not None and not self._any.may_match(text):
            return out
        for r in self._regexes:
            ent = r.entity or self.supported_entities[0]
            if ent not in wanted:
                continue
            for m in r.rx.finditer(text):
                start, end = m.span("v") if "v" in r.rx.groupindex else m.span()
                if start < 0:
                    start, end = m.span()
                value = text[start:end]
                if r.validate is not None and not r.validate(value):
                    continue
                out.append(RecognizerResult(ent, start, end, r.score, recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    **self._metadata}))
        return out


# --------------------------------------------------------------------------- secrets
_B64 = r"[A-Za-z0-9+/=]"
_NL = r"(?:\\r\\n|\\n|\r?\n)"


def private_key_recognizer(language: str) -> Triggered:
    begin = r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |)PRIVATE KEY(?: BLOCK)?-----"
    # a header line read one way: its value may end in the "\r" of a "\r\n" (the same lines as
    # with _NL, whose "\r?\n" read each such line a second way: 2**n ways to fail for n lines)
    headers = r"(?:[A-Za-z-]+:[^\n\\]*(?:\\r\\n|\\n|\n))*"
    # each run of whitespace read whole ("(?!\s)": Python 3.10's re has no possessive quantifier):
    # a match takes it whole anyway (what follows it is no whitespace), and three runs splitting
    # one between them were tried every way, cubic in its length (a run of 2,000 newlines after
    # the line "BEGIN PRIVATE KEY": 80 s on the whole text, which the recognizer reads)
    ws = r"\s*(?!\s)"
    pattern = rf"(?P<v>{begin}{ws}{_NL}?{headers}{ws}{_NL}?{ws}{_B64}{{40}})"
    return Triggered(RegexRecognizer("dataguard-private-key", ["SECRET_PRIVATE_KEY"], [Rx(pattern, 1.0)], language),
                     words=("private key",))


# Secrets are searched on windows around their trigger words ("key", "session" and "://" are
# everywhere in logs and exports; their patterns, case-insensitive and behind a lookbehind, cost
# some 150 ns a character on a whole text). So that a window holds every match its trigger
# opens, the patterns are bounded: a key is at most 64 characters either side of its word, a
# separator at most 32 spaces either side (_WS), a value that may hold spaces (quoted) at most
# 128 characters; a value without spaces (a JWT, a token of any length) ends in the
# whitespace-free run a window is widened to. Key words match ASCII letters in any case
# (``(?a:...)``): as Hyperscan reads them (it sees a character beyond Latin-1 as '?'), so
# that no Kelvin sign or dotted capital I makes the windows differ from the whole text.
_SECRET_PAD = 320
_WS = r"\s{0,32}"
_SEP = rf"[\"']?{_WS}(?::=|=>|=|:){_WS}[\"']?"        # a key's separator: "=", ":", ":=", "=>", quotes and spaces

# what every token pattern holds: a vendor's prefix, "bearer" and a space, or a key's last word
# and its separator ("evicted key 7f3a", "at its next session." open no window; any character
# but a letter, a digit or an ASCII sign other than a quote, up to 40, stands for the quote and
# the spaces of every script: a log's "pam_unix(sshd:session):" opens none either)
_TOKEN_TRIGGER = (r"eyJ|ghp_|gho_|github_pat_|glpat-|xox[abposr]-|AIza|[rs]k_live_|SG\.|(?i:bearer)[^A-Za-z0-9]|"
                  r"hooks\.slack\.com/|(?i:webhook\.office\.com/|discord(?:app)?\.com/api/webhooks/|"
                  r"authori[sz]ation[ \t:\"']{0,4}basic|basic[ \t]+[A-Za-z0-9+/]{16})|"
                  r"(?i:key|token|secret|session(?:[_-]?id)?)[^A-Za-z0-9()\[\]{}<>,;.!/\\|&*#%@$^~`+_-]{0,40}?"
                  r"(?::=|=>|=|:)")


# a value under a key's name cut at a sign a generated secret holds ("dj4ng0-pr0d-k3y-9x" of
# "dj4ng0-pr0d-k3y-9x!v@t7q#w2e": the password recognizer's, whole) is none; any other end stands
# (a quote, '<', '|', ':', a JSON escape, the 256th character); the value's run is possessive, so
# that the cut is not moved back a character
_TOKEN_END = r"(?![!@#$%^*(])"

_AWS_ID = r"(?<![A-Z0-9])(?P<v>(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16})(?![A-Z0-9])"
_AWS_SECRET = (r"(?i)(?a:aws.{0,20}?(?:secret|private).{0,20}?(?:key)?|secret_?access_?key)" + _SEP +
               r"(?P<v>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])")


def _aws_id_ok(v: str) -> bool:
    return len(set(v[4:])) > 4            # ...EXAMPLE keys pass: filters.is_test_value counts them


def _aws_secret_ok(v: str) -> bool:
    return (bool(re.search(r"[a-z]", v)) and bool(re.search(r"[A-Z]", v))
            and bool(re.search(r"\d", v)) and not re.fullmatch(r"[0-9a-fA-F]+", v) and entropy(v) > 4.0)


def aws_recognizer(language: str) -> Triggered:
    return Triggered(RegexRecognizer("dataguard-aws", ["SECRET_AWS_KEY"],
                                     [Rx(_AWS_ID, 0.9, _aws_id_ok), Rx(_AWS_SECRET, 0.9, _aws_secret_ok)], language),
                     regex=r"(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}|(?i:aws|secret_?access)",
                     pad=_SECRET_PAD)       # (a key id is upper case: "Asia" opens no window)


_PW_KEY = (r"(?a:[A-Za-z0-9_.\-]{0,64}(?:password|passwd|passphrase|pwd|pass_word|mot[ _-]?de[ _-]?passe|motdepasse|"
           r"contrase[ñÑnN]a|kennwort|passwort|senha)[A-Za-z0-9_.\-]{0,64}|"
           # bare "pass", "pw" and "secret" only as a whole word or a separated part ("db_pass",
           # "LDAP_BIND_PW", not "bypass", "secretary", "hashpw")
           r"(?:[A-Za-z0-9_.\-]{0,64}[_.\-])?(?:pass|pw|secret(?![_-]?access))(?:[_.\-][A-Za-z0-9_.\-]{0,64})?(?![A-Za-z0-9])|"
           r"PGPASSWORD|MYSQL_PWD)")
_PW_VALUE = r"""(?:"(?P<v>[^"\r\n]{4,128})"|'(?P<v2>[^'\r\n]{4,128})'|(?P<v3>[^\s"'`<>;,]{4,128}))"""
_PW_SEP = rf"[\"']?{_WS}(?::=|=>|==?|:){_WS}"
# What an assignment needs, read once from where it may start, before its key is searched for
# (the key's 64 characters either side of its word were searched from every character of a run
# of dots or of "pwd.pwd.": a second per 100 KB). A group captured in a look-ahead and matched
# again reads a run once (Python 3.10's re has no possessive quantifier): a key word's first
# letter (p, m, c, k, s) within 65 characters, only key characters before it; the run of key
# characters (at most 140, as the key) followed by the separator and a value, or by the space
# of "mot de passe" or the "ñ" of "contraseña" (key words holding a character no key holds).
_PW_GUARD = (r"(?=(?a-i:(?=(?P<pw_pre>[abd-jlnoqrt-zABD-JLNOQRT-Z0-9_.\-]{0,65}))(?P=pw_pre)[pPmMcCkKsS]))"
             r"(?=(?a-i:(?=(?P<pw_run>[A-Za-z0-9_.\-]{1,140}))(?P=pw_run))"
             rf"(?:{_PW_SEP}" r"""(?:"[^"\r\n]{4,128}"|'[^'\r\n]{4,128}'|[^\s"'`<>;,]{4,128})"""
             r"|(?a:[ ](?:de[ _-]?)?passe|[ñÑ]a)))")


def _pw_regexes() -> List[Rx]:
    assign = rf"(?i)(?<![A-Za-z0-9]){_PW_GUARD}(?P<k>{_PW_KEY}){_PW_SEP}{_PW_VALUE}"
    return [
        Rx(assign, 0.8, plausible_password),
        Rx(rf"(?i)<(?:[\w:-]{{0,64}}(?a:password|passwd|pwd|secret)[\w-]{{0,64}})>{_WS}(?P<v>[^<\s]{{4,128}}){_WS}</", 0.8,
           plausible_password),
        Rx(r"(?i)\b[a-z][a-z0-9+.\-]{1,20}://[^\s:/@\"'<>]{0,64}:(?P<v>[^\s@/\"'<>]{3,128})@[\w.\-\[\]]+", 0.9,
           plausible_password, needs=("://",)),
        Rx(r"(?i)\b(?a:identified)\s{1,32}(?a:by)\s{1,32}(?:(?a:password)\s{1,32})?[\"'](?P<v>[^\"'\r\n]{4,128})[\"']",
           0.8, plausible_password, needs=("identified",)),
        Rx(r"(?i)(?a:ConvertTo-SecureString)\s{1,32}(?:(?a:-String)\s{1,32})?[\"'](?P<v>[^\"'\r\n]{4,128})[\"']", 0.8,
           plausible_password),
        Rx(r"(?i)(?:^|\s)(?:-p|(?a:--password)(?:=|\s{1,32}))[\"']?(?P<v>[^\s\"']{6,128})", 0.6, plausible_password),
        # prose: "Your temporary password is: Kx7#mP2q", "votre mot de passe est Lyon#2024x" (not
        # followed by a word: "the password is Welcome1 for everyone" is a sentence about it)
        Rx(r"(?i)(?<![A-Za-z0-9])(?:(?a:password|passphrase|passwort|kennwort|mot de passe|senha)|contraseña)"
           r"\s{1,3}(?:is|was|est|es|ist|é)\s{0,3}:?\s{0,3}[\"']?(?P<vp>[^\s\"'`<>;,]{6,128})", 0.7,
           plausible_password, needs=("password", "passphrase", "passwort", "kennwort", "mot de passe", "senha",
                                      "contraseña")),
        # Markdown: "password `Juba!Br3akGl4ss#24`", "mot de passe : `Lyon#2024x`" (a runbook's code span)
        Rx(r"(?i)(?<![A-Za-z0-9])(?:(?a:password|passwd|passphrase|passwort|kennwort|mot de passe|senha)|contraseña)"
           r"[ \t]{0,3}(?:(?:is|was|est|es|ist|é)[ \t]{0,3})?:?[ \t]{0,3}`(?P<v>[^`\s]{4,128})`", 0.75,
           spanned_password, needs=("`",)),
        # a user name and password passed as a pair: auth=("svc", "Xk9#mPq2"), HTTPBasicAuth('u', 'p'),
        # smtp.login(user, "p")
        Rx(r"(?i)(?<![A-Za-z0-9])(?a:auth|HTTPBasicAuth|HTTPDigestAuth|login)\s{0,3}(?:=\s{0,3})?\(\s{0,3}"
           r"(?:[\"'][^\"'\r\n]{1,64}[\"']|[A-Za-z_][\w.]{0,64})\s{0,3},\s{0,32}[\"'](?P<v>[^\"'\r\n]{4,128})[\"']\s{0,3}\)",
           0.8, plausible_password, needs=("auth", "login")),
    ]


class PasswordRecognizer(RegexRecognizer):
    """Password assignments and credentials in URLs / connection strings; the span is the value."""

    def analyze(self, text, entities, nlp_artifacts=None):
        wanted = set(entities) if entities else {"SECRET_PASSWORD"}
        if "SECRET_PASSWORD" not in wanted:
            return []
        out, low = [], None
        for r in self._regexes:
            if r.needs:
                low = text.lower() if low is None else low
                if not any(w in low for w in r.needs):
                    continue
            for m in r.rx.finditer(text):
                grp = next((g for g in ("v", "v2", "v3", "vp") if g in r.rx.groupindex and m.group(g) is not None),
                           None)
                start, end = m.span(grp) if grp else m.span()
                value = text[start:end].rstrip(".")
                end = start + len(value)
                if not r.validate(value) or password_hash(value):
                    continue          # (a stored hash is no clear-text password: password_hash_recognizer)
                if grp == "v3" and value.isalpha() and re.match(r" +[A-Za-z]", text[end:end + 3]):
                    continue      # "Password: Must contain 8 characters" is prose
                if grp == "vp" and re.match(r"[ \t]+[^\W\d_]", text[end:end + 3]):
                    continue      # "the password is 8-characters long" is about it
                meta = {RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}
                if "k" in r.rx.groupindex:
                    meta[SECRET_KEY_KEY] = m.group("k")    # (the column judge reads it: ``ColumnJudge.judge``)
                out.append(RecognizerResult("SECRET_PASSWORD", start, end, r.score, recognition_metadata=meta))
        return out


def password_recognizer(language: str) -> Triggered:
    return Triggered(PasswordRecognizer("dataguard-password", ["SECRET_PASSWORD"], _pw_regexes(), language),
                     words=("pass", "pwd", "secret", "senha", "identified", "mot de passe", "mot_de_passe",
                            "mot-de-passe", "motdepasse", "contrase", "kennwort", "securestring"),
                     # a command line's "-p" only where its pattern can read it, after a space of any
                     # script (anything but an ASCII sign, letter or digit, bar the '?' Hyperscan
                     # reads for a character beyond Latin-1): a word's hyphen ("app-prod",
                     # "unix-process") opens no window; a URL only with a password before its host
                     # (not every link of a page or a log)
                     # (not every "login" and "auth" of a log: a call's, "auth=(", "smtp.login("; "pw" as a
                     # key's separated last part, "LDAP_BIND_PW", not inside a token)
                     regex=r"(?:^|[^!->@-~])-[pP]|://[^\s:/@\"'<>]*:[^\s@/\"'<>]*@|(?i:auth|login)[ \t]{0,3}(?:=[ \t]{0,3})?\("
                           r"|[_.\-][pP][wW]",
                     pad=_SECRET_PAD, edge=None)


def token_recognizer(language: str) -> Triggered:
    return Triggered(RegexRecognizer("dataguard-token", ["SECRET_TOKEN"], [
        Rx(r"(?<![A-Za-z0-9_-])(?P<v>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})", 0.95, valid_jwt),
        Rx(r"(?i)\b(?a:bearer)\s{1,32}(?P<v>[A-Za-z0-9._~+/-]{20,}=*)", 0.85, high_entropy_token),
        Rx(r"(?<![A-Za-z0-9_])(?P<v>ghp_[A-Za-z0-9]{36}|gho_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,}|"
           r"glpat-[A-Za-z0-9_-]{20}|xox[abposr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}|sk_live_[0-9a-zA-Z]{24,}|"
           r"rk_live_[0-9a-zA-Z]{24,}|SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})", 0.95),
        # a webhook's address is its secret: anyone holding it posts into the channel
        Rx(r"(?P<v>https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{20,})", 0.95),
        Rx(r"(?i)(?P<v>https://[a-z0-9-]+\.webhook\.office\.com/webhookb2/[\w@.-]{20,}/IncomingWebhook/[a-f0-9]{20,}/"
           r"[\w-]{20,}(?:/[\w-]+)?)", 0.95),
        Rx(r"(?i)(?P<v>https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{15,22}/[\w-]{50,})", 0.95),
        # HTTP basic authentication: the user and password, base64-encoded
        Rx(r"(?i)(?<![A-Za-z0-9])basic[ \t]+(?P<v>[A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])", 0.85, basic_credentials),
        Rx(r"(?i)(?<![A-Za-z0-9])(?a:api[_-]?key|apikey|access[_-]?token|auth[_-]?token|client[_-]?secret|"
           r"secret[_-]?key|private[_-]?token|account[_-]?key|shared[_-]?access[_-]?key)" + _SEP +
           r"(?P<v>[A-Za-z0-9._~+/-]{16,256}+={0,2}+)" + _TOKEN_END, 0.75, high_entropy_token),
        # a key naming a token, session or key (session=, sessionid=, REFRESH_TOKEN=, ENCRYPTION_KEY=, ?token=):
        # an opaque value, not a slug or a path ("session: Introduction-to-Python3-Basics")
        Rx(r"(?i)(?<![A-Za-z0-9])(?a:(?:refresh|id|csrf|xsrf|reset|session|bearer)[_-]?token|token|"
           r"(?:jwt|webhook|session|signing)[_-]?secret|(?:encryption|signing|master|hmac)[_-]?key|"
           r"session(?:[_-]?(?:id|key))?)"
           + _SEP + r"(?P<v>[A-Za-z0-9._~+/-][A-Za-z0-9_.~+/-]{15,255}+={0,2}+)" + _TOKEN_END,
           0.75, opaque_token),
    ], language), regex=_TOKEN_TRIGGER, pad=_SECRET_PAD, edge=None)


# --------------------------------------------------------------------------- markings and health terms
def classification_recognizer(language: str) -> Triggered:
    # (these run on the whole text that holds the word: each opens with a literal, what must not
    # stand before it looked behind once it is read, so that a search skips to it at C speed; led
    # by the look-behinds, the pattern was tried at every position)
    # (not after the word NOT or NON and a space, a line break or a hyphen, or two spaces: a document
    # said to hold nothing secret, "NOT CONFIDENTIAL", "NON-CONFIDENTIAL", "NON CONFIDENTIEL", "NOT
    # STRICTLY CONFIDENTIAL"; "CANNOT" is no NOT)
    denied = r"(?<!(?<![A-Za-z])NO[NT][\s\-\u2010-\u2014]{0})(?<!(?<![A-Za-z])NO[NT]  {0})"
    strict_upper = (rf"(?P<v>STRICT(?<![A-Za-z]STRICT){denied.format('STRICT')}"
                    r"(?:LY\s+CONFIDENTIAL|EMENT\s+CONFIDENTIEL(?:LE)?))(?![A-Za-z])")
    strict_line = (r"(?im)^[ \t#*>_-]*(?:classification\s*:\s*)?"
                   r"(?P<v>strictly\s+confidential|strictement\s+confidentiel(?:le)?)[ \t*_.:-]*$")
    conf_upper = (r"(?P<v>CONFIDENTI(?<![A-Za-z]CONFIDENTI)(?<!STRICTLY CONFIDENTI)(?<!STRICTEMENT CONFIDENTI)"
                  rf"{denied.format('CONFIDENTI')}(?:AL|EL(?:LE)?))(?![A-Za-z])")
    conf_line = (r"(?im)^[ \t#*>_-]*(?:classification\s*:\s*)?(?P<v>confidential|confidentiel(?:le)?)[ \t*_.:-]*$")
    conf_label = r"(?i)(?=[cm])\b(?:classification|marking|classement)\s*:\s*(?P<v>confidential|confidentiel(?:le)?)\b"
    strict = "CLASSIFICATION_STRICTLY_CONFIDENTIAL"   # the detector also reports it as CLASSIFICATION_MARKING
    return Triggered(RegexRecognizer("dataguard-classification", ["CLASSIFICATION_MARKING", strict], [
        Rx(strict_upper, 0.9, entity=strict), Rx(strict_line, 0.9, entity=strict),
        Rx(conf_upper, 0.8), Rx(conf_line, 0.8), Rx(conf_label, 0.8), *_iberian_arabic_markings(strict),
    ], language), words=("confidenti", "confidenc", "سري"))


def _iberian_arabic_markings(strict: str) -> list:
    """The same markings in Spanish and Portuguese (ESTRICTAMENTE / ESTRITAMENTE CONFIDENCIAL,
    CONFIDENCIAL: in capitals, alone on a line, or after "Clasificación:" / "Classificação:"; not
    after NO / NÃO) and Arabic (سري للغاية "strictly confidential", سري "confidential", سري وشخصي,
    alone on a line or after التصنيف: words of prose otherwise, "بشكل سري")."""
    label = r"(?:clasificaci[oó]n|classifica[cç][aã]o)\s*:\s*"
    strict_upper = r"(?P<v>ESTR(?<![^\W\d_]ESTR)I(?:CTA|TA)MENTE\s+CONFIDENCIAL)(?![^\W\d_])"
    strict_line = rf"(?im)^[ \t#*>_-]*(?:{label})?(?P<v>estri(?:cta|ta)mente\s+confidencial)[ \t*_.:-]*$"
    # (not "NO CONFIDENCIAL", "NÃO CONFIDENCIAL"; not "CONFIDENCIALÍSIMA")
    conf_upper = (r"(?P<v>CONFIDENCI(?<![^\W\d_]CONFIDENCI)(?<!MENTE CONFIDENCI)(?<!NO CONFIDENCI)(?<!NÃO CONFIDENCI)AL)"
                  r"(?![^\W\d_])")
    conf_line = rf"(?im)^[ \t#*>_-]*(?:{label})?(?P<v>confidencial)[ \t*_.:-]*$"
    conf_label = rf"(?i)(?=[cC])\b{label}(?P<v>confidencial)\b"
    # a marking alone on its line or after its label (in prose "بشكل سري للغاية" is "in strict confidence")
    ar_strict = r"(?m)^[ \t#*>_-]*(?:التصنيف\s*:\s*)?(?P<v>سري\s+للغاية)[ \t*_.:-]*$"
    ar_line = r"(?m)^[ \t#*>_-]*(?:التصنيف\s*:\s*)?(?P<v>سري(?:\s+وشخصي)?)[ \t*_.:-]*$"
    return [Rx(strict_upper, 0.9, entity=strict), Rx(strict_line, 0.9, entity=strict), Rx(ar_strict, 0.9, entity=strict),
            Rx(conf_upper, 0.8), Rx(conf_line, 0.8), Rx(conf_label, 0.8), Rx(ar_line, 0.8)]


HEALTH_WORDS = [
    # English
    "HIV", "HIV positive", "HIV-positive", "AIDS", "antiretroviral", "tuberculosis", "diagnosed", "diagnosis",
    "hepatitis", "cancer", "diabetes", "diabetic", "pregnant", "pregnancy", "psychiatric", "mental health",
    "depression", "schizophrenia", "bipolar", "PTSD", "disability", "disabled", "medical condition", "chemotherapy",
    "dialysis", "epilepsy", "malaria", "cholera", "miscarriage", "abortion", "STI", "syphilis", "medical records",
    "prescribed", "medication", "treatment for", "malnutrition", "malnourished",
    # French
    "VIH", "séropositif", "séropositive", "sida", "tuberculose", "diagnostic", "diagnostiqué", "diagnostiquée",
    "hépatite", "diabète", "enceinte", "grossesse", "psychiatrique", "santé mentale", "dépression", "handicap",
    "handicapé", "handicapée", "traitement antirétroviral", "paludisme", "schizophrénie", "bipolaire",
    "chimiothérapie", "dialyse", "épilepsie", "épileptique", "choléra", "fausse couche", "avortement",
    "dossier médical", "antirétroviral", "antirétroviraux", "diabétique", "malnutrition aiguë", "malnutri",
    "malnutrie",
]


def health_recognizer(language: str) -> Triggered:
    words = sorted(HEALTH_WORDS, key=len, reverse=True)
    upper_only = {"HIV", "AIDS", "STI", "PTSD", "VIH"}
    ci = [re.escape(w) for w in words if w not in upper_only]
    cs = [re.escape(w) for w in words if w in upper_only]
    rec = RegexRecognizer("dataguard-health", ["HEALTH_TERM"], [
        Rx(r"(?i)(?<![\w-])(?P<v>" + "|".join(ci) + r")(?![\w-])", 0.6),
        Rx(r"(?<![\w-])(?P<v>" + "|".join(cs) + r")(?![\w-])", 0.6),
        Rx(r"(?i)\b(?:icd(?:[- ]?1[01](?:-cm)?)?|diagnos(?:is|tic|e)|medical)(?:\s+codes?)?\s*[:#]?\s*"
           r"(?P<v>[A-TV-Z]\d{2}(?:\.\d{1,2})?)\b", 0.6),
    ], language)
    # every match is a listed word, or a code a few words after "icd"/"diagnosis" (the code's pattern
    # is quadratic in a run of spaces after "medical", which a window keeps short: Python 3.10's re
    # has no possessive quantifier to read the run once)
    return Triggered(rec, words=tuple(w for w in HEALTH_WORDS if w not in upper_only) + ("icd", "diagnos", "medical"),
                     exact=tuple(sorted(upper_only)), pad=120)


def in_pan_recognizer(language: str) -> Triggered:
    """Indian PAN: five letters (4th tells the holder type), four digits, a letter; upper case.
    Runs around the hits of the IN_PAN trigger (``entities.TABLE``); its context words are in
    the rule packs."""
    return Triggered(RegexRecognizer("dataguard-in-pan", ["IN_PAN"], [
        Rx(r"(?<![A-Za-z0-9])(?P<v>[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z])(?![A-Za-z0-9])", 0.5),
    ], language))


# --------------------------------------------------------------------------- travel documents
def mrz_recognizer(language: str) -> Triggered:
    """ICAO machine-readable zones of passports (TD3), visas/cards (TD2) and identity cards
    (TD1), reported only when all their check digits are right. The value is the whole zone."""
    a, an, nl = "[A-Z<]", "[A-Z0-9<]", r"[ \t]*\r?\n[ \t]*"
    td3 = rf"P{a}{a}{{3}}{a}{{39}}{nl}{an}{{9}}\d{a}{{3}}\d{{7}}[MFX<]\d{{7}}{an}{{14}}[\d<]\d"
    td2 = rf"[ACIV]{a}{a}{{3}}{a}{{31}}{nl}{an}{{9}}\d{a}{{3}}\d{{7}}[MFX<]\d{{7}}{an}{{7}}\d"
    td1 = rf"[ACI]{a}{a}{{3}}{an}{{9}}[\d<]{an}{{15}}{nl}\d{{7}}[MFX<]\d{{7}}{a}{{3}}{an}{{11}}\d{nl}{a}{{30}}"
    edge_l, edge_r = r"(?<![A-Z0-9<])", r"(?![A-Z0-9<])"
    rec = RegexRecognizer("dataguard-mrz", ["MRZ"], [
        Rx(rf"{edge_l}(?P<v>{td3}){edge_r}", 1.0, mrz_valid),
        Rx(rf"{edge_l}(?P<v>{td1}){edge_r}", 1.0, mrz_valid),
        Rx(rf"{edge_l}(?P<v>{td2}){edge_r}", 1.0, mrz_valid),
    ], language)
    return Triggered(rec, exact=("<<",), pad=110)     # every zone holds "<<", spans at most 3 lines of 30 or 2 of 44


# --------------------------------------------------------------------------- mailbox names
_WORD = rf'[{UPPER}][^\s<>"@,;:()\[\]]{{0,40}}'     # a name word: a capital, then 40 characters at most
_PARTICLE = r'(?:de|da|del|dos|das|du|di|la|le|van|von|der|den|al|el|bin|bint|ben|ibn|abu)[ \t]+'
# (particles in front too: "van Leeuwen, Femke")
_NAME_WORDS = rf'(?:{_PARTICLE}){{0,2}}{_WORD}(?:,?[ \t]+(?:{_PARTICLE}){{0,2}}{_WORD}){{1,3}}'

# a display name right before "<" or "(" and its address: "Priya Malhotra <p.malhotra@...>"
_NAME_BEFORE = re.compile(rf'(?<![\w.\'’-])"?(?P<v>{_NAME_WORDS})"?[ \t]*\Z')
_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)+")
# a field of a row (between tabs, semicolons, commas, pipes or a fixed-width report's gaps of two
# spaces or more, quoted or not) that is two to four name words (``_row_names``)
# (quadratic in a run of tabs, which _ROW_REACH keeps short: it is searched near an address only)
_FIELD = rf'[ \t]*"?(?P<v>{_NAME_WORDS})"?[ \t]*(?=[\t;,|\r\n]|  |$)'
# (what opens a field is matched, one literal character first, not looked behind for: a search
# then skips to the next such character at C speed instead of trying every position)
_ROW_NAME = re.compile(rf'(?:\t|;|,|\||\n| (?<=\S ) ){_FIELD}', re.M)
_FIRST_ROW_NAME = re.compile(_FIELD, re.M)         # a field at the start of the text
_ROW_REACH = 300            # characters of its line either side of an address where its name may be
_ROW_ADDRESSES = 6          # the addresses around a field looked at
_NAME_REACH = 100          # characters before "<" where a display name may start


def _person_span(text: str, start: int, end: int, local: str):
    """The span of a mailbox person in text[start:end] (the display name, or a row's field without
    its spaces and quotes, or either without one or two words in front: "Contact Amina Okafor");
    None when there is none."""
    while start < end and text[start] in " \t\"'":
        start += 1
    while end > start and text[end - 1] in " \t\"'\r":
        end -= 1
    for _ in range(3):
        if mailbox_person(text[start:end], local):
            return start, end
        gap = text.find(" ", start, end)
        if gap == -1:
            return None
        start = gap + 1
    return None


class MailboxNameRecognizer(EntityRecognizer):
    """Persons named with their e-mail address: before it ("From: Priya Malhotra
    <p.malhotra@example.org>", "To: "OKAFOR, Amina" <amina.okafor@...>", "Amina Okafor
    (amina.okafor@...)") or in its row (a contact list's "Alejandro Ortega, 212-229-7772,
    aortega@zoho.eu"), which the small models often miss. ``mailbox_person`` says which names
    are persons: name-shaped, and the address's local part spelled from them. Each "@" is looked at
    once, and each character of the rows around the addresses once."""

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: List[str], nlp_artifacts: Optional[NlpArtifacts] = None):
        spans, addresses = set(), []
        at = text.find("@")
        while at != -1:
            start, lo = at, max(0, at - 64)
            while start > lo and (text[start - 1].isalnum() or text[start - 1] in "._%+-"):
                start -= 1          # the local part before the "@"
            if start < at and _DOMAIN.match(text, at + 1):
                local = text[start:at]
                addresses.append((start, at, local))
                if start > 0 and text[start - 1] in "<(":
                    m = _NAME_BEFORE.search(text, max(0, start - 1 - _NAME_REACH), start - 1)
                    span = m and _person_span(text, *m.span("v"), local)
                    if span:
                        spans.add(span)
            at = text.find("@", at + 1)
        if addresses:
            spans.update(self._in_rows(text, addresses))
        return [RecognizerResult("PERSON", start, end, 0.85, recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id})
            for start, end in sorted(spans)]

    @staticmethod
    def _in_rows(text: str, addresses: list):
        """Fields of two to four name words on the lines of the addresses (each stretch of text
        searched once), each with the nearest addresses of its line (found by bisection)."""
        stretches: list = []
        for a_start, a_end, _ in addresses:
            a = text.rfind("\n", max(0, a_start - _ROW_REACH), a_start) + 1 or max(0, a_start - _ROW_REACH)
            b = text.find("\n", a_end, a_end + _ROW_REACH)
            b = min(len(text), a_end + _ROW_REACH) if b == -1 else b
            if stretches and a <= stretches[-1][1]:
                stretches[-1][1] = max(stretches[-1][1], b)
            else:
                stretches.append([a, b])
        starts = [a[0] for a in addresses]
        for a, b in stretches:
            for f in _row_names(text, a, b):
                fs, fe = f.span("v")
                i = max(0, bisect.bisect_left(starts, fs) - _ROW_ADDRESSES // 2)
                for a_start, a_end, local in addresses[i:i + _ROW_ADDRESSES]:
                    if a_end <= fs - _ROW_REACH or a_start >= fe + _ROW_REACH or fs < a_end and a_start < fe:
                        continue
                    if text.find("\n", min(fe, a_start), max(fs, a_end)) != -1:
                        continue            # another line
                    span = _person_span(text, fs, fe, local)
                    if span:
                        yield span
                        break


def _row_names(text: str, a: int, b: int):
    """The fields of two to four name words in text[a:b] (``_FIELD``), one after the other, each
    after a tab, a semicolon, a comma, a pipe, a line break or two spaces after a non-space (those
    before ``a`` too), or at the start of the text: as a search opening with a look-behind for
    these finds them. Each search starts at what opens a field at ``pos``, where the last ended."""
    pos = a
    if a == 0:
        m = _FIRST_ROW_NAME.match(text, 0, b)
        if m:
            yield m
            pos = m.end()
    while True:
        m = _ROW_NAME.search(text, pos - 2 if text[max(0, pos - 2):pos] == "  " else max(0, pos - 1), b)
        if m is None:
            return
        yield m
        pos = m.end()


def mailbox_name_recognizer(language: str) -> Triggered:
    rec = MailboxNameRecognizer(supported_entities=["PERSON"], name="dataguard-mailbox-name", supported_language=language)
    # every e-mail address holds "@"; the name is on its line, at most _ROW_REACH characters away
    return Triggered(rec, exact=("@",), pad=_ROW_REACH + 64)


# --------------------------------------------------------------------------- lists of persons after a label
# the labels of lines that list persons: a mail's recipients, minutes' attendance (the pack's
# "person-after-a-header-label" takes the first name after any label; these lines go on)
_LIST_LINE = re.compile(rf"(?im)^[ \t>*#-]{{0,6}}(?:\*\*)?(?P<label>{LIST_LABELS})(?:\*\*)?[ \t]*:(?:\*\*)?[ \t]*"
                        rf"(?P<list>[^\n]+)")
_MAIL_LABELS = frozenset(("to", "cc", "bcc", "an", "para", "à"))      # where "Surname, Given" is how a mail writes a name
# a label alone on its line (not a mail's: "To:" above an address, a list of units), the list one
# entry a line below it ("Attendance:" then a name a line, bulleted, numbered or quoted, after one
# blank line at most) down to a blank line, a line holding ':' (the next label) or the 40th line
_BLOCK_LABELS = "|".join(w for w in LIST_LABELS.split("|") if w not in _MAIL_LABELS)
_LIST_BLOCK = re.compile(rf"(?im)^[ \t>*#-]{{0,6}}(?:\*\*)?(?P<label>{_BLOCK_LABELS})(?:\*\*)?[ \t]*:(?:\*\*)?[ \t]*\r?\n"
                         r"(?:[ \t]*\r?\n)?(?P<list>(?:[ \t]*[^\s:][^\n:]*(?:\n|\Z)){1,40})")
_BLOCK_LINES = 40
_ITEM_MARK = re.compile(r"[ \t>]*(?:[-*+\u2022\u25aa\u25e6\u2013\u2014]|\d{1,3}[.)])?[ \t]*")   # a quote, a bullet, a number
# after a name, its agency: "Nnamdi Adewale (IRC)", "Amina Okafor – UNHCR"
_AFTER_NAME = re.compile(r"[ \t]*\([^()\n]{1,40}\)[ \t]*$|[ \t]+[-\u2013\u2014][ \t]+[^\n]{1,60}$")


class ListedPersonsRecognizer(EntityRecognizer):
    """The persons of a line that lists them after its label ("Cc: Bethlehem Negash; Eleanor
    Fairbairn; Nnamdi Adewale (IRC); admin@ohchr.org", "Present: Na Lin, Moussa Boateng, Lukusa
    Kasongo", "Apologies: A; B", "To: Simiyu, Maurine"), which the small models miss (a header is
    no sentence): the entries are cut at ';' (at ',' when the line has none; in a mail's header
    one-word entries paired as "Surname, Given"), an address or a bracketed agency
    after a name set aside; an entry is a person when it is written as one in a list of names
    (``filters.listed_person``: two to four name words, no word of a team or a firm, nor of a
    post: ``POST_WORDS``), and only
    in a list where such entries are half of those that are no address at least ("To: Finance
    Unit; Human Resources; Amina Okafor" lists units, not persons). The same for a list written
    one entry a line below a label alone on its line (``_LIST_BLOCK``: "Attendance:" then a
    name a line; not under a mail's labels). Reported as a pack's names after their cue are
    (``NAME_PATTERN_KEY``: ``filters._cued_name`` judges them)."""

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: List[str], nlp_artifacts: Optional[NlpArtifacts] = None):
        found = []
        for m in _LIST_LINE.finditer(text):
            found += self._persons(text, self._entries(text, *m.span("list"), m.group("label").lower() in _MAIL_LABELS))
        for m in _LIST_BLOCK.finditer(text):
            found += self._persons(text, self._lines(text, *m.span("list")))
        return [RecognizerResult("PERSON", start, end, 0.6, recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    NAME_PATTERN_KEY: True}) for start, end in found]

    @staticmethod
    def _lines(text: str, start: int, end: int) -> list:
        """(start, end) of each entry of a list written one a line: the line after its bullet or number."""
        out, at = [], start
        for line in text[start:end].split("\n"):
            mark = _ITEM_MARK.match(line)
            out.append((at + mark.end(), at + len(line.rstrip("\r"))))
            at += len(line) + 1
        return [(a, b) for a, b in out if b > a]

    @staticmethod
    def _entries(text: str, start: int, end: int, mail: bool) -> list:
        """(start, end) of each entry: cut at ';', else at ','; in a mail's header, where every entry
        cut at ',' is one word, pairs of them are one "Surname, Given" entry ("To: Simiyu, Maurine")."""
        line = text[start:end]
        sep = ";" if ";" in line else ","
        out, at = [], start
        for piece in line.split(sep):
            out.append((at, at + len(piece)))
            at += len(piece) + 1
        words = [text[a:b].split() for a, b in out]
        if mail and sep == "," and len(out) % 2 == 0 and all(len(w) == 1 and "@" not in w[0] for w in words):
            out = [(out[i][0], out[i + 1][1]) for i in range(0, len(out), 2)]
        return out

    @staticmethod
    def _persons(text: str, entries: list) -> list:
        """(start, end) of the names among the entries: none unless they are half of the entries
        that are no address at least (and two, or one written "Surname, Given")."""
        names, others, pairs = [], 0, 0
        for a, b in entries:
            piece = text[a:b]
            pairs += "," in piece
            after = _AFTER_NAME.search(piece)
            cell = piece[:after.start()] if after else piece
            entry = cell.strip(" \t\r\"'*")
            if not entry or "@" in entry:
                continue
            span = listed_person(entry) if "<" not in entry and not any(c.isdigit() for c in entry) else None
            if span is None or any(w.lower() in POST_WORDS for w in entry.split()):   # "Country Director"
                others += 1
                continue
            s = a + piece.index(entry)
            names.append((s + span[0], s + span[1]))
        # (a "Surname, Given" pair is a person's name alone too)
        return names if (len(names) >= 2 or pairs and names) and len(names) >= others else []


def listed_persons_recognizer(language: str) -> Triggered:
    rec = ListedPersonsRecognizer(supported_entities=["PERSON"], name="dataguard-listed-persons",
                                  supported_language=language)
    # the trigger covers the label's line, however long, and the window the lines below it (a
    # list written one name a line: _BLOCK_LINES of 80 characters)
    # (no look-behind: Hyperscan, which finds the triggers, has none; 'à' has no ASCII word boundary;
    # the line's end anchored: Hyperscan reports one hit a line, not one at each character after the label)
    labels = LIST_LABELS.replace("|à|", "|")
    return Triggered(rec, regex=rf"(?im)(?:\b(?:{labels})|à)(?:\*\*)?[ \t]*:[^\n]*$", pad=80 * _BLOCK_LINES)


def password_hash_recognizer(language: str) -> Triggered:
    """Stored password hashes in text (a configuration file, a SQL dump, a log): forms that say
    what they are (bcrypt, argon2, PBKDF2, crypt, Django, Werkzeug, LDAP; ``filters.password_hash``).
    A bare hex digest is one only in a column named for passwords (``columns``)."""
    return Triggered(RegexRecognizer("dataguard-password-hash-text", ["PASSWORD_HASH"], [Rx(hashes_in_text(), 0.7)],
                                     language, context=["password", "passwd", "hash", "mot de passe", "contraseña"]),
                     regex=r"(?i)\$(?:2[abxy]?|argon2|1|5|6|apr1|md5|sha1|y|gy|7|pbkdf2)[$-]"
                           r"|(?:pbkdf2|bcrypt|scrypt|argon2|sha1|md5)[$_:]|\{(?:S?SHA|S?MD5|CRYPT|PBKDF2|ARGON2)")


# --------------------------------------------------------------------------- numbers after a phone key
# SMS gateways, call records and mobile-money logs write a number with its country code and no
# '+' ("to=8801840066421", "msisdn: 254712345678"): a region's matcher reads it as a national
# number and finds nothing unless the country is configured. After a key naming a phone, digits
# that are a valid number once read after a '+' are one. "to"/"from"/"sender"... name a phone
# only on a line about messages (else: accounts, ranges, ids).
_PHONE_KEYS = r"msisdn|mobile|phone|tel|telephone|cell|cellphone|gsm|caller|callee|calling|called|a_number|b_number"
_MESSAGE_KEYS = (r"to|from|sender|recipient|destination|dest|src|dst|originator|source_addr|destination_addr|"
                 r"dest_addr|src_addr|dst_addr")
# the key may have a prefix ("sender_msisdn", "customer.phone") and a suffix ("phone_no"); a
# full stop may end the sentence after the number
_KEYED_NUMBER = re.compile(
    rf"(?i)(?<![\w.-])(?:[a-z]+[_.-])?(?P<key>{_PHONE_KEYS}|{_MESSAGE_KEYS})(?:[_ -]?(?:no|nr|num|number))?[\"']?"
    rf"[ \t]*[=:][ \t]*[\"']?(?P<v>[1-9][0-9]{{9,14}})(?![\w-]|\.\d)")
_ABOUT_MESSAGES = re.compile(r"(?i)(?<![a-z])sms|sendsms|smsc|smpp|\b(?:submit|deliver)_sm\b|msisdn|ussd|whatsapp|"
                             r"m-?pesa|airtime|mobile money|text message|\bmsg\b|\bmessages?\b")
_MESSAGE_KEY = frozenset(_MESSAGE_KEYS.split("|"))


class KeyedNumberRecognizer(EntityRecognizer):
    """A phone number written with its country code and no '+' after a key that names a phone
    (``_KEYED_NUMBER``): valid in libphonenumber once read after a '+'."""

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: List[str], nlp_artifacts: Optional[NlpArtifacts] = None):
        import phonenumbers
        out, line_start, line_end, about_messages = [], 0, -1, False
        for m in _KEYED_NUMBER.finditer(text):
            if m.group("key").lower() in _MESSAGE_KEY:
                if m.start() > line_end:        # (matches come in order: each line is read once)
                    line_start = text.rfind("\n", max(0, line_end), m.start()) + 1
                    line_end = text.find("\n", m.end())
                    line_end = len(text) if line_end < 0 else line_end
                    about_messages = _ABOUT_MESSAGES.search(text, line_start, line_end) is not None
                if not about_messages:
                    continue
            try:
                valid = phonenumbers.is_valid_number(phonenumbers.parse("+" + m.group("v"), None))
            except phonenumbers.NumberParseException:
                valid = False
            if valid:
                out.append(RecognizerResult("PHONE_NUMBER", *m.span("v"), 0.6, recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}))
        return out


def keyed_number_recognizer(language: str) -> Triggered:
    rec = KeyedNumberRecognizer(supported_entities=["PHONE_NUMBER"], name="dataguard-keyed-phone-number",
                                supported_language=language)
    # (the window reaches the line's ends: "sms" may stand anywhere on it)
    return Triggered(rec, regex=rf"(?i)(?:{_PHONE_KEYS}|{_MESSAGE_KEYS})(?:[_ -]?(?:no|nr|num|number))?[\"']?"
                                rf"[ \t]*[=:][ \t]*[\"']?[1-9][0-9]{{9}}", pad=200)


OWN_RECOGNIZERS = (in_pan_recognizer, mrz_recognizer, private_key_recognizer, aws_recognizer, password_recognizer,
                   password_hash_recognizer,
                   token_recognizer, classification_recognizer, health_recognizer, mailbox_name_recognizer,
                   listed_persons_recognizer, keyed_number_recognizer)


# --------------------------------------------------------------------------- e-mail addresses
@functools.lru_cache(maxsize=1)
def _suffixes():
    """The public suffix list bundled with ``publicsuffixlist`` (never fetched): its ICANN part,
    as Presidio's e-mail check reads it (tldextract without private domains); no suffix for a
    TLD the list does not know. IDN rules are kept in Unicode (a punycode host is decoded
    first): building the punycode copy of every rule would triple the time to read the list."""
    from publicsuffixlist import PublicSuffixList
    return PublicSuffixList(accept_unknown=False, only_icann=True, accept_encoded_idn=False)


def _unicode_label(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    try:
        return label.encode("ascii").decode("idna")
    except UnicodeError:
        return label


@functools.lru_cache(maxsize=8192)
def _host_has_public_suffix(host: str) -> bool:
    """Presidio's check of an e-mail address's domain (tldextract's ``fqdn`` is not empty): the
    host ends with a public suffix and has a label before it ("un.org", "mail.gov.uk"; not
    "co.uk", "intranet.local", "10.0.0.1")."""
    host = host.lower()
    if "xn--" in host:
        host = ".".join(map(_unicode_label, host.split(".")))
    return _suffixes().privatesuffix(host) is not None


# the rest of a stretch without whitespace or '|' (``_at_stretches``): RFC 5322 allows '|' in an
# address, but in text it is the field separator of pipe-delimited exports and logs, never part of one
_STRETCH_REST = re.compile(r"[^\s|]*")


def _at_stretches(text: str) -> list:
    """(start, end) of each stretch of ``text`` without whitespace or '|' that holds an '@', found
    from each '@' (a regex searching for the stretches tried every position of the text: four
    times as long on the windows of e-mail addresses)."""
    out, end = [], 0
    at = text.find("@")
    while at != -1:
        start = at
        while start > end and not (text[start - 1].isspace() or text[start - 1] == "|"):
            start -= 1
        end = _STRETCH_REST.match(text, at).end()
        out.append((start, end))
        at = text.find("@", end)
    return out
# an address as Presidio's EmailRecognizer reads one (RFC 5322's dot-atom): a local part of
# atext characters, dots inside it only, then '@' and dot-separated labels of word characters
# with hyphens inside them
_ATEXT = r"!#$%&'*+\-/=?^_`{|}~\w"
EMAIL_PATTERN = rf"\b[{_ATEXT}](?:[{_ATEXT}.]*[{_ATEXT}])?@\w+(?:-+\w+)*(?:\.\w+(?:-+\w+)*)+\b"


@functools.lru_cache(maxsize=1)
def fast_email_class():
    """Presidio's EmailRecognizer (its pattern, ``EMAIL_PATTERN``, score and context word, tested
    against it); its domain check, tldextract on the whole address, is made on the part after
    '@' (what tldextract reads, unless a '#', '?' or '/' before the '@' makes it read the
    address as a URL: such an address is rejected by Presidio, kept here), once per host, with
    ``publicsuffixlist`` (Presidio's module imports tldextract, and with it an HTTP client:
    a tenth of a second at every start). Its pattern matches no whitespace and needs an '@':
    it is searched only in the stretches without whitespace or '|' (``_at_stretches``) that hold
    one (a stretch's edges are word boundaries, as the whitespace around it is). Its name is
    Presidio's, its class name is not: Presidio's registry (an AnalyzerEngine in the same
    process) finds predefined recognizers by class name among the subclasses of
    EntityRecognizer, and must not take dataguard's."""
    from presidio_analyzer import Pattern, PatternRecognizer

    class FastEmailRecognizer(PatternRecognizer):
        PATTERNS = [Pattern("Email (Medium)", EMAIL_PATTERN, 0.5)]
        CONTEXT = ["email"]

        def __init__(self, supported_language: str = "en", name: str = "EmailRecognizer"):
            super().__init__(supported_entity="EMAIL_ADDRESS", patterns=self.PATTERNS, context=list(self.CONTEXT),
                             supported_language=supported_language, name=name)

        def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
            """What Presidio's ``analyze`` gives on each stretch, without its per-call bookkeeping
            (``windows.patterns_on_windows``: the stretches are its windows)."""
            return patterns_on_windows(self, text, _at_stretches(text))

        def validate_result(self, pattern_text: str):
            return _host_has_public_suffix(pattern_text.rpartition("@")[2])

    return FastEmailRecognizer


# a dotted quad (with a prefix length) that ``ipaddress`` takes without a doubt: four numbers of
# 0-255 and a length of 0-32, none with a leading zero ("01.23.99.23" is refused: ambiguous octal)
_PLAIN_IPV4 = re.compile(r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
                         r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:/(?:3[0-2]|[12]?[0-9]))?")


@functools.lru_cache(maxsize=1)
def fast_ip_class():
    """Presidio's IpRecognizer (its patterns, name and context words), whose check of a match,
    ``ipaddress.ip_interface``, is made only on what is not a plain dotted quad (``_PLAIN_IPV4``,
    which it always takes): a log's addresses are nearly all such, and the check parses each
    twice. Its class name is not Presidio's (see ``fast_email_class``)."""
    from presidio_analyzer.predefined_recognizers import IpRecognizer

    class FastIpRecognizer(IpRecognizer):
        def __init__(self, supported_language: str = "en", name: str = "IpRecognizer"):
            super().__init__(supported_language=supported_language, name=name)

        def invalidate_result(self, pattern_text: str) -> bool:
            return _PLAIN_IPV4.fullmatch(pattern_text) is None and bool(super().invalidate_result(pattern_text))

    return FastIpRecognizer


# --------------------------------------------------------------------------- IBAN
# An IBAN as Presidio's IbanRecognizer finds it: country letters, check digits, two to six
# groups of four (each after an optional space or dash), then an optional group of four and an
# optional group of one to three; the longest of the three ends whose value is valid wins.
_IBAN_GROUP = r"[ -]?[A-Z0-9]"
_IBAN = re.compile(rf"(?<![A-Z0-9])([A-Z]{{2}}[0-9]{{2}}(?:{_IBAN_GROUP}{{4}}){{2,6}})"
                   rf"((?:{_IBAN_GROUP}{{4}})?)((?:{_IBAN_GROUP}{{1,3}})?)(?![A-Z0-9])")
# The same in small letters ("de89 3704 0044 0532 0130 00", which Presidio's engine reports: its
# check digits are the capitals'), not beside a letter of either case; a word of four small letters
# after it can pass for a group ("be68 5390 0754 7034 from"), so every group's end is tried.
_IBAN_SMALL = re.compile(r"(?<![A-Za-z0-9])[a-z]{2}[0-9]{2}(?:[ -]?[a-z0-9]{4}){2,7}(?:[ -]?[a-z0-9]{1,3})?"
                         r"(?![A-Za-z0-9])")
_SMALL_GROUP_END = re.compile(r"[ -]?[a-z0-9]{1,4}")
_IBAN_NUMBERS = {ord(c): str(i) for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


@functools.lru_cache(maxsize=8192)
def iban_valid(value: str) -> bool:
    """Presidio's IBAN check: the check digits the ISO 13616 computation gives, then the
    country's layout (at the start of the value); or, where Presidio's table of layouts is
    narrower than the IBAN registry (Jordan and Pakistan: digits only where the registry
    allows letters), the whole value valid by python-stdnum's copy of the registry."""
    iban = value.replace("-", "").replace(" ", "").upper()
    check = 98 - int((iban[4:] + iban[:2] + "00").translate(_IBAN_NUMBERS)) % 97
    if f"{check:02d}" != iban[2:4]:
        return False
    layout = iban_layout(iban[:2])
    if layout is not None and layout.match(iban) is not None:
        return True
    return VALIDATORS["iban"](iban)


_IBAN_REACH = 48        # past its start, an IBAN match ends within this (4 + 6 x 5 + 5 + 6 characters)


def _iban_regions(hits: list, size: int) -> list:
    """(start, end, where matches may start) of the text around the IBAN trigger's hits (sorted,
    merged): from a hit's start to ``_IBAN_REACH`` past its end; a match opens at a hit, or at
    its end: a hit holds the character before an IBAN, and Python's regexes find hits that do
    not overlap, so a hit ending where an IBAN opens ("... abcd wxyzGB82 WEST ...") takes the
    character the IBAN's own hit would have begun with."""
    out: list = []
    for s, e in hits:
        end = min(size, e + _IBAN_REACH)
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end), e + 1)
        else:
            out.append((s, end, e + 1))
    return out


class FastIbanRecognizer(EntityRecognizer):
    """Presidio's IbanRecognizer, same matches, score, context words and name, without importing
    Presidio's NLP engine (and with it spaCy), which its module does (its class name is not
    Presidio's, for the reason given in ``fast_email_class``); and the IBANs its table of
    layouts refuses but the registry allows (``iban_valid``). Given its trigger's hits (a country
    code, check digits and two groups: an IBAN's start), it reads only the text from each on."""

    CONTEXT = ["iban", "bank", "transaction"]
    READS_HITS = True

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_entities=["IBAN_CODE"], name="IbanRecognizer",
                         supported_language=supported_language, context=list(self.CONTEXT))

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: List[str], nlp_artifacts: Optional[NlpArtifacts] = None,
                hits: Optional[list] = None):
        regions = [(0, len(text), len(text))] if hits is None else _iban_regions(hits, len(text))
        return [r for s, e, last in regions for r in self._found(text, s, e, last)]

    def _found(self, text: str, s: int, e: int, last: int) -> list:
        """The valid IBANs of text[s:e] opening before ``last`` (later ones may run past ``e``)."""
        found = []
        for m in _IBAN.finditer(text, s, e):
            if m.start() >= last:
                break
            found.append((m.start(), (m.end(3), m.end(2), m.end(1))))
        for m in _IBAN_SMALL.finditer(text, s, e):
            if m.start() >= last:
                break
            ends = [m.start() + g.end() for g in _SMALL_GROUP_END.finditer(m.group(), 4)]
            found.append((m.start(), reversed(ends[1:])))        # (two groups at least)
        out = []
        for start, ends in sorted(found, key=lambda f: f[0]):
            for end in ends:
                if iban_valid(text[start:end]):
                    out.append(RecognizerResult("IBAN_CODE", start, end, EntityRecognizer.MAX_SCORE,
                                                recognition_metadata={
                                                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}))
                    break
        return out
