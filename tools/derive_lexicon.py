#!/usr/bin/env python3
"""Derive lexicon entries from the training part of labelled sentiment sets.

  tools/derive_lexicon.py --lang fr|en [options] SET.tsv... > lexicons/LANG-derived.txt

Each SET.tsv holds label<TAB>text lines (label pos, neg or neu). Only the
TRAINING part of each set is read: a line is training when the FNV-1a 64
hash of its text (the bytes after the first TAB, line end removed) is
below 70 modulo 100 -- the same split `vigie eval sentiment --part` uses,
so figures on `--part held` are on items this tool never saw.

For every word (lower-cased, accents kept, split on anything that is not
a letter, so elisions such as l' and qu' fall off) the tool counts the
pos and neg training texts that contain it, across all given sets, and
computes the log-odds ratio of pos vs neg with add-ALPHA smoothing,
normalised by the class sizes. The valence is that ratio shrunk toward 0
by n / (n + SHRINK) (n = texts containing the word), scaled by SCALE and
capped at +-CAP. A word is kept when it occurs in at least MIN_COUNT
training texts, its shrunk ratio is at least MIN_LOGODDS in magnitude,
it has at least 3 letters, and it is not already in the hand-written
lexicons or rules (those always win; derived words only add coverage).
Output is sorted, with a header that says how to rebuild it. Standard
library only; deterministic.
"""
import argparse
import math
import os
import re
import sys
import unicodedata

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# English contractions: "doesn't" is the engine's negation, not a word.
CONTRACTION = re.compile(r"[^\W\d_]+n['\u2019]t\b", re.UNICODE | re.IGNORECASE)
# Links and handles carry no opinion.
NOISE = re.compile(r"https?://\S+|@\w+|#", re.UNICODE)
# Function words: their skew in a sample is an accident of the sample.
STOP = {
    'fr': set('''le la les un une des du de au aux et ou où que qui quoi dont ce cet
        cette ces mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs je
        tu il elle on nous vous ils elles me te se lui eux en y dans sur sous par pour
        avec chez vers entre est sont été être était avait avoir ont a ai as avons
        avez fait faire cela ceci ça quand comme alors donc car puis aussi encore
        déjà tout tous toute toutes autre autres même mêmes chaque quel quelle
        quels quelles ici là http https user www com'''.split()),
    'en': set('''the a an and or of to in on at for from by with about as is are was
        were be been being have has had do does did this that these those it its
        he she they them his her their we our you your i me my mine what which who
        whom whose why how when where there here then than so if because while
        might may can could would should will shall just also only very there
        instead http https user www com amp'''.split()),
}
TRAIN_PERCENT = 70


def fnv1a64(data):
    h = 1469598103934665603
    for b in data:
        h ^= b
        h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def fold(w):
    """The engine's lookup form for plain words: lower case, no accents."""
    d = unicodedata.normalize('NFKD', w.lower())
    d = d.replace('\u0153', 'oe').replace('\u00e6', 'ae')
    return ''.join(c for c in d if not unicodedata.combining(c))


def known_words(lexdir, lang):
    """Folded single words of the hand-written lexicon and rules files."""
    known = set()
    for name in (lang + '.txt', lang + '-rules.txt', 'emoji.txt'):
        path = os.path.join(lexdir, name)
        if not os.path.exists(path):
            continue
        for line in open(path, encoding='utf-8'):
            if not line.strip() or line.startswith('#') or line.startswith('['):
                continue
            phrase = line.split('\t', 1)[0]
            # Every word of a rule phrase is a function word; single words
            # of the valence lexicon are known entries.
            words = WORD.findall(phrase)
            if name.endswith('-rules.txt') or len(words) == 1:
                known.update(fold(w) for w in words)
    return known


