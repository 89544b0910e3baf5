#!/usr/bin/env python3
"""Verify the ledger's hash chains outside the ledger, with nothing but Python's standard library.

Input: JSON Lines on standard input, one event each, as the ledger stores it:
  {"stream": "account:alice", "version": 1, "type": "AccountOpened", "schemaVersion": 1,
   "recordedAt": "2026-01-01T00:00:00Z", "transferId": null, "correlationId": "req-1",
   "data": {...the event body...}, "hash": "<64 hex digits>"}
Events of a stream must come in version order; streams may be interleaved.

For each stream: hash(0) = 64 zeros, and for n >= 1
  hash(n) = sha256( ascii(hash(n-1)) + canonical(envelope(n)) )  as lowercase hex,
where envelope(n) is the event without its "hash" field, and canonical() is JSON with object keys
sorted, no whitespace, UTF-8, non-ASCII characters unescaped.

Prints one line per stream and exits 1 if any stream is broken (wrong hash or a version gap).
"""
import hashlib
import json
import sys

GENESIS = "0" * 64


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def main():
    last = {}
    broken = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        event = json.loads(line)
        stream = event["stream"]
        if stream in broken:
            continue
        previous_hash, previous_version = last.get(stream, (GENESIS, 0))
        envelope = {k: v for k, v in event.items() if k != "hash"}
        if event["version"] != previous_version + 1:
            broken[stream] = previous_version + 1
            continue
        recomputed = hashlib.sha256(previous_hash.encode("ascii") + canonical(envelope)).hexdigest()
        if recomputed != event["hash"]:
            broken[stream] = event["version"]
            continue
        last[stream] = (recomputed, event["version"])
    for stream in sorted(set(last) | set(broken)):
        if stream in broken:
            print(f"{stream} BROKEN at version {broken[stream]}")
        else:
            print(f"{stream} ok {last[stream][1]} events head {last[stream][0]}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
