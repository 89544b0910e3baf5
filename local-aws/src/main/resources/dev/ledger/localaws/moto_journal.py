"""A write-ahead journal that makes moto's in-memory state survive a restart, kill -9 included.

Every request that may change state and that moto answered with 2xx is appended to the journal
(one JSON line) before its answer leaves the process. At the next start the journal is replayed,
in order, into the same application in-process, before the port is bound: the emulator comes back
with the same tables, items, streams, stream records, Kinesis records and CloudFormation stacks.

Why replay gives the same state, not just similar state:
- Requests that change state run one at a time (one lock), so the journal's order is the order in
  which moto applied them. Reads are not journaled and run beside them, as before.
- moto's clock is frozen, for the thread running a journaled request, to one instant recorded in
  the entry (moto.core.utils.utcnow, which every moto module calls). Replay freezes it to the same
  instant, so DynamoDB stream labels and ARNs (the table's creation time), record timestamps and
  Kinesis arrival times come out equal. Counters (DynamoDB Streams and Kinesis sequence numbers)
  are equal because the same writes run in the same order.
- moto draws every random id from one generator (mock_random: CloudFormation's physical names,
  IAM role ids, stream record event ids). A journaled request draws from its own generator,
  seeded with a number recorded in the entry, so replay draws the same ids. Reads on other threads
  keep drawing from moto's shared generator.

Durability: the line is written with one unbuffered O_APPEND write before the answer is sent, so
an acknowledged request survives kill -9 of the emulator (the bytes are in the operating system's
page cache). It does not survive a power loss or a kernel crash unless the launcher runs with
--journal-fsync, which costs an fsync per write (see local-aws/BENCHMARK.md for both rates).
A line cut short by a kill belongs to a request whose answer was never sent: replay drops it.
"""

import base64
import datetime
import fcntl
import io
import json
import os
import random
import sys
import threading
import time
from urllib.parse import parse_qs

JOURNAL_FILE = "journal.jsonl"
LOCK_WAIT_SECONDS = 10
PROGRESS_SECONDS = 5

# Actions that only read, whatever the service (JSON protocols name them in X-Amz-Target, query
# protocols in Action). Everything else is journaled: a write left out would be lost on restart,
# a read journaled only costs a line.
READ_PREFIXES = ("Describe", "List", "Get", "BatchGet", "TransactGet")
READ_ACTIONS = {"Query", "Scan"}
# Targets whose every action reads (DynamoDB Streams has no writes; its shard iterators are
# per-process handles, taken again after a restart).
READ_ONLY_TARGETS = ("DynamoDBStreams_",)
# Environ keys a replay must not take from the recorded request: the body is given again, its
# framing is not, and the connection is a new one.
NOT_RECORDED = {"CONTENT_LENGTH", "HTTP_CONTENT_LENGTH", "HTTP_TRANSFER_ENCODING", "HTTP_CONNECTION",
                "HTTP_EXPECT"}

_request = threading.local()  # .frozen_time, .random: set while this thread runs a journaled request


def install_clock_and_random():
    """Makes moto's clock and random ids per-request-controllable; idempotent, call before serving.

    Patches moto.core.utils.utcnow, and the reference every already-imported moto module holds
    (modules imported later pick up the patched one). Swaps the class of moto's random singleton
    for one that draws from the running journaled request's own generator, when there is one."""
    from moto.core import utils
    from moto.moto_api._internal import mock_random
    from moto.moto_api._internal.moto_random import MotoRandom

    original_utcnow = getattr(utils, "_journal_original_utcnow", utils.utcnow)

    def utcnow():
        frozen = getattr(_request, "frozen_time", None)
        return frozen if frozen is not None else original_utcnow()

    utils._journal_original_utcnow = original_utcnow
    utils.utcnow = utcnow
    for name, module in list(sys.modules.items()):
        if name.startswith("moto") and getattr(module, "utcnow", None) is original_utcnow:
            module.utcnow = utcnow

    class PerRequestRandom(MotoRandom):
        # Random's other methods (choice, randint, uuid4 through getrandbits, ...) call these two.
        def random(self):
            own = getattr(_request, "random", None)
            return own.random() if own is not None else super().random()

        def getrandbits(self, k):
            own = getattr(_request, "random", None)
            return own.getrandbits(k) if own is not None else super().getrandbits(k)

    mock_random.__class__ = PerRequestRandom
    return original_utcnow


