"""Wire duplicates: records whose bodies are near-identical (an agency story printed twice, a reprint
with a new headline or a trimmed ending) share a duplicate group, so counts can count a story once.

Method (measured in bench/research.py, asserted in tests/test_dedupe.py): the
body's words (lower-cased, punctuation dropped) cut into overlapping 5-word
shingles; a 64-permutation MinHash of them (datasketch); candidate pairs from
datasketch's MinHashLSH, kept when the estimated Jaccard similarity is at
least 0.5; groups are the connected components of those pairs. Why these
numbers: reprints measured 0.59-1.0 Jaccard (trimmed paragraphs and edited
words lower it), distinct stories on one topic that share two to four
paragraphs at most 0.44; shorter shingles merged such stories.

Only records printed within WINDOW_DAYS of each other are compared: wire
reprints appear within days, and the window keeps the LSH to a few thousand
records, so an update costs a fraction of a second however large the archive.
A reprint a month later is not found. Bodies under MIN_WORDS words are never
grouped: a brief that short cannot tell a reprint from a formula.

Each group's representative is its earliest printed record (then the lowest
id): the original wire story. The group id is the representative's id. The
index stores both per document (`dup_group`, `dup_rep`), and `--dedupe`
keeps the representatives.

The signatures persist beside the index (`dedupe.arrow`: key, id, print
day, signature, group), so an update computes only the changed records' and
regroups only around them. Groups are compared with what the index holds, and
documents whose group changed (a merge, a new earlier representative, a
split after a deletion) are rewritten by the caller.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

if TYPE_CHECKING:  # datasketch loads only to sign and group (0.4 s: its package imports its asyncio storage too)
    from datasketch import LeanMinHash, MinHashLSH

SHINGLE = 5
NUM_PERM = 64
THRESHOLD = 0.5
#: 21 bands of 3 values: a pair at Jaccard 0.5 becomes a candidate with probability 0.94, at 0.6 0.994
#: (datasketch's own choice for 0.5, 14 bands of 4, misses 14% of pairs at 0.6); candidates are then
#: kept by their estimated similarity, so more of them costs a little time, not precision
LSH_BANDS = (21, 3)
WINDOW_DAYS = 14
MIN_WORDS = 30
SEED = 1
SCHEME = "affine32"
_MIX = np.array([(0x9E3779B97F4A7C15 * (2 * i + 1)) % 2**64 for i in range(SHINGLE)], dtype=np.uint64)
_SIG_BYTES = NUM_PERM * 4
_KEY_BYTES = 40  # a record key (records/YYYY/MM/DD/<10 digits>.json) is 34
_SCHEMA = pa.schema([("key", pa.binary(_KEY_BYTES)), ("id", pa.int64()), ("day", pa.int32()),
                     ("sig", pa.binary(_SIG_BYTES)), ("group", pa.int64())])


class _WordHashes(dict[str, int]):
    """A stable 64-bit hash per word (the same in every process: signatures are saved), computed once."""

    LIMIT = 2_000_000

    def __missing__(self, word: str) -> int:
        if len(self) > self.LIMIT:
            self.clear()
        value = self[word] = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
        return value


_word_hashes = _WordHashes()


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


#: punctuation becomes a space before the text is split into words (str.translate: far cheaper than a regex)
_PUNCTUATION = str.maketrans({c: " " for c in string.punctuation + "‘’“”„«»‹›—–―…·•、。，．；：！？（）「」『』【】"})


def words(body: Iterable[str]) -> list[str]:
    return " ".join(p for p in body if isinstance(p, str)).translate(_PUNCTUATION).casefold().split()


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (uint32 arithmetic wraps, as it should)."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def minhash_values(hashes: np.ndarray) -> np.ndarray:
    """The hash values datasketch's `MinHash(scheme="affine32").update_batch(hashes)` gives, in one numpy step:
    the per-item Python calls of update_batch were a third of the build (tests/test_dedupe.py checks that
    the two agree)."""
    a, b = _permutations()
    permuted = _fmix32(hashes.astype(np.uint32))[:, None] * a + b
    return np.asarray(permuted.min(axis=0), dtype=np.uint32)


def shingle_hashes(tokens: list[str]) -> np.ndarray:
    """32-bit hashes of the overlapping SHINGLE-word runs, mixed from per-word hashes with numpy."""
    ids = np.fromiter(map(_word_hashes.__getitem__, tokens), dtype=np.uint64, count=len(tokens))
    n = len(ids) - SHINGLE + 1
    mixed = ids[:n] * _MIX[0]
    for k in range(1, SHINGLE):
        mixed = ((mixed << np.uint64(7)) | (mixed >> np.uint64(57))) ^ (ids[k:k + n] * _MIX[k])
    return (mixed >> np.uint64(32)).astype(np.uint32)


def signature(body: Iterable[str]) -> np.ndarray | None:
    """The MinHash values (uint32[NUM_PERM]) of the body's shingles; None for a body under MIN_WORDS words."""
    tokens = words(body)
    if len(tokens) < MIN_WORDS:
        return None
    return minhash_values(shingle_hashes(tokens))


