"""Language identification candidates on field-office text: accuracy and speed.

    python benchmarks/bench_langdetect.py [--repeat 200]

Each candidate is restricted to the four languages dataguard tells apart (English, French,
Spanish, Arabic) where it allows it, and judged on samples of the size the detector looks
at (the first 1,000 characters of a chunk) and on short snippets (one line).
"""
from __future__ import annotations

import argparse
import time

SAMPLES = {
    "en": ["Minutes of the protection working group. The client Fatima explained that her family arrived "
           "last month and needs shelter. Case number 123-24C00017 was opened; her passport number is "
           "C03005988 and she can be reached on +254 712 345 678. Follow-up visit planned next week.",
           "Payment note: salary advance for staff member index 123456, bank account with the local branch."],
    "fr": ["Compte rendu de la réunion de coordination. La bénéficiaire Aminata a expliqué que sa famille "
           "est arrivée le mois dernier et a besoin d'un abri. Le numéro de dossier 123-24C00017 a été "
           "ouvert ; son passeport n° C03005988, téléphone +223 76 12 34 56. Visite de suivi prévue.",
           "Note de paiement : avance sur salaire du fonctionnaire, compte bancaire à l'agence locale."],
    "es": ["Acta de la reunión del grupo de protección. El beneficiario Juan explicó que su familia llegó "
           "el mes pasado y necesita alojamiento. Se abrió el expediente 123-24C00017; su pasaporte número "
           "C03005988, teléfono +57 301 234 5678. Visita de seguimiento prevista la próxima semana.",
           "Nota de pago: anticipo de sueldo del funcionario, cuenta bancaria en la sucursal local."],
    "ar": ["محضر اجتماع فريق الحماية. أوضحت المستفيدة فاطمة أن عائلتها وصلت الشهر الماضي وتحتاج إلى مأوى. "
           "تم فتح ملف رقم 123-24C00017؛ رقم جواز السفر C03005988، الهاتف +962 79 123 4567. "
           "زيارة متابعة مقررة الأسبوع المقبل.",
           "ملاحظة دفع: سلفة على راتب الموظف، الحساب المصرفي في الفرع المحلي."],
}


def _lingua():
    from lingua import Language, LanguageDetectorBuilder
    codes = {Language.ENGLISH: "en", Language.FRENCH: "fr", Language.SPANISH: "es", Language.ARABIC: "ar"}
    det = LanguageDetectorBuilder.from_languages(*codes).with_preloaded_language_models().build()

    def detect(text):
        lang = det.detect_language_of(text)
        return codes.get(lang, "?")
    return detect


def _py3langid():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    ident = LanguageIdentifier.from_model_file(MODEL_FILE)
    ident.set_languages(["en", "fr", "es", "ar"])
    return lambda text: ident.classify(text)[0]


def _pycld2():
    import pycld2

    def detect(text):
        _, _, details = pycld2.detect(text, bestEffort=True)
        return details[0][1]
    return detect


CANDIDATES = {"lingua-language-detector": _lingua, "py3langid": _py3langid, "pycld2": _pycld2}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()
    texts = [(lang, t[:1000]) for lang, ts in SAMPLES.items() for t in ts]
    texts += [(lang, t.split(". ")[0]) for lang, ts in SAMPLES.items() for t in ts]
    print(f"{'candidate':<26} {'load ms':>8} {'right':>7} {'us/sample':>10}")
    for name, make in CANDIDATES.items():
        t0 = time.perf_counter()
        try:
            detect = make()
        except ImportError:     # a candidate compared when one was chosen, not a dependency
            print(f"{name:<26} not installed (pip install {name})")
            continue
        detect("warm up")
        load = (time.perf_counter() - t0) * 1000
        right = sum(detect(t) == lang for lang, t in texts)
        t0 = time.perf_counter()
        for _ in range(args.repeat):
            for _, t in texts:
                detect(t)
        per = (time.perf_counter() - t0) / (args.repeat * len(texts)) * 1e6
        print(f"{name:<26} {load:8.0f} {right:>3}/{len(texts):<3} {per:10.1f}")


if __name__ == "__main__":
    main()
