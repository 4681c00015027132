"""Phone numbers: Presidio's PhoneRecognizer (libphonenumber), asked only where a cheap
gate says a run of digits can be a valid number, and only for the regions it names."""
from __future__ import annotations

import re
from typing import Sequence

from dataguard.detect.windows import Triggered

_LEAD = re.compile(r"[+(][ (]?$")      # what libphonenumber takes as the start of a number before the digits
_IPV4 = re.compile(r"(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}")


class PhoneGate:
    """A cheap necessary condition for libphonenumber to find a valid number in a run of digits.

    The matcher (Leniency.VALID) tries a candidate, then its "inner matches" (the part
    before a separator, the part after a slash or bracket, a single token between spaces
    or dots, ...), and accepts one only if it parses to a valid number: its national
    significant number matches the general pattern and the pattern of some number type
    (fixed line, mobile, toll free, ...) of a region with its country code. The gate
    takes the same candidates (with libphonenumber's own inner-match patterns) and
    checks that condition for each reading: international after ``+`` or the region's
    international prefix, otherwise national in each configured region (as written,
    after the national prefix, after the region's own country code). Only the regions
    where some reading fits are asked; a run where none fits is not given to the
    matcher at all. Regions whose parsing rewrites digits (a national-prefix transform
    rule) always pass. ``tests/test_triggers.py`` checks that the gate never hides a
    number the matcher finds.
    """

    MAX_DIGITS = 20
    _TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
              "fixed_line", "mobile")

    def __init__(self, regions: Sequence[str]):
        from phonenumbers import COUNTRY_CODE_TO_REGION_CODE
        try:
            from phonenumbers.phonenumbermatcher import _INNER_MATCHES
            self._inner = list(_INNER_MATCHES)
        except ImportError:       # another libphonenumber port: every cut at a separator
            self._inner = [re.compile(r"[^\d+]+(.+)"), re.compile(r"(?<=\d)[^\d]+(\d[\d\s]*)")]
        self._cc_regions = COUNTRY_CODE_TO_REGION_CODE
        self._cc_cache: dict = {}
        self.regions = []        # (region, always, cc, national_prefix_rx, idd_rx)
        for region in regions:
            info = None
            from phonenumbers import PhoneMetadata
            md = PhoneMetadata.metadata_for_region(region)
            if md is None:
                self.regions.append((region, True, "", None, None))
                continue
            info = self._cc_info(md.country_code)
            idd = re.compile(md.international_prefix) if md.international_prefix else None
            self.regions.append((region, info[0], str(md.country_code), info[1], idd))

    @staticmethod
    def _desc(desc):
        if desc is None or not desc.national_number_pattern:
            return None
        return frozenset(desc.possible_length or ()), re.compile(desc.national_number_pattern)

    def _cc_info(self, cc: int):
        """(always, national_prefix_rx, descs) of a country calling code; descs lists
        (general, [types]) of each region (or non-geographic entity) sharing it."""
        info = self._cc_cache.get(cc)
        if info is not None:
            return info
        from phonenumbers import PhoneMetadata
        names = self._cc_regions.get(cc, ())
        mds = [PhoneMetadata.metadata_for_nongeo_region(cc) if r == "001" else PhoneMetadata.metadata_for_region(r)
               for r in names]
        mds = [m for m in mds if m is not None]
        main = mds[0] if mds else None
        always = main is None or bool(main.national_prefix_transform_rule)
        npfp = re.compile(main.national_prefix_for_parsing) if main is not None and main.national_prefix_for_parsing else None
        descs = []
        for m in mds:
            general = self._desc(m.general_desc)
            types = [d for d in (self._desc(getattr(m, t, None)) for t in self._TYPES) if d] if general else []
            if general and types:
                descs.append((general, types))      # otherwise it validates nothing
        info = self._cc_cache[cc] = (always, npfp, descs)
        return info

    @staticmethod
    def _fits(nsn: str, descs) -> bool:
        """libphonenumber's validity test for a national significant number."""
        n = len(nsn)
        for (lengths, pattern), types in descs:
            if (not lengths or n in lengths) and pattern.fullmatch(nsn):
                if any((not tl or n in tl) and tp.fullmatch(nsn) for tl, tp in types):
                    return True
        return False

    def _readings_fit(self, digits: str, npfp, descs, cc: str = "") -> bool:
        readings = [digits]
        m = npfp.match(digits) if npfp is not None else None
        if m and m.end():
            readings.append(digits[m.end():])
        if cc and digits.startswith(cc):
            rest = digits[len(cc):]
            readings.append(rest)
            m = npfp.match(rest) if npfp is not None else None
            if m and m.end():
                readings.append(rest[m.end():])
        return any(r and self._fits(r, descs) for r in readings)

    def _international(self, digits: str) -> bool:
        for k in (1, 2, 3):
            if int(digits[:k] or 0) in self._cc_regions:
                always, npfp, descs = self._cc_info(int(digits[:k]))
                return always or self._readings_fit(digits[k:], npfp, descs)
        return False

    def candidates(self, run: str) -> list:
        """The run and its inner matches, as libphonenumber cuts them (with leading '+' kept)."""
        out = {run}
        for rx in self._inner:
            m = rx.search(run)
            if m is None:
                continue
            out.add(run[:m.start()])
            while m is not None:
                out.add(m.group(1))
                m = rx.search(run, m.start() + 1)
        return [c for c in out if c]

    def regions_for(self, run: str) -> list:
        """The configured regions in which the run (digits and separators, with a '+' or '('
        in front if the text has one) or one of its inner matches could be a valid number."""
        readings = []
        for c in self.candidates(run):
            digits = re.sub(r"\D", "", c)
            if 2 <= len(digits) <= self.MAX_DIGITS:
                readings.append((c.lstrip("([ ").startswith("+"), digits, c))
        out = []
        for plus, d, c in readings:
            if plus and self._international(d):
                if self.regions and not out:
                    out.append(self.regions[0][0])     # an international number: any region parses it
                if c != run:
                    # an international number inside a longer run: which cut the matcher tries
                    # first depends on the region, and it goes on after the number: ask them all
                    return [r[0] for r in self.regions]
        readings = [(plus, d) for plus, d, _ in readings]
        national = [d for plus, d in readings if not plus]
        for region, always, cc, npfp, idd in self.regions:
            if region in out:
                continue
            if always:
                out.append(region)
                continue
            descs = self._cc_info(int(cc))[2]
            for d in national:
                m = idd.match(d) if idd is not None else None
                if (m and m.end() and self._international(d[m.end():])) or self._readings_fit(d, npfp, descs, cc):
                    out.append(region)
                    break
        return out