def _lean(sig: np.ndarray) -> LeanMinHash:
    from datasketch import LeanMinHash

    return LeanMinHash(seed=SEED, hashvalues=sig, scheme=SCHEME)


def similar(sigs: np.ndarray, sig: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of `sig` to each row of `sigs`."""
    return np.count_nonzero(sigs == sig, axis=1) / NUM_PERM


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


@dataclass
class _Pending:
    """Rows put since loading, as lists (numpy arrays are not grown one row at a time)."""

    keys: list[str] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    days: list[int] = field(default_factory=list)
    sigs: list[np.ndarray | None] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)
    at: dict[str, int] = field(default_factory=dict)  # key -> its live index (a key put twice: the last)


class _Work:
    """The rows one regroup looks at, gathered from the saved rows and the pending ones."""

    def __init__(self) -> None:
        self.refs: list[tuple[bool, int]] = []  # (pending?, index)
        self.index: dict[tuple[bool, int], int] = {}

    def add(self, ref: tuple[bool, int]) -> int:
        if ref not in self.index:
            self.index[ref] = len(self.refs)
            self.refs.append(ref)
        return self.index[ref]


class DuplicateGroups:
    """Every record's signature and group; `put`/`remove` changes, then `regroup()` says whose group moved.

    Built for a million records and an update of a few hundred: the saved
    rows stay numpy columns sorted by key (read from an Arrow file by memory
    map, keys looked up by binary search), new rows are kept apart, and a
    regroup gathers only the rows near the new ones (and the groups they
    touch). `indexed(keys)` answers, for records indexed before, the group
    their document holds (the caller reads it from the index), so groups are
    compared with the truth even after an interrupted update.
    """

    def __init__(self) -> None:
        self._keys = np.zeros(0, dtype=f"S{_KEY_BYTES}")
        self._ids = np.zeros(0, dtype=np.int64)
        self._days = np.zeros(0, dtype=np.int32)
        self._sigs = np.zeros((0, NUM_PERM), dtype=np.uint32)
        self._has_sig = np.zeros(0, dtype=bool)
        self._groups = np.zeros(0, dtype=np.int64)
        self._alive = np.zeros(0, dtype=bool)
        self._pending = _Pending()
        self._fresh: set[int] = set()  # pending rows put since the last regroup
        self._touched: set[int] = set()  # groups that lost a member since the last regroup

    # -- persistence ------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path) -> DuplicateGroups | None:
        """The saved state, or None if there is none (or it is unreadable: then the caller rebuilds)."""
        try:
            table = pa.ipc.open_file(pa.memory_map(str(path))).read_all()
        except (OSError, pa.ArrowInvalid):
            return None
        if not table.schema.equals(_SCHEMA):
            return None
        state = cls()
        n = table.num_rows
        keys, sigs = table["key"].combine_chunks(), table["sig"].combine_chunks()
        state._keys = _fixed(keys, n, f"S{_KEY_BYTES}")
        state._sigs = _fixed(sigs, n, np.uint32).reshape(n, NUM_PERM)
        state._has_sig = _valid(sigs, n)
        state._ids = table["id"].to_numpy()
        state._days = table["day"].to_numpy()
        state._groups = table["group"].to_numpy().copy()
        state._alive = np.ones(n, dtype=bool)
        return state

    def save(self, path: Path) -> None:
        """All rows, sorted by key, as one uncompressed Arrow file (read back by memory map)."""
        self._merge_pending()  # afterwards every row is alive, in key order
        n = len(self._keys)
        keys, sigs = np.ascontiguousarray(self._keys), np.ascontiguousarray(self._sigs)
        validity = pa.py_buffer(np.packbits(self._has_sig, bitorder="little"))
        table = pa.table({  # the numpy buffers as they are: no copy of the 256 MB of signatures
            "key": pa.FixedSizeBinaryArray.from_buffers(pa.binary(_KEY_BYTES), n, [None, pa.py_buffer(keys)]),
            "id": pa.array(self._ids, type=pa.int64()),
            "day": pa.array(self._days, type=pa.int32()),
            "sig": pa.FixedSizeBinaryArray.from_buffers(pa.binary(_SIG_BYTES), n, [validity, pa.py_buffer(sigs)]),
            "group": pa.array(self._groups, type=pa.int64()),
        }, schema=_SCHEMA)
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, _SCHEMA) as writer:
            writer.write_table(table)

    def _merge_pending(self) -> None:
        """Pending rows into the sorted columns (dead rows dropped)."""
        p = self._pending
        live = sorted(p.at.values(), key=lambda i: p.keys[i])
        if not live and self._alive.all():
            return
        keep = np.flatnonzero(self._alive)
        keys = np.array([p.keys[i].encode() for i in live], dtype=f"S{_KEY_BYTES}")
        at = np.searchsorted(self._keys[keep], keys)
        empty = np.zeros(NUM_PERM, dtype=np.uint32)
        self._keys = np.insert(self._keys[keep], at, keys)
        self._ids = np.insert(self._ids[keep], at, np.array([p.ids[i] for i in live], dtype=np.int64))
        self._days = np.insert(self._days[keep], at, np.array([p.days[i] for i in live], dtype=np.int32))
        sigs = np.array([empty if p.sigs[i] is None else p.sigs[i] for i in live], dtype=np.uint32).reshape(-1, NUM_PERM)
        self._sigs = np.insert(self._sigs[keep], at, sigs, axis=0)
        self._has_sig = np.insert(self._has_sig[keep], at, np.array([p.sigs[i] is not None for i in live], dtype=bool))
        self._groups = np.insert(self._groups[keep], at, np.array([p.groups[i] for i in live], dtype=np.int64))
        self._alive = np.ones(len(self._keys), dtype=bool)
        self._pending, self._fresh = _Pending(), set()

    # -- changes ----------------------------------------------------------------------------
    def _saved_row(self, key: str) -> int | None:
        wanted = key.encode()
        i = int(np.searchsorted(self._keys, wanted))
        if i < len(self._keys) and self._keys[i] == wanted and self._alive[i]:
            return i
        return None

    def group_of(self, key: str) -> int | None:
        if key in self._pending.at:
            return self._pending.groups[self._pending.at[key]]
        row = self._saved_row(key)
        return int(self._groups[row]) if row is not None else None

    def signature_of(self, key: str) -> np.ndarray | None:
        if key in self._pending.at:
            return self._pending.sigs[self._pending.at[key]]
        row = self._saved_row(key)
        return self._sigs[row] if row is not None and self._has_sig[row] else None

    def groups(self) -> dict[str, int]:
        """{key: group} of every record (for tests and benchmarks; a million keys is a big dict)."""
        out = {k.decode(): int(g) for k, g, alive in zip(self._keys, self._groups, self._alive, strict=True) if alive}
        out.update({key: self._pending.groups[i] for key, i in self._pending.at.items()})
        return out

    def remove(self, key: str) -> None:
        index = self._pending.at.pop(key, None)
        if index is not None:
            self._touched.add(self._pending.groups[index])
            self._fresh.discard(index)
        row = self._saved_row(key)
        if row is not None:
            self._alive[row] = False
            self._touched.add(int(self._groups[row]))

    def put(self, key: str, article_id: str, day: dt.date, sig: np.ndarray | None) -> tuple[int, bool]:
        """Add or replace a record; returns the provisional (group, representative) to index it with now:
        its old group if it had one, else its own. `regroup()` says if that must change."""
        if len(key.encode()) > _KEY_BYTES:
            raise ValueError(f"a store key longer than {_KEY_BYTES} bytes: {key}")
        old = self.group_of(key)
        self.remove(key)
        number = int(article_id)
        group = old if old is not None else number
        p = self._pending
        index = len(p.keys)
        p.at[key] = index
        p.keys.append(key)
        p.ids.append(number)
        p.days.append(day.toordinal())
        p.sigs.append(sig)
        p.groups.append(group)
        self._fresh.add(index)
        return group, group == number

    # -- grouping ---------------------------------------------------------------------------
    def _gather(self) -> tuple[_Work, list[int]]:
        """The rows a regroup needs: the fresh ones, every row with a signature within the window of one,
        and the remaining members of groups that lost one. Returns them and the fresh rows' places."""
        work = _Work()
        p = self._pending
        live = np.array(sorted(p.at.values()), dtype=np.int64)
        fresh_rows = sorted(self._fresh & set(p.at.values()))
        fresh = [work.add((True, index)) for index in fresh_rows]
        fresh_days = np.unique(np.array([p.days[index] for index in fresh_rows], dtype=np.int32))
        if len(fresh_days):
            for row in np.flatnonzero(self._alive & self._has_sig & _near(self._days, fresh_days)):
                work.add((False, int(row)))
            days = np.array([p.days[index] for index in live], dtype=np.int32)
            signed = np.array([p.sigs[index] is not None for index in live], dtype=bool)
            for index in live[signed & _near(days, fresh_days)]:
                work.add((True, int(index)))
        for group in self._touched:
            self._add_members(work, group)
        return work, fresh

    def _add_members(self, work: _Work, group: int) -> list[int]:
        saved = np.flatnonzero(self._alive & (self._groups == group))
        places = [work.add((False, int(i))) for i in saved]
        places += [work.add((True, i)) for i in self._pending.at.values() if self._pending.groups[i] == group]
        return places

    def _columns(self, work: _Work) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """ids, days, signatures, has-signature, groups of the gathered rows."""
        p = self._pending
        empty = np.zeros(NUM_PERM, dtype=np.uint32)
        ids = np.array([p.ids[i] if new else self._ids[i] for new, i in work.refs], dtype=np.int64)
        days = np.array([p.days[i] if new else self._days[i] for new, i in work.refs], dtype=np.int32)
        sigs = np.array([(empty if p.sigs[i] is None else p.sigs[i]) if new else self._sigs[i] for new, i in work.refs],
                        dtype=np.uint32).reshape(-1, NUM_PERM)
        has = np.array([p.sigs[i] is not None if new else self._has_sig[i] for new, i in work.refs], dtype=bool)
        groups = np.array([p.groups[i] if new else self._groups[i] for new, i in work.refs], dtype=np.int64)
        return ids, days, sigs, has, groups

    def regroup(self, indexed: Callable[[list[str]], dict[str, int]] | None = None) -> dict[str, tuple[int, bool]]:
        """Recompute the groups around what changed; returns {key: (group, representative)} for every record
        whose document must be (re)written with new values: `indexed(keys)` gives the group the index
        holds for records not put since the last regroup (default: the saved state's)."""
        work, fresh = self._gather()
        ids, days, sigs, has, groups = self._columns(work)
        pairs = _pairs(days, sigs, has, fresh, ids)
        touched = set(self._touched)
        # groups that lost a member are re-linked from their members' signatures; other groups a new pair
        # reaches join whole (they are connected already, maybe through rows outside the window)
        pairs += _pairs_among([w for w in range(len(work.refs)) if int(groups[w]) in touched], days, sigs, has)
        uf = _UnionFind()
        fresh_set = set(fresh)
        for a, b in pairs:
            for w in (a, b):
                group = int(groups[w])
                if w not in fresh_set and group not in touched:
                    touched.add(group)
                    members = self._add_members(work, group)
                    for m in members:
                        uf.union(members[0], m)
        if len(work.refs) > len(ids):  # members added: their columns too
            ids, days, sigs, has, groups = self._columns(work)
        for a, b in pairs:
            uf.union(a, b)
        nodes = fresh_set | {w for w in range(len(work.refs)) if int(groups[w]) in touched}
        components: dict[int, list[int]] = {}
        for w in nodes:
            components.setdefault(uf.find(w), []).append(w)
        keys = {w: self._key(work.refs[w]) for w in nodes}
        held = indexed([keys[w] for w in nodes if w not in fresh_set]) if indexed else {}
        changed: dict[str, tuple[int, bool]] = {}
        for component in components.values():
            rep = min(component, key=lambda w: (int(days[w]), int(ids[w])))
            group = int(ids[rep])
            for w in component:
                before = int(groups[w]) if w in fresh_set else held.get(keys[w], int(groups[w]))
                self._set_group(work.refs[w], group)
                if before != group:
                    changed[keys[w]] = (group, group == int(ids[w]))
        self._fresh, self._touched = set(), set()
        return changed

    def _key(self, ref: tuple[bool, int]) -> str:
        new, i = ref
        return self._pending.keys[i] if new else self._keys[i].decode()

    def _set_group(self, ref: tuple[bool, int], group: int) -> None:
        new, i = ref
        if new:
            self._pending.groups[i] = group
        else:
            self._groups[i] = group


def _fixed(column: pa.Array, n: int, dtype: Any) -> np.ndarray:
    """The values of a fixed-size binary column as a numpy array over its buffer (no copy)."""
    buffer = column.buffers()[1]
    width = column.type.byte_width
    data = np.frombuffer(buffer, dtype=np.uint8)[column.offset * width:(column.offset + n) * width] if n else \
        np.zeros(0, dtype=np.uint8)
    return data.view(dtype)


def _valid(column: pa.Array, n: int) -> np.ndarray:
    bitmap = column.buffers()[0]
    if bitmap is None:
        return np.ones(n, dtype=bool)
    bits = np.unpackbits(np.frombuffer(bitmap, dtype=np.uint8), bitorder="little")
    return bits[column.offset:column.offset + n].astype(bool)


def _near(days: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Whether each day lies within the window of one of the (sorted, unique) target days."""
    at = np.searchsorted(targets, days)
    before = np.abs(days - targets[np.clip(at - 1, 0, len(targets) - 1)])
    after = np.abs(days - targets[np.clip(at, 0, len(targets) - 1)])
    return np.minimum(before, after) <= WINDOW_DAYS


def _lsh() -> MinHashLSH:
    from datasketch import MinHashLSH

    return MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, params=LSH_BANDS)


def _pairs(days: np.ndarray, sigs: np.ndarray, has: np.ndarray, fresh: list[int],
           ids: np.ndarray) -> list[tuple[int, int]]:
    """Similar pairs among the rows, each with at least one fresh row, printed within the window."""
    rows = np.flatnonzero(has)
    rows = rows[np.lexsort((ids[rows], days[rows]))]
    is_fresh = np.zeros(len(days), dtype=bool)
    is_fresh[fresh] = True
    if not len(rows) or not is_fresh[rows].any():
        return []
    found = _in_date_order(rows, days, sigs) if is_fresh[rows].all() else _static(rows, sigs, is_fresh)
    pairs: list[tuple[int, int]] = []
    for row, others in found:
        others = others[(others != row) & (np.abs(days[others] - days[row]) <= WINDOW_DAYS)]
        if len(others):
            pairs += [(row, int(o)) for o in others[similar(sigs[others], sigs[row]) >= THRESHOLD]]
    return pairs


def _in_date_order(rows: np.ndarray, days: np.ndarray, sigs: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Every row fresh (a full build): each queries the rows before it, in two LSH generations of at least
    the window each, so nothing is ever removed from an LSH (datasketch's removal was a third of its cost)."""
    current, previous, started = _lsh(), None, int(days[rows[0]])
    found = []
    for row in rows:
        row = int(row)
        day = int(days[row])
        if day - started > WINDOW_DAYS:
            previous, current, started = current, _lsh(), day
        minhash = _lean(sigs[row])
        near = current.query(minhash) + (previous.query(minhash) if previous is not None else [])
        if near:
            found.append((row, np.array(near, dtype=np.int64)))
        current.insert(row, minhash, check_duplication=False)
    return found


def _static(rows: np.ndarray, sigs: np.ndarray, is_fresh: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Some rows fresh (an update): every gathered row in one LSH, the fresh ones queried."""
    lsh = _lsh()
    with lsh.insertion_session() as session:
        for row in rows:
            session.insert(int(row), _lean(sigs[row]), check_duplication=False)
    return [(int(row), np.array(lsh.query(_lean(sigs[row])), dtype=np.int64)) for row in rows if is_fresh[row]]


def _pairs_among(rows: list[int], days: np.ndarray, sigs: np.ndarray, has: np.ndarray) -> list[tuple[int, int]]:
    """Similar pairs among the remaining members of groups that lost one: a group may have split."""
    members = np.array([r for r in rows if has[r]], dtype=np.int64)
    pairs = []
    for i, row in enumerate(members[:-1]):
        others = members[i + 1:]
        close = others[np.abs(days[others] - days[row]) <= WINDOW_DAYS]
        pairs += [(int(row), int(o)) for o in close[similar(sigs[close], sigs[row]) >= THRESHOLD]]
    return pairs


def group_records(records: Iterable[tuple[str, str, dt.date, Any]]) -> dict[str, int]:
    """{key: group} for (key, id, print day, body) tuples: the whole method in one call (tests, benchmarks)."""
    state = DuplicateGroups()
    for key, article_id, day, body in records:
        state.put(key, article_id, day, signature(body))
    state.regroup()
    return state.groups()
