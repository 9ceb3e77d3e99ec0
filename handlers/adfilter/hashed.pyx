# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The classifier's features as 64-bit hashes, the model's weights in a table keyed by them, and
Fisher's combination of the weights found: the scoring half of `tokens` and `model`, compiled.

Why compiled: reading a message's features made a Python string of every character pair, word,
word pair and stem (15 µs a message), and looking each up in a dict of 150,000 strings and
combining them cost 10 µs more, half of `classify`. Here the features of a message are hashed
as the text is walked, with no string made, and looked up in a flat open-addressing table.
`tokenize` (learning, the model's JSON state) still gives the strings: the same walk with
`strings=True`, so the two cannot drift apart. A feature's hash is FNV-1a over its code points,
so a word pair's hash continues from its first word's, a stem's from the word's fifth letter.

Two distinct features sharing a 64-bit hash would read each other's weight; building a table
raises on such a collision among its own features, and a message's unknown feature meets one
by chance about once in 10^14 lookups.
"""

from cpython.unicode cimport (
    Py_UNICODE_ISALNUM,
    Py_UNICODE_ISDECIMAL,
    Py_UNICODE_ISSPACE,
    PyUnicode_4BYTE_KIND,
    PyUnicode_FromKindAndData,
)
from libc.math cimport erfc, exp, hypot, pow, sqrt
from libc.stdint cimport uint64_t
from libc.stdlib cimport calloc, free, malloc, qsort

cdef uint64_t _OFFSET = 14695981039346656037ULL  # FNV-1a 64
cdef uint64_t _PRIME = 1099511628211ULL
cdef uint64_t _GOLDEN = 11400714819323198485ULL  # Fibonacci hashing spreads FNV's low bits
cdef Py_UCS4 _CJK_FIRST = 0x3400  # tokens: CJK characters become character pairs
cdef Py_UCS4 _CJK_LAST = 0x9fff
cdef Py_ssize_t _STEM = 5  # crude stemming: inflected Russian/English words share their first letters
cdef Py_ssize_t _NUMBERS = 12  # "#1".."#12": the number's length, 12 standing for longer

# Up to this many features per half the exact sum is a short loop. Past it the Wilson-Hilferty
# approximation ((X/k)^(1/3) is nearly normal) stays within 4e-4 of the exact tail, far below
# the 0.05 steps the thresholds were chosen on, and costs one erfc (0.4 µs) where the exact sum
# cost a loop step per feature (4.5 µs for 60 features). Over the starter corpus scores moved
# by at most 0.0003, and `classify` ran 10% faster.
cdef int _EXACT_MAX_HALF = 16
# Only a message's most telling features are combined (SpamBayes' "max_discriminators"): in a
# long message dozens of weak, everyday character pairs outvoted the few that make it an ad
# ("...分享给朋友还能赚提成", a story ending in a pitch). 5-fold cross-validation inside the
# starter train split: 1,049 -> 942 missed ads for 133 -> 140 false alarms, where lowering the
# classifier threshold to 0.88 instead gives 993 for 147; tg-spam unchanged (4 and 4). Fewer
# (20, 15) cost tg-spam recall; more (30, 40) gave back most of the gain.
MAX_FEATURES = 25
cdef Py_ssize_t _MAX_FEATURES = MAX_FEATURES
# Ties at the cut are all kept: f and 1 - f are equally strong, and a cut between them would
# favour whichever a rounding error made a hair stronger. This covers such rounding errors.
cdef double _TIE = 1e-9


cdef inline uint64_t _step(uint64_t h, Py_UCS4 c) noexcept nogil:
    return (h ^ <uint64_t>c) * _PRIME


cdef inline uint64_t _key(uint64_t h) noexcept nogil:
    return h if h else 1  # 0 marks an empty slot


cdef inline bint _cjk(Py_UCS4 c) noexcept nogil:
    return _CJK_FIRST <= c <= _CJK_LAST


cdef inline bint _letter(Py_UCS4 c) noexcept:
    # What `[^\W\d_\u3400-\u9fff]` matches: re's \w is isalnum() or "_", its \d isdecimal().
    return not _cjk(c) and c != 95 and Py_UNICODE_ISALNUM(c) and not Py_UNICODE_ISDECIMAL(c)


cpdef uint64_t feature_hash(str feature):
    """The hash a feature is stored and looked up under."""
    cdef uint64_t h = _OFFSET
    cdef Py_UCS4 c
    for c in feature:
        h = _step(h, c)
    return _key(h)


cdef list _NUMBER = [f"#{n}" for n in range(_NUMBERS + 1)]
cdef uint64_t _NUMBER_KEYS[13]
for _n in range(_NUMBERS + 1):
    _NUMBER_KEYS[_n] = feature_hash(_NUMBER[_n])
cdef str _AT = "__at__"
cdef uint64_t _AT_KEY = feature_hash(_AT)
cdef str _MONEY = "__money__"
cdef uint64_t _MONEY_KEY = feature_hash(_MONEY)


cdef class Features:
    """A message's features as a set of hashes (presence, not counts): `tokens.hashed`."""

    cdef uint64_t* _slots  # open addressing, 0 = empty, at most half full
    cdef uint64_t* _keys  # the same hashes in the order they came, to walk them
    cdef Py_ssize_t _n
    cdef Py_ssize_t _cap
    cdef int _shift

    def __cinit__(self, Py_ssize_t expected=8):
        cdef int bits = 4
        while (<Py_ssize_t>1 << bits) < 2 * expected + 2:
            bits += 1
        self._alloc(bits)

    cdef int _alloc(self, int bits) except -1:
        self._cap = <Py_ssize_t>1 << bits
        self._shift = 64 - bits
        self._n = 0
        self._slots = <uint64_t*>calloc(self._cap, sizeof(uint64_t))
        self._keys = <uint64_t*>malloc((self._cap // 2 + 1) * sizeof(uint64_t))
        if self._slots is NULL or self._keys is NULL:
            raise MemoryError()
        return 0

    def __dealloc__(self):
        free(self._slots)
        free(self._keys)

    cdef int _put(self, uint64_t key) except -1:
        cdef Py_ssize_t i, mask = self._cap - 1
        cdef uint64_t k
        if 2 * (self._n + 1) > self._cap:
            self._grow()
            mask = self._cap - 1
        i = <Py_ssize_t>((key * _GOLDEN) >> self._shift)
        while True:
            k = self._slots[i]
            if k == key:
                return 0
            if k == 0:
                self._slots[i] = key
                self._keys[self._n] = key
                self._n += 1
                return 0
            i = (i + 1) & mask

    cdef int _grow(self) except -1:
        cdef uint64_t* old_slots = self._slots
        cdef uint64_t* old_keys = self._keys
        cdef Py_ssize_t i, n = self._n
        self._alloc(64 - self._shift + 1)
        try:
            for i in range(n):
                self._put(old_keys[i])
        finally:
            free(old_slots)
            free(old_keys)
        return 0

    cdef bint _has(self, uint64_t key) noexcept:
        cdef Py_ssize_t i = <Py_ssize_t>((key * _GOLDEN) >> self._shift)
        cdef Py_ssize_t mask = self._cap - 1
        cdef uint64_t k
        while True:
            k = self._slots[i]
            if k == key:
                return True
            if k == 0:
                return False
            i = (i + 1) & mask

    @staticmethod
    def of(features) -> Features:
        """The hashed form of an iterable of feature strings."""
        cdef Features out = Features()
        cdef str feature
        for feature in features:
            out._put(feature_hash(feature))
        return out

    def add(self, str feature) -> None:
        self._put(feature_hash(feature))

    def without(self, features) -> Features:
        """A copy without `features` (strings)."""
        cdef Features gone = Features.of(features)
        cdef Features out = Features(self._n)
        cdef Py_ssize_t i
        for i in range(self._n):
            if not gone._has(self._keys[i]):
                out._put(self._keys[i])
        return out

    def hashes(self) -> frozenset:
        return frozenset([self._keys[i] for i in range(self._n)])

    def __len__(self) -> int:
        return self._n

    def __contains__(self, str feature) -> bool:
        return self._has(feature_hash(feature))


cdef inline int _emit(Features out, set strings, uint64_t h, str feature) except -1:
    if strings is None:
        out._put(_key(h))
    else:
        strings.add(feature)
    return 0


def scan(str text, list extras, money, bint strings=False):
    """The features of `text` (a message's normalised text, links taken out: see
    `tokens.tokenize`): character pairs of each CJK run (the character itself for a run of one),
    words, pairs of neighbouring words, stems of words longer than the stem, number shapes
    ("#3"), "__at__" and "__money__" (when `money(text)` finds an amount); then `extras`.
    A `Features` of their hashes, or the set of the strings themselves when `strings`."""
    cdef Py_ssize_t n = len(text), i = 0, j, s, prev_start = -1, prev_end = -1
    cdef Py_UCS4 c
    cdef uint64_t h, stem = 0, prev = 0, pair
    cdef bint digits = False, at = False
    cdef Features out = None
    cdef set found = None
    cdef str feature
    if strings:
        found = set()
    else:
        out = Features(n + len(extras))
    while i < n:
        c = text[i]
        if _cjk(c):
            s = i
            i += 1
            while i < n and _cjk(text[i]):
                i += 1
            if i - s == 1:
                _emit(out, found, _step(_OFFSET, c), None if found is None else text[s])
            else:
                for j in range(s, i - 1):
                    _emit(out, found, _step(_step(_OFFSET, text[j]), text[j + 1]),
                          None if found is None else text[j:j + 2])
        elif Py_UNICODE_ISDECIMAL(c):
            s = i
            i += 1
            while i < n and Py_UNICODE_ISDECIMAL(text[i]):
                i += 1
            digits = True
            j = min(i - s, _NUMBERS)
            if found is None:
                out._put(_NUMBER_KEYS[j])
            else:
                found.add(_NUMBER[j])
        elif _letter(c):
            s = i
            h = _OFFSET
            while i < n:
                c = text[i]
                if not _letter(c):
                    break
                h = _step(h, c)
                i += 1
                if i - s == _STEM:
                    stem = h
            _emit(out, found, h, None if found is None else text[s:i])
            if i - s > _STEM + 1:
                _emit(out, found, _step(stem, 126),  # "~"
                      None if found is None else text[s:s + _STEM] + "~")
            if prev_start >= 0:
                pair = _step(prev, 32)  # " "
                for j in range(s, i):
                    pair = _step(pair, text[j])
                _emit(out, found, pair, None if found is None
                      else text[prev_start:prev_end] + " " + text[s:i])
            prev, prev_start, prev_end = h, s, i
        else:
            if c == 64:  # "@"
                at = True
            i += 1
    if at:
        _emit(out, found, _AT_KEY, _AT)
    if digits and money(text):
        _emit(out, found, _MONEY_KEY, _MONEY)
    for feature in extras:
        _emit(out, found, feature_hash(feature), feature)
    return out if found is None else found


cdef int _push(Features out, set strings, Py_UCS4* last, Py_ssize_t seen, Py_UCS4 c) except -1:
    # The padded text's next character `c`, after `seen` of them (the last three in `last`,
    # the newest last): the 2-gram and 3-gram it ends.
    last[0], last[1], last[2] = last[1], last[2], c
    if strings is None:
        out._put(_key(_step(_step(_OFFSET, last[1]), c)))
        if seen >= 2:
            out._put(_key(_step(_step(_step(_OFFSET, last[0]), last[1]), c)))
    else:
        strings.add(PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, &last[1], 2))
        if seen >= 2:
            strings.add(PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, last, 3))
    return 0


def grams(str text, bint strings=False):
    """The wording model's features of `text` (`wording.grams`): the character 2- and 3-grams
    of " " + " ".join(text.split()) + " ", and the words (runs of \\w) of `text`. A `Features`
    of their hashes, or the set of the strings themselves when `strings`."""
    cdef Py_ssize_t n = len(text), i, s = -1, seen = 1  # the padded text opens with a space
    cdef Py_UCS4 c
    cdef Py_UCS4 last[3]
    cdef bint gap = False
    cdef uint64_t word = _OFFSET
    cdef Features out = None
    cdef set found = None
    if strings:
        found = set()
    else:
        out = Features(3 * n + 4)
    last[2] = 32
    for i in range(n):
        c = text[i]
        if Py_UNICODE_ISSPACE(c):
            gap = seen > 1  # str.split() drops leading and trailing spaces
            continue
        if gap:
            _push(out, found, last, seen, 32)
            seen += 1
            gap = False
        _push(out, found, last, seen, c)
        seen += 1
    _push(out, found, last, seen, 32)
    for i in range(n + 1):
        if i < n and (text[i] == 95 or Py_UNICODE_ISALNUM(text[i])):  # re's \w
            if s < 0:
                s, word = i, _OFFSET
            word = _step(word, text[i])
        elif s >= 0:
            _emit(out, found, word, None if found is None else text[s:i])
            s = -1
    return out if found is None else found


cdef struct _Slot:
    uint64_t key  # 0: empty
    double re  # the weight, beside its key: one cache line read per lookup
    double im


cdef class WeightTable:
    """Feature weights (complex numbers, as `model` and `wording` compute them) keyed by the
    features' hashes. Filled once (`put`), then read."""

    cdef _Slot* _slots
    cdef Py_ssize_t _cap, _n
    cdef int _shift

    def __cinit__(self, Py_ssize_t size):
        cdef int bits = 4
        while (<Py_ssize_t>1 << bits) * 3 < 4 * size + 4:  # at most 3/4 full
            bits += 1
        self._cap = <Py_ssize_t>1 << bits
        self._shift = 64 - bits
        self._n = 0
        self._slots = <_Slot*>calloc(self._cap, sizeof(_Slot))
        if self._slots is NULL:
            raise MemoryError()

    def __dealloc__(self):
        free(self._slots)

    def put(self, str feature, complex weight) -> None:
        """Store `feature`'s weight; a feature already stored (or sharing its hash) raises."""
        cdef uint64_t key = feature_hash(feature)
        cdef Py_ssize_t i = <Py_ssize_t>((key * _GOLDEN) >> self._shift)
        cdef Py_ssize_t mask = self._cap - 1
        if 4 * (self._n + 1) > 3 * self._cap:
            raise ValueError("weight table is full")
        while self._slots[i].key:
            if self._slots[i].key == key:
                raise ValueError(f"feature {feature!r} is stored already, or shares its hash")
            i = (i + 1) & mask
        self._slots[i].key = key
        self._slots[i].re = weight.real
        self._slots[i].im = weight.imag
        self._n += 1

    cdef _Slot* _find(self, uint64_t key) noexcept nogil:
        """`key`'s slot, NULL when the table does not hold it."""
        cdef Py_ssize_t i = <Py_ssize_t>((key * _GOLDEN) >> self._shift)
        cdef Py_ssize_t mask = self._cap - 1
        cdef uint64_t k
        while True:
            k = self._slots[i].key
            if k == key:
                return &self._slots[i]
            if k == 0:
                return NULL
            i = (i + 1) & mask

    def get(self, str feature):
        """`feature`'s weight, None when the table does not hold it."""
        cdef _Slot* slot = self._find(feature_hash(feature))
        return None if slot is NULL else complex(slot.re, slot.im)

    def count(self, Features features) -> int:
        """How many of `features` the table holds."""
        cdef Py_ssize_t i, held = 0
        for i in range(features._n):
            held += self._find(features._keys[i]) is not NULL
        return held

    def total(self, Features features) -> complex:
        """The sum of the weights of `features`, those the table does not hold counting 0."""
        cdef Py_ssize_t i
        cdef double re = 0.0, im = 0.0
        cdef _Slot* slot
        for i in range(features._n):
            slot = self._find(features._keys[i])
            if slot is not NULL:
                re += slot.re
                im += slot.im
        return complex(re, im)

    def __len__(self) -> int:
        return self._n


def chi2q(double x2, int dof) -> float:
    """Survival function of the chi-square distribution for even `dof`."""
    return _chi2q(x2, dof)


cdef double _chi2q(double x2, int dof) noexcept nogil:
    cdef int half = dof // 2, i
    cdef double v, z, m, term, total
    if half > _EXACT_MAX_HALF:
        v = 2.0 / (9.0 * dof)
        z = (pow(x2 / dof, 1.0 / 3.0) - 1.0 + v) / sqrt(2.0 * v)
        return 0.5 * erfc(z)
    # For even dof the tail is P(Poisson(x2/2) < dof/2), a sum of `half` terms.
    m = x2 / 2.0
    term = total = exp(-m)
    for i in range(1, half):
        term *= m / i
        total += term
    return min(total, 1.0)


cdef int _ascending(const void* a, const void* b) noexcept nogil:
    cdef double x = (<double*>a)[0], y = (<double*>b)[0]
    return (x > y) - (x < y)


cdef double _fisher(double* re, double* im, Py_ssize_t n) noexcept nogil:
    """Combine feature weights into a spam score, 0.5 when there are none."""
    cdef double total_re = 0.0, total_im = 0.0, cut, spamminess, hamminess
    cdef double* strength
    cdef Py_ssize_t i, kept
    if n == 0:
        return 0.5
    if n > _MAX_FEATURES:
        # |w| grows with |f - 0.5|: the strongest _MAX_FEATURES, with every tie at the cut.
        strength = <double*>malloc(2 * n * sizeof(double))
        if strength is NULL:
            return 0.5  # unreachable in practice; the caller's buffer was allocated alike
        for i in range(n):
            strength[i] = strength[n + i] = hypot(re[i], im[i])
        qsort(strength + n, n, sizeof(double), _ascending)
        cut = strength[2 * n - _MAX_FEATURES] - _TIE
        kept = 0
        for i in range(n):
            if strength[i] >= cut:
                total_re += re[i]
                total_im += im[i]
                kept += 1
        free(strength)
        n = kept
    else:
        for i in range(n):
            total_re += re[i]
            total_im += im[i]
    spamminess = 1.0 - _chi2q(-2.0 * total_im, 2 * n)
    hamminess = 1.0 - _chi2q(-2.0 * total_re, 2 * n)
    return (1.0 + spamminess - hamminess) / 2.0


def probability(Features features, WeightTable base, WeightTable overlay=None) -> float:
    """Spam score (0..1) of `features` with Fisher's chi-square method: each feature's weight
    from `overlay` when it holds the feature, else from `base`; features neither holds, or
    whose weight is 0 (too neutral to read), count for nothing."""
    cdef Py_ssize_t i, found = 0, n = features._n
    cdef uint64_t key
    cdef _Slot* slot
    cdef double* re = <double*>malloc(2 * (n + 1) * sizeof(double))
    cdef double* im
    cdef double p
    if re is NULL:
        raise MemoryError()
    im = re + n + 1
    for i in range(n):
        key = features._keys[i]
        slot = NULL if overlay is None else overlay._find(key)
        if slot is NULL:
            slot = base._find(key)
        if slot is not NULL and (slot.re != 0.0 or slot.im != 0.0):
            re[found], im[found] = slot.re, slot.im
            found += 1
    p = _fisher(re, im, found)
    free(re)
    return p
