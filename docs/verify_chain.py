#!/usr/bin/env python3
"""Verify the ledger's hash chains outside the ledger, with nothing but Python's standard library.

Usage:
  python3 docs/verify_chain.py export.jsonl     (a file, e.g. written by `./ledger replay export -o`)
  python3 docs/verify_chain.py < export.jsonl   (standard input; `-` names it explicitly)

Input: JSON Lines, one event each, as `./ledger replay export` writes them:
  {"stream": "account:alice", "version": 1, "type": "AccountOpened", "schemaVersion": 1,
   "recordedAt": "2026-01-01T00:00:00Z", "transferId": null, "correlationId": "req-1",
   "data": {...the event body...}, "hash": "<64 hex digits>"}
Events of a stream must come in version order, without gaps; streams may be interleaved.

For each stream: hash(0) = 64 zeros, and for n >= 1
  hash(n) = sha256( ascii(hash(n-1)) + canonical(envelope(n)) )  as lowercase hex,
where envelope(n) is the event without its "hash" and "previousHash" fields, and canonical() is
JSON with object keys sorted, no whitespace, UTF-8, non-ASCII characters unescaped.

A stream's first line may start past version 1 (an export made with --from): that line must then
carry "previousHash", the stored hash of the version before it, and the stream is checked from
there on (the report says so: what came before is not checked by this file). A first line at
version 1 starts from 64 zeros.

Prints one line per stream, then "OK: S streams, E events" or "FAILED: ...".
Exit codes: 0 every stream checks; 1 a stream does not (a wrong hash, a version gap, a stream
starting past version 1 without previousHash); 2 nothing could be checked (no events, a line that
is not an event, a file that cannot be read, wrong usage).
"""
import hashlib
import json
import re
import sys

GENESIS = "0" * 64
HASH = re.compile(r"\A[0-9a-f]{64}\Z")
REQUIRED = ("stream", "version", "hash")
USAGE = "usage: python3 docs/verify_chain.py EXPORT.jsonl   (or: ... < EXPORT.jsonl, or ... - < EXPORT.jsonl)"


class BadInput(Exception):
    """The input is not what `replay export` writes: nothing can be said about the chain."""


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def parse(number, line):
    try:
        event = json.loads(line)
    except ValueError as e:
        raise BadInput(f"line {number} is not JSON ({e})")
    if not isinstance(event, dict):
        raise BadInput(f"line {number} is not a JSON object")
    missing = [field for field in REQUIRED if field not in event]
    if missing:
        raise BadInput(f"line {number} has no {', '.join(missing)}")
    if not isinstance(event["stream"], str) or not event["stream"]:
        raise BadInput(f"line {number}: stream is not a name")
    if not isinstance(event["version"], int) or isinstance(event["version"], bool) or event["version"] < 1:
        raise BadInput(f"line {number}: version is not a whole number of 1 or more")
    if not isinstance(event["hash"], str):
        raise BadInput(f"line {number}: hash is not a string")
    previous = event.get("previousHash")
    if previous is not None and (not isinstance(previous, str) or not HASH.match(previous)):
        raise BadInput(f"line {number}: previousHash is not 64 lowercase hex digits")
    return event


class Stream:
    def __init__(self, first_version, start_hash):
        self.first_version = first_version
        self.start_hash = start_hash
        self.version = first_version - 1
        self.hash = start_hash
        self.events = 0
        self.problem = None  # a sentence, once the stream is broken


def check(lines):
    """Checks the lines; returns {stream name: Stream}. Raises BadInput."""
    streams = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        event = parse(number, line)
        name = event["stream"]
        version = event["version"]
        previous = event.get("previousHash")
        stream = streams.get(name)
        if stream is None:
            if version == 1:
                stream = Stream(1, GENESIS)
            elif previous is not None:
                stream = Stream(version, previous)
            else:
                stream = Stream(version, None)
                stream.problem = (f"starts at version {version} without a previousHash (the hash of version "
                                  f"{version - 1}): cannot be checked; export it again with a current "
                                  f"`./ledger replay export`, or without --from")
            streams[name] = stream
        if stream.problem:
            continue
        if version != stream.version + 1:
            stream.problem = f"BROKEN at version {stream.version + 1}: the next line holds version {version}"
            continue
        if previous is not None and previous != stream.hash:
            stream.problem = f"BROKEN at version {version}: its previousHash is not the hash it follows"
            continue
        envelope = {k: v for k, v in event.items() if k not in ("hash", "previousHash")}
        recomputed = hashlib.sha256(stream.hash.encode("ascii") + canonical(envelope)).hexdigest()
        if recomputed != event["hash"]:
            stream.problem = f"BROKEN at version {version}: the stored hash is not the recomputed one"
            continue
        stream.hash = recomputed
        stream.version = version
        stream.events += 1
    return streams


def read_lines(args):
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        raise BadInput(USAGE)
    if not args or args[0] == "-":
        if sys.stdin is None or (not args and sys.stdin.isatty()):
            # At a terminal, waiting for typed events would look like a hang.
            raise BadInput("no input: give the export file as an argument, or redirect it to standard input\n"
                           + USAGE)
        source = "standard input"
        stream = open(sys.stdin.fileno(), encoding="utf-8", closefd=False)
        try:
            return source, stream.read().splitlines()
        except UnicodeDecodeError as e:
            raise BadInput(f"standard input is not UTF-8 ({e})")
    source = args[0]
    try:
        with open(source, encoding="utf-8") as f:
            return source, f.read().splitlines()
    except OSError as e:
        raise BadInput(f"cannot read {source}: {e.strerror}")
    except UnicodeDecodeError as e:
        raise BadInput(f"{source} is not UTF-8 ({e})")


def main(args):
    try:
        source, lines = read_lines(args)
        streams = check(lines)
        if not streams:
            raise BadInput(f"{source} holds no events: nothing was checked (an empty export proves nothing)")
    except BadInput as e:
        print(f"verify_chain: {e}", file=sys.stderr)
        return 2
    broken = 0
    events = 0
    for name in sorted(streams):
        stream = streams[name]
        if stream.problem:
            broken += 1
            print(f"{name} {stream.problem}")
            continue
        events += stream.events
        if stream.first_version == 1:
            print(f"{name} ok {stream.events} events head {stream.hash}")
        else:
            print(f"{name} ok {stream.events} events (versions {stream.first_version}-{stream.version}, "
                  f"from previousHash {stream.start_hash}) head {stream.hash}")
    if broken:
        print(f"FAILED: {broken} of {len(streams)} streams do not check ({source})")
        return 1
    continued = sum(1 for s in streams.values() if s.first_version > 1)
    note = (f"; {continued} start past version 1 and are checked from the previousHash they carry"
            if continued else "")
    print(f"OK: {len(streams)} streams, {events} events ({source}){note}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