def fast_phone_recognizer(language: str, regions: Sequence[str], trigger: "re.Pattern") -> Triggered:
    """Presidio's PhoneRecognizer (libphonenumber, same score, context words and leniency),
    asked only about small windows around digit runs that ``PhoneGate`` lets through, and
    only for the regions the gate names; an IPv4 address is left to the IP recognizer."""
    import phonenumbers
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer
    gate = PhoneGate(regions)

    class FastPhoneRecognizer(PhoneRecognizer):
        def analyze(self, text, entities, nlp_artifacts=None, hits=None):
            n = len(text)
            if hits is None:
                hits = [m.span() for m in trigger.finditer(text)]
            windows = []          # [start, end, {regions}, [hit spans]]
            for hs, he in hits:
                if he - hs > 60:
                    continue      # a run of numbers (table, OID, digit dump), not a phone number
                run = text[hs:he]
                if _IPV4.fullmatch(run):
                    continue
                lead = _LEAD.search(text, max(0, hs - 3), hs)
                wanted = gate.regions_for(lead.group() + run if lead else run)
                if not wanted:
                    continue
                s, e = max(0, hs - 4), min(n, he + 12)
                if windows and s <= windows[-1][1]:
                    windows[-1][1] = max(windows[-1][1], e)
                    windows[-1][2].update(wanted)
                    windows[-1][3].append((hs, he))
                else:
                    windows.append([s, e, set(wanted), [(hs, he)]])
            results, seen = [], set()
            for s, e, wanted, runs in windows:
                window = text[s:e]
                found = []
                for region in [r for r in self.supported_regions if r in wanted]:
                    for pm in phonenumbers.PhoneNumberMatcher(window, region, leniency=self.leniency):
                        span = (s + pm.start, s + pm.end)
                        if span not in seen:
                            seen.add(span)
                            found.append(span)
                            results.append(self._get_recognizer_result(_Span(*span), text, region, nlp_artifacts))
                    if all(any(fs < he and hs < fe for fs, fe in found) for hs, he in runs):
                        break     # every digit run of the window is a number: no other region asked
            return results

    return Triggered(FastPhoneRecognizer(supported_language=language, supported_regions=list(regions),
                                         name="PhoneRecognizer", context=PHONE_CONTEXT), self_windowed=True)


# Presidio's phone context words, and the labels of forms and signatures in English and French
PHONE_CONTEXT = ["phone", "number", "telephone", "cell", "cellphone", "mobile", "call", "tel", "tél", "téléphone",
                 "telefon", "telefono", "teléfono", "mob", "fax", "whatsapp", "signal", "portable", "gsm", "cel",
                 "celular", "contact", "hotline", "ph", "numéro", "appeler", "joindre"]


class _Span:
    __slots__ = ("start", "end")

    def __init__(self, start: int, end: int):
        self.start, self.end = start, end