def changes_state(environ, body):
    """False for requests that only read (see READ_PREFIXES); true for everything else."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        if target.startswith(READ_ONLY_TARGETS):
            return False
        return not _is_read(target.rsplit(".", 1)[-1])
    action = _form_action(environ, body)
    if action:
        return not _is_read(action)
    # REST services (S3, Lambda, API Gateway, moto's own API): the method says it.
    return environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD", "OPTIONS")


def _is_read(action):
    return action in READ_ACTIONS or action.startswith(READ_PREFIXES)


def _form_action(environ, body):
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        return query["Action"][0]
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded") and body:
        form = parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            return form["Action"][0]
    return None


def read_body(environ):
    """The request body, read whole; environ then carries it as a plain, sized stream, as on replay."""
    stream = environ.get("wsgi.input")
    if stream is None:
        body = b""
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()  # chunked: the server de-chunks and ends the stream
    else:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        chunks, left = [], length
        while left > 0:
            chunk = stream.read(left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        body = b"".join(chunks)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("wsgi.input_terminated", None)
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    return body


class Journal:
    """The journal file of one data directory, held with an exclusive lock while this process runs."""

    def __init__(self, directory, fsync=False):
        os.makedirs(directory, exist_ok=True)
        self.path = os.path.join(directory, JOURNAL_FILE)
        self.fsync = fsync
        self.fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        self._lock_file()
        self.lock = threading.Lock()  # one journaled request at a time: the journal's order is moto's

    def _lock_file(self):
        # Two emulators on one journal would interleave their writes. A kill -9'd owner's lock goes
        # with its process; an owner that is still stopping gets a little time.
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"moto_launcher: {self.path} is in use by another emulator "
                                     f"(still locked after {LOCK_WAIT_SECONDS} s)")
                time.sleep(0.1)

    def clear(self):
        os.ftruncate(self.fd, 0)

    def entries(self):
        """The recorded entries, in order. A last line cut short (no newline) is dropped from the file."""
        with open(self.path, "rb") as file:
            data = file.read()
        end = data.rfind(b"\n") + 1
        if end < len(data):
            print(f"moto_launcher: dropping an unfinished last journal line ({len(data) - end} bytes; its "
                  "request was never answered)", file=sys.stderr, flush=True)
            os.ftruncate(self.fd, end)
        for line in data[:end].splitlines():
            if line:
                yield json.loads(line)

    def append(self, entry):
        line = (json.dumps(entry, separators=(",", ":")) + "\n").encode("utf-8")
        view = memoryview(line)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]
        if self.fsync:
            os.fsync(self.fd)


def install(journal, original_utcnow):
    """Wraps moto's WSGI dispatcher so that requests that change state are journaled; returns replay()."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    dispatch = DomainDispatcherApplication.__call__

    def run(app, environ, frozen_time, seed):
        """Runs one request with the clock frozen and ids drawn from `seed`; (status, headers, body)."""
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers
            return lambda data: answer.setdefault("written", []).append(data)

        _request.frozen_time, _request.random = frozen_time, random.Random(seed)
        try:
            chunks = dispatch(app, environ, start_response)
            try:
                body = b"".join(chunks)
            finally:
                if hasattr(chunks, "close"):
                    chunks.close()
        finally:
            _request.frozen_time = _request.random = None
        return answer["status"], answer["headers"], b"".join(answer.get("written", [])) + body

    def journaled_call(app, environ, start_response):
        body = read_body(environ)
        if not changes_state(environ, body):
            return dispatch(app, environ, start_response)
        with journal.lock:
            frozen_time = original_utcnow()
            seed = random.getrandbits(63)
            status, headers, answer = run(app, environ, frozen_time, seed)
            if status[:1] == "2":
                recorded = {key: value for key, value in environ.items()
                            if isinstance(value, str) and key not in NOT_RECORDED
                            and (key.isupper() and not key.startswith("wsgi."))}
                journal.append({"t": frozen_time.isoformat(), "seed": seed, "environ": recorded,
                                "body": base64.b64encode(body).decode("ascii")})
        start_response(status, headers)
        return [answer]

    DomainDispatcherApplication.__call__ = journaled_call

    def replay(app):
        """Applies the journal to `app`'s backends (before serving); prints progress; returns the count."""
        from werkzeug.test import EnvironBuilder

        started = reported = time.monotonic()
        count = diverged = 0
        print(f"moto_launcher: replaying {journal.path} ({os.path.getsize(journal.path):,} bytes)",
              file=sys.stderr, flush=True)
        for entry in journal.entries():
            environ = EnvironBuilder(path="/").get_environ()
            environ.update(entry["environ"])
            body = base64.b64decode(entry["body"])
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            with journal.lock:
                status, _, answer = run(app, environ, datetime.datetime.fromisoformat(entry["t"]), entry["seed"])
            count += 1
            if status[:1] != "2":
                diverged += 1
                print(f"moto_launcher: WARNING: journal entry {count} answered {status} on replay (it was 2xx): "
                      f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')} "
                      f"{environ.get('HTTP_X_AMZ_TARGET', '')} {answer[:300]!r}", file=sys.stderr, flush=True)
            # Progress every few seconds: the Java side's hang guard starts over on each line.
            if time.monotonic() - reported >= PROGRESS_SECONDS:
                reported = time.monotonic()
                print(f"moto_launcher: replayed {count:,} journal entries ({reported - started:.0f} s)",
                      file=sys.stderr, flush=True)
        print(f"moto_launcher: journal {journal.path}: replayed {count} entries in "
              f"{time.monotonic() - started:.1f} s" + (f", {diverged} DIVERGED" if diverged else ""),
              file=sys.stderr, flush=True)
        return count

    return replay
