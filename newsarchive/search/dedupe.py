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

The signatures persist beside the index (`dedupe.parquet`: key, id, print
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
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from datasketch import LeanMinHash, MinHash, MinHashLSH

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
_EPOCH = dt.date(1970, 1, 1).toordinal()  # date32 counts days from here; we keep ordinals
_SCHEMA = pa.schema([("key", pa.string()), ("id", pa.int64()), ("day", pa.date32()),
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
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations
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
    a, b = _PERMUTATIONS
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
    """Rows put since the last regroup (numpy arrays are not grown one row at a time)."""

    keys: list[str] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    days: list[int] = field(default_factory=list)
    sigs: list[np.ndarray | None] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)  # the provisional group each was indexed with


def _day_number(day: dt.date) -> int:
    return day.toordinal()


class DuplicateGroups:
    """Every record's signature and group; `put`/`remove` changes, then `regroup()` says whose group moved.

    `indexed(keys)` must answer, for records already in the index, the group
    their document holds (the caller reads it from the index), so a group is
    compared with the truth even after an interrupted update.
    """

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.ids = np.zeros(0, dtype=np.int64)
        self.days = np.zeros(0, dtype=np.int32)
        self.sigs = np.zeros((0, NUM_PERM), dtype=np.uint32)
        self.has_sig = np.zeros(0, dtype=bool)
        self.groups = np.zeros(0, dtype=np.int64)
        self.alive = np.zeros(0, dtype=bool)
        self.row: dict[str, int] = {}
        self._pending = _Pending()
        self._pending_row: dict[str, int] = {}
        self._touched: set[int] = set()  # groups that lost or changed a member
        self._new: set[str] = set()

    # -- persistence ------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path) -> DuplicateGroups | None:
        """The saved state, or None if there is none (or it is unreadable: then the caller rebuilds)."""
        try:
            table = pq.read_table(path, schema=_SCHEMA)
        except (OSError, pa.ArrowInvalid):
            return None
        state = cls()
        n = table.num_rows
        state.keys = table["key"].to_pylist()
        state.ids = table["id"].to_numpy().astype(np.int64)
        state.days = table["day"].cast(pa.int32()).to_numpy().astype(np.int32) + _EPOCH
        sig_column = table["sig"].combine_chunks()
        state.has_sig = ~np.asarray(sig_column.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        buffer = sig_column.buffers()[1]
        raw = np.frombuffer(buffer, dtype=np.uint32) if buffer is not None else np.zeros(0, dtype=np.uint32)
        offset = sig_column.offset * NUM_PERM
        state.sigs = raw[offset:offset + n * NUM_PERM].reshape(n, NUM_PERM).copy()
        state.groups = table["group"].to_numpy().astype(np.int64)
        state.alive = np.ones(n, dtype=bool)
        state.row = {key: i for i, key in enumerate(state.keys)}
        return state

    def save(self, path: Path) -> None:
        self._consolidate()
        keep = np.flatnonzero(self.alive)
        sig_bytes = [self.sigs[i].tobytes() if self.has_sig[i] else None for i in keep]
        table = pa.table({
            "key": [self.keys[i] for i in keep],
            "id": self.ids[keep],
            "day": pa.array(self.days[keep] - _EPOCH, type=pa.int32()).cast(pa.date32()),
            "sig": pa.array(sig_bytes, type=pa.binary(_SIG_BYTES)),
            "group": self.groups[keep],
        }, schema=_SCHEMA)
        pq.write_table(table, path)

    # -- changes ----------------------------------------------------------------------------
    def group_of(self, key: str) -> int | None:
        row = self.row.get(key)
        if row is not None and self.alive[row]:
            return int(self.groups[row])
        return None

    def remove(self, key: str) -> None:
        row = self.row.pop(key, None)
        if row is not None and self.alive[row]:
            self.alive[row] = False
            self._touched.add(int(self.groups[row]))
        self._pending_row.pop(key, None)
        self._new.discard(key)

    def put(self, key: str, article_id: str, day: dt.date, sig: np.ndarray | None) -> tuple[int, bool]:
        """Add or replace a record; returns the provisional (group, representative) to index it with now:
        its old group if it had one, else its own. `regroup()` says if that must change."""
        old = self.group_of(key)
        self.remove(key)
        number = int(article_id)
        group = old if old is not None else number
        self._pending_row[key] = len(self._pending.keys)
        self._pending.keys.append(key)
        self._pending.ids.append(number)
        self._pending.days.append(_day_number(day))
        self._pending.sigs.append(sig)
        self._pending.groups.append(group)
        self._new.add(key)
        return group, group == number

    def _consolidate(self) -> None:
        """Append pending rows and drop dead ones (row numbers change)."""
        p = self._pending
        live_pending = [i for i, key in enumerate(p.keys) if self._pending_row.get(key) == i]
        keep = np.flatnonzero(self.alive)
        empty = np.zeros(NUM_PERM, dtype=np.uint32)
        self.keys = [self.keys[i] for i in keep] + [p.keys[i] for i in live_pending]
        self.ids = np.concatenate([self.ids[keep], np.array([p.ids[i] for i in live_pending], dtype=np.int64)])
        self.days = np.concatenate([self.days[keep], np.array([p.days[i] for i in live_pending], dtype=np.int32)])
        new_sigs = [p.sigs[i] if p.sigs[i] is not None else empty for i in live_pending]
        self.sigs = np.concatenate([self.sigs[keep], np.array(new_sigs, dtype=np.uint32).reshape(-1, NUM_PERM)])
        self.has_sig = np.concatenate([self.has_sig[keep], np.array([p.sigs[i] is not None for i in live_pending],
                                                                    dtype=bool)])
        self.groups = np.concatenate([self.groups[keep], np.array([p.groups[i] for i in live_pending], dtype=np.int64)])
        self.alive = np.ones(len(self.keys), dtype=bool)
        self.row = {key: i for i, key in enumerate(self.keys)}
        self._pending, self._pending_row = _Pending(), {}

    # -- grouping ---------------------------------------------------------------------------
    def _pairs(self, new_rows: np.ndarray) -> list[tuple[int, int]]:
        """Similar pairs (row, row) with at least one new row, printed within the window of each other."""
        if not len(new_rows):
            return []
        new_days = np.unique(self.days[new_rows])
        # rows that can pair with a new row: a signature, printed within the window of some new row
        at = np.searchsorted(new_days, self.days)
        before = np.abs(self.days - new_days[np.clip(at - 1, 0, len(new_days) - 1)])
        after = np.abs(self.days - new_days[np.clip(at, 0, len(new_days) - 1)])
        candidates = np.flatnonzero((np.minimum(before, after) <= WINDOW_DAYS) & self.has_sig)
        if not len(candidates):  # no body long enough for a signature: nothing to pair
            return []
        candidates = candidates[np.lexsort((self.ids[candidates], self.days[candidates]))]
        is_new = np.zeros(len(self.keys), dtype=bool)
        is_new[new_rows] = True
        if is_new[candidates].all():
            found = self._pass_in_date_order(candidates)
        else:
            found = self._static_pass(candidates, is_new)
        pairs: list[tuple[int, int]] = []
        for row, others in found:
            others = others[(others != row) & (np.abs(self.days[others] - self.days[row]) <= WINDOW_DAYS)]
            if len(others):
                pairs += [(row, int(o)) for o in others[similar(self.sigs[others], self.sigs[row]) >= THRESHOLD]]
        return pairs

    def _lsh(self) -> MinHashLSH:
        return MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, params=LSH_BANDS)

    def _pass_in_date_order(self, rows: np.ndarray) -> list[tuple[int, np.ndarray]]:
        """Every row new (a full build): each queries the rows before it, in two LSH generations of at least
        the window each, so nothing is ever removed from an LSH (datasketch's removal was a third of its cost)."""
        current, previous, started = self._lsh(), None, int(self.days[rows[0]])
        found = []
        for row in rows:
            row = int(row)
            day = int(self.days[row])
            if day - started > WINDOW_DAYS:
                previous, current, started = current, self._lsh(), day
            minhash = _lean(self.sigs[row])
            near = current.query(minhash) + (previous.query(minhash) if previous is not None else [])
            if near:
                found.append((row, np.array(near, dtype=np.int64)))
            current.insert(row, minhash, check_duplication=False)
        return found

    def _static_pass(self, rows: np.ndarray, is_new: np.ndarray) -> list[tuple[int, np.ndarray]]:
        """Some rows new (an update): every row near them in one LSH, the new ones queried."""
        lsh = self._lsh()
        with lsh.insertion_session() as session:
            for row in rows:
                session.insert(int(row), _lean(self.sigs[row]), check_duplication=False)
        return [(int(row), np.array(lsh.query(_lean(self.sigs[row])), dtype=np.int64)) for row in rows if is_new[row]]

    def _members(self) -> Callable[[int], np.ndarray]:
        order = np.argsort(self.groups, kind="stable")
        ordered = self.groups[order]

        def members(group: int) -> np.ndarray:
            return order[np.searchsorted(ordered, group, "left"):np.searchsorted(ordered, group, "right")]
        return members

    def _pairs_within(self, rows: np.ndarray) -> list[tuple[int, int]]:
        """Similar pairs among the rows of a group that lost a member: it may have split."""
        rows = rows[self.has_sig[rows]]
        pairs = []
        for i, row in enumerate(rows[:-1]):
            others = rows[i + 1:]
            close = np.abs(self.days[others] - self.days[row]) <= WINDOW_DAYS
            hits = others[close][similar(self.sigs[others[close]], self.sigs[row]) >= THRESHOLD]
            pairs += [(int(row), int(o)) for o in hits]
        return pairs

    def regroup(self, indexed: Callable[[list[str]], dict[str, int]] | None = None) -> dict[str, tuple[int, bool]]:
        """Recompute the groups around what changed; returns {key: (group, representative)} for every record
        whose document must be (re)written with new values: `indexed(keys)` gives the group the index
        holds for records not put in this session (default: the saved state's)."""
        provisional = dict(zip(self._pending.keys, self._pending.groups, strict=True))
        new_keys, touched = set(self._new), set(self._touched)
        self._consolidate()
        self._new, self._touched = set(), set()
        new_rows = np.array(sorted(self.row[k] for k in new_keys), dtype=np.int64)
        pairs = self._pairs(new_rows)
        members = self._members()
        # untouched old groups stay connected as they are; touched ones are re-linked from their signatures
        uf = _UnionFind()
        nodes: set[int] = {int(r) for r in new_rows}
        for group in touched:
            rows = members(group)
            nodes.update(int(r) for r in rows)
            pairs += self._pairs_within(rows)
        for a, b in list(pairs):
            for row in (a, b):
                group = int(self.groups[row])
                if row not in nodes and group not in touched:
                    together = members(group)
                    nodes.update(int(r) for r in together)
                    for other in together:
                        uf.union(int(together[0]), int(other))
        for row in nodes:
            uf.find(row)
        for a, b in pairs:
            uf.union(a, b)
        components: dict[int, list[int]] = {}
        for row in nodes:
            components.setdefault(uf.find(row), []).append(row)
        before: dict[str, int] = {}
        old_keys = [self.keys[r] for r in nodes if self.keys[r] not in new_keys]
        held = indexed(old_keys) if indexed else {}
        for row in nodes:
            key = self.keys[row]
            before[key] = provisional[key] if key in new_keys else held.get(key, int(self.groups[row]))
        changed: dict[str, tuple[int, bool]] = {}
        for component in components.values():
            rep = min(component, key=lambda r: (int(self.days[r]), int(self.ids[r])))
            group = int(self.ids[rep])
            for row in component:
                self.groups[row] = group
                key = self.keys[row]
                if before[key] != group:
                    changed[key] = (group, group == int(self.ids[row]))
        return changed


def group_records(records: Iterable[tuple[str, str, dt.date, Any]]) -> dict[str, int]:
    """{key: group} for (key, id, print day, body) tuples: the whole method in one call (tests, benchmarks)."""
    state = DuplicateGroups()
    for key, article_id, day, body in records:
        state.put(key, article_id, day, signature(body))
    state.regroup()
    return {key: int(state.groups[row]) for key, row in state.row.items()}