def training_lines(path, percent=TRAIN_PERCENT):
    with open(path, 'rb') as f:
        for raw in f:
            raw = raw.rstrip(b'\r\n')
            if not raw.strip():
                continue
            label, sep, text = raw.partition(b'\t')
            if fnv1a64(text) % 100 >= percent:
                continue
            yield label.decode('ascii', 'replace'), text.decode('utf-8', 'replace')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    ap.add_argument('--lang', required=True, choices=('fr', 'en'))
    ap.add_argument('--lexdir', default=os.path.join(os.path.dirname(__file__), '..', 'lexicons'))
    ap.add_argument('--min-count', type=int, default=4)
    ap.add_argument('--alpha', type=float, default=1.0)
    ap.add_argument('--shrink', type=float, default=10.0)
    ap.add_argument('--scale', type=float, default=0.12)
    ap.add_argument('--cap', type=float, default=0.18)
    ap.add_argument('--min-logodds', type=float, default=0.3)
    # Validation only: derive from a smaller share of the training part
    # (hash below PERCENT) and measure on the rest of it, so parameters are
    # chosen without looking at the held-out 30%. Never for the shipped files.
    ap.add_argument('--train-percent', type=int, default=TRAIN_PERCENT)
    ap.add_argument('sets', nargs='+')
    a = ap.parse_args()

    known = known_words(a.lexdir, a.lang) | {fold(w) for w in STOP[a.lang]}
    npos = nneg = 0
    pos, neg = {}, {}
    # Words written with a capital inside a sentence in most of their uses
    # are names (people, places, products): never opinion words.
    caps, seen = {}, {}
    for path in a.sets:
        for label, text in training_lines(path, min(a.train_percent, TRAIN_PERCENT)):
            if label not in ('pos', 'neg'):
                continue
            text = CONTRACTION.sub(' ', NOISE.sub(' ', text))
            for m in WORD.finditer(text):
                w = m.group(0)
                lw = w.lower()
                seen[lw] = seen.get(lw, 0) + 1
                start = text[:m.start()].rstrip()
                if w[0].isupper() and start and start[-1] not in '.!?:"':
                    caps[lw] = caps.get(lw, 0) + 1
            words = set(w.lower() for w in WORD.findall(text))
            if label == 'pos':
                npos += 1
                for w in words:
                    pos[w] = pos.get(w, 0) + 1
            else:
                nneg += 1
                for w in words:
                    neg[w] = neg.get(w, 0) + 1
    if not npos or not nneg:
        sys.exit('derive_lexicon: need pos and neg training items')

    # Accented spellings of one folded word are merged under the most
    # frequent spelling, so the engine gets one entry per key.
    merged = {}
    for w in set(pos) | set(neg):
        if caps.get(w, 0) * 2 > seen.get(w, 1):
            continue
        k = fold(w)
        p, n = pos.get(w, 0), neg.get(w, 0)
        m = merged.setdefault(k, [w, 0, 0, 0])
        # Ties go to the smallest spelling: set order must not decide.
        if p + n > m[3] or (p + n == m[3] and w < m[0]):
            m[0], m[3] = w, p + n
        m[1] += p
        m[2] += n

    out = []
    for k, (w, p, n, _) in merged.items():
        total = p + n
        if (total < a.min_count or len(k) < 3 or k in known or
                fold(w) in known or not k.isalpha()):
            continue
        lo = (math.log((p + a.alpha) / (npos + a.alpha)) -
              math.log((n + a.alpha) / (nneg + a.alpha)))
        lo *= total / (total + a.shrink)
        if abs(lo) < a.min_logodds:
            continue
        v = max(-a.cap, min(a.cap, a.scale * lo))
        out.append((w, v, p, n))
    out.sort()

    cmd = ('tools/derive_lexicon.py --lang %s --min-count %d --alpha %g --shrink %g '
           '--scale %g --cap %g --min-logodds %g %s > lexicons/%s-derived.txt' %
           (a.lang, a.min_count, a.alpha, a.shrink, a.scale, a.cap, a.min_logodds,
            ('--train-percent %d ' % a.train_percent
             if a.train_percent != TRAIN_PERCENT else '') +
            ' '.join('$DATA/' + os.path.join(os.path.basename(os.path.dirname(p)),
                                             os.path.basename(p)) for p in a.sets),
            a.lang))
    print('# vigie %s derived lexicon: word<TAB>valence. GENERATED, do not edit.' % a.lang)
    print('# Produced by tools/derive_lexicon.py from the TRAINING part (70% by')
    print('# FNV-1a hash of the text) of labelled development sets: smoothed,')
    print('# shrunk log-odds of pos vs neg, words absent from the hand-written')
    print('# lexicons only (%d pos and %d neg training texts). See docs/lexicons.md.' % (npos, nneg))
    print('# Rebuild (DATA=../shared/data/sentiment):')
    print('#   ' + cmd)
    for w, v, p, n in out:
        print('%s\t%+.2f' % (w, v))


if __name__ == '__main__':
    main()
