"""Starts moto's server (all services on one port, like `moto_server -H HOST -p PORT`) with two
performance fixes for DynamoDB, applied only to the moto version they were written against.

Usage: python3 moto_launcher.py [--data-dir DIR [--fresh] [--journal-fsync]] [--stop-on-stdin-close]
                                 -H 127.0.0.1 -p PORT   (the last arguments are moto_server's own)

  --data-dir DIR         keep the emulator's state in DIR/journal.jsonl (see moto_journal.py): it is
                         replayed before the port is bound, so a restart, even after kill -9, finds
                         every write moto acknowledged. Without it the state lives in memory only.
  --fresh                start with an empty journal
  --journal-fsync        fsync the journal after every write (survives power loss, costs speed)
  --stop-on-stdin-close  exit when stdin reaches its end: the Java parent (MotoServer) holds the
                         other end of the pipe, so an emulator whose parent was killed goes too

The fixes replace work, never behaviour: every response, error and stream record is meant to be
the one plain moto gives for the same requests (MotoLauncherDifferentialIT checks that).

1. Query on a table's own hash key. moto's Table.query builds `all_items()` - every item of the
   table, sorted - and then keeps the ones with the wanted hash key, on every call. While such a
   query runs, all_items() here returns only that one partition, sorted the same way, so the rest
   of moto's query code (key conditions, order, Limit, ExclusiveStartKey, filters, projection)
   runs unchanged on the same items in the same order. Index queries are left alone.

2. TransactWriteItems. moto deep-copies every table a transaction touches, so that it can put
   the copies back if the transaction fails: the cost grows with the table, and the copies stay
   registered in moto's model registry, so memory grows with every transaction. Here moto's own
   transact_write_items first runs as a dry run against stand-in tables that hold only the items
   the transaction names (so every check and every error, TransactionCanceledException with its
   CancellationReasons included, is moto's), and only if that passes are the same writes applied
   to the real tables through moto's put_item/update_item/delete_item, in request order, which is
   also what emits the DynamoDB Streams records, exactly as plain moto does. A failed transaction
   writes nothing and emits no stream record. Transactions run one at a time.
   Two deliberate differences, both cases where plain moto leaves the writes of a failed
   transaction in place (its rollback misses them) and the launcher, like DynamoDB, writes
   nothing: a table the transaction names only by its ARN, and a TransactItems entry
   holding more than one operation (which the SDKs do not send).

3. Request dispatch. For every request moto lists its own package directory (a stat per service,
   about 200) to route it, and lists the methods of the service's response class with
   inspect.getmembers to find the action; both answers never change while the process runs, so
   they are computed once. About a quarter of a conditional PutItem's time in moto (profiled).

The Java side (MotoServer) passes `-p 0`, so that the port is picked when moto binds it (no other
process can take it in between), reads the port from werkzeug's "Running on http://HOST:PORT" line,
and then polls it with a short HTTP request until the server answers; so this script prints no
READY line of its own, and the same works for plain moto.
"""

import copy
import os
import sys
import threading
from collections import defaultdict

KNOWN_MOTO_VERSION = "5.2.1"
INSTALL_HINT = "pip install 'moto[server]==5.2.1'"


def main(argv):
    options, argv = _own_options(argv)
    try:
        import moto
        from moto import server
    except ImportError as error:
        print(f"moto_launcher: cannot import moto ({error}). Install it with: {INSTALL_HINT}",
              file=sys.stderr, flush=True)
        return 3
    if moto.__version__ == KNOWN_MOTO_VERSION:
        install_query_fix()
        install_transaction_fix()
        install_dispatch_caches()
        print(f"moto_launcher: moto {moto.__version__}, DynamoDB fixes installed "
              "(partition-only Query, TransactWriteItems without table copies, cached dispatch)",
              file=sys.stderr, flush=True)
    else:
        print(f"moto_launcher: WARNING: moto {moto.__version__} is not {KNOWN_MOTO_VERSION}, the "
              "version the fixes were written for; running plain moto. To get the fixes: "
              f"{INSTALL_HINT}", file=sys.stderr, flush=True)
    journal = None
    if options["data_dir"]:
        # The journal patches moto's clock and random ids; only 5.2.1 was checked for it.
        if moto.__version__ != KNOWN_MOTO_VERSION:
            print(f"moto_launcher: --data-dir needs moto {KNOWN_MOTO_VERSION} ({INSTALL_HINT})",
                  file=sys.stderr, flush=True)
            return 2
        journal = _open_journal(options)
    if options["stop_on_stdin_close"]:
        threading.Thread(target=_exit_when_stdin_closes, args=(journal,), daemon=True,
                         name="stdin-watch").start()
    server.main(argv)
    return 0


def _own_options(argv):
    """The launcher's own options, and the rest for moto_server."""
    options = {"data_dir": None, "fresh": False, "fsync": False, "stop_on_stdin_close": False}
    rest = []
    args = iter(argv)
    for arg in args:
        if arg == "--data-dir":
            options["data_dir"] = next(args, None)
            if not options["data_dir"]:
                raise SystemExit("moto_launcher: --data-dir needs a directory")
        elif arg == "--fresh":
            options["fresh"] = True
        elif arg == "--journal-fsync":
            options["fsync"] = True
        elif arg == "--stop-on-stdin-close":
            options["stop_on_stdin_close"] = True
        else:
            rest.append(arg)
    return options, rest


def _open_journal(options):
    """Opens (locks) the data directory's journal, replays it into moto, and journals from then on."""
    import moto_journal
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    journal = moto_journal.Journal(options["data_dir"], fsync=options["fsync"])
    if options["fresh"]:
        journal.clear()
    original_utcnow = moto_journal.install_clock_and_random()
    replay = moto_journal.install(journal, original_utcnow)
    replay(DomainDispatcherApplication(create_backend_app))
    print(f"moto_launcher: journaling writes to {journal.path}"
          + (" (fsync per write)" if options["fsync"] else ""), file=sys.stderr, flush=True)
    return journal


def _exit_when_stdin_closes(journal):
    try:
        while sys.stdin.buffer.read(65536):
            pass
    except (OSError, ValueError):
        pass
    # The journal's lock: no write is half done when the process goes.
    if journal is not None:
        journal.lock.acquire()
    print("moto_launcher: stdin closed (the parent process is gone); exiting", file=sys.stderr, flush=True)
    os._exit(0)


# --- 1. Query reads one partition -------------------------------------------------------------

def install_query_fix():
    from moto.dynamodb.models.table import Table

    # The table and hash key of the base-table query running on this thread, if any. moto serves
    # requests on several threads, so the restriction must not leak into another request.
    running_query = threading.local()
    original_query = Table.query
    original_all_items = Table.all_items

    # Same parameters as moto's Table.query, up to the one that tells an index query apart.
    def query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
              scan_index_forward, projection_expressions, index_name=None, *args, **kwargs):
        def run():
            return original_query(self, hash_key, range_comparison, range_objs, limit,
                                  exclusive_start_key, scan_index_forward,
                                  projection_expressions, index_name, *args, **kwargs)

        if index_name or hash_key is None:
            return run()
        running_query.table, running_query.hash_key = self, hash_key
        try:
            return run()
        finally:
            running_query.table = running_query.hash_key = None

    def all_items(self):
        if getattr(running_query, "table", None) is not self:
            return original_all_items(self)
        # moto's all_items() restricted to one partition: the same items (those whose hash key
        # equals the queried one: dict lookup uses the same __eq__/__hash__), in the same order.
        # .get, not [...]: self.items is a defaultdict and a lookup must not create a partition.
        hash_set = self.items.get(running_query.hash_key)
        if hash_set is None:
            return []
        items = list(hash_set.values()) if self.range_key_attr else [hash_set]
        return sorted(
            items,
            key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key,
        )

    Table.query = query
    Table.all_items = all_items


# --- 2. TransactWriteItems without table copies -----------------------------------------------

def install_transaction_fix():
    from moto.dynamodb.models import DynamoDBBackend

    original_transact_write_items = DynamoDBBackend.transact_write_items
    # Transactions are checked and applied one at a time, so that no other transaction writes
    # between a transaction's dry run and its writes.
    transactions = threading.Lock()

    def transact_write_items(self, transact_items):
        with transactions:
            # Raises exactly what plain moto raises (validation errors, or
            # TransactionCanceledException with the same CancellationReasons); writes nothing real.
            original_transact_write_items(_dry_run_backend(self, transact_items), transact_items)
            _apply_writes(self, transact_items)

    DynamoDBBackend.transact_write_items = transact_write_items


def _dry_run_backend(backend, transact_items):
    """A throwaway copy of the backend whose tables hold only the items the transaction names."""
    dry_run = copy.copy(backend)  # shallow: everything but `tables` is shared, and only read
    dry_run.tables = {}
    for entry in transact_items:
        for op_type, op in entry.items():
            table = _table_or_none(backend, op)
            if table is None:
                continue  # moto reports the missing table itself, from the dry run
            stand_in = dry_run.tables.get(table.name)
            if stand_in is None:
                stand_in = dry_run.tables[table.name] = _stand_in_for(table)
            key = _key_or_none(table, op_type, op)
            stored = _stored_item(table, key) if key else None
            if stored is not None:
                hash_key, range_key = key
                # A copy: moto's update_item changes the item it finds in place.
                if table.range_key_attr:
                    stand_in.items[hash_key][range_key] = copy.deepcopy(stored)
                else:
                    stand_in.items[hash_key] = copy.deepcopy(stored)
    return dry_run


def _stand_in_for(table):
    # object.__new__ skips moto's model registry (BaseModel.__new__ keeps every instance forever).
    stand_in = object.__new__(type(table))
    stand_in.__dict__.update(table.__dict__)
    stand_in.items = defaultdict(dict)
    stand_in.stream_shard = None  # the dry run emits no stream records ...
    stand_in.lambda_event_source_mappings = {}  # ... and invokes nothing
    # moto snapshots each touched table with copy.deepcopy, to restore it on failure. The stand-in
    # is thrown away after the dry run, so its snapshot can be the stand-in itself.
    stand_in.__deepcopy__ = lambda memo: stand_in
    return stand_in


def _table_or_none(backend, op):
    try:
        return backend.get_table(op["TableName"])
    except Exception:  # noqa: BLE001 - any malformed operation: moto's dry run reports it
        return None


def _key_or_none(table, op_type, op):
    """(hash, range) of the item an operation names, read the way moto reads it, or None."""
    try:
        attrs = op["Item"] if op_type == "Put" else op["Key"]
        from moto.dynamodb.models.dynamo_type import DynamoType

        hash_key = DynamoType(attrs[table.hash_key_attr])
        range_key = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
        return hash_key, range_key
    except Exception:  # noqa: BLE001 - moto's dry run rejects such an operation itself
        return None


def _stored_item(table, key):
    hash_key, range_key = key
    hash_set = table.items.get(hash_key)  # .get: never create an empty partition
    if hash_set is None:
        return None
    if table.range_key_attr:
        return hash_set.get(range_key) if isinstance(hash_set, dict) else None
    return hash_set


def _apply_writes(backend, transact_items):
    """The writes of moto's transact_write_items loop, same calls in the same order.

    The dry run passed, so these succeed. Should one fail anyway, the items written so far and
    their stream records are put back, so the transaction stays all-or-nothing."""
    undo = []  # (table, key, item before the write)
    stream_lengths = {}  # table name -> (table, number of stream records before the transaction)
    try:
        for entry in transact_items:
            op_type, op = next(iter(entry.items()))
            if op_type == "ConditionCheck":
                continue
            table = backend.get_table(op["TableName"])
            if table.stream_shard is not None and table.name not in stream_lengths:
                stream_lengths[table.name] = (table, len(table.stream_shard.items))
            key = _key_or_none(table, op_type, op)
            undo.append((table, key, copy.deepcopy(_stored_item(table, key))))
            condition = dict(
                condition_expression=op.get("ConditionExpression"),
                expression_attribute_names=op.get("ExpressionAttributeNames"),
                expression_attribute_values=op.get("ExpressionAttributeValues"),
            )
            if op_type == "Put":
                backend.put_item(op["TableName"], op["Item"], **condition)
            elif op_type == "Delete":
                backend.delete_item(op["TableName"], op["Key"], **condition)
            elif op_type == "Update":
                backend.update_item(op["TableName"], op["Key"],
                                    update_expression=op["UpdateExpression"], **condition)
    except Exception:
        for table, key, before in reversed(undo):
            _restore(table, key, before)
        for table, length in stream_lengths.values():
            if table.stream_shard is not None:
                del table.stream_shard.items[length:]
        print("moto_launcher: a transaction write failed after its dry run passed; the "
              "transaction was rolled back", file=sys.stderr, flush=True)
        raise


def _restore(table, key, before):
    hash_key, range_key = key
    if table.range_key_attr:
        partition = table.items[hash_key]
        if before is None:
            partition.pop(range_key, None)
        else:
            partition[range_key] = before
    elif before is None:
        table.items.pop(hash_key, None)
    else:
        table.items[hash_key] = before


# --- 3. Dispatch without listing directories and classes on every request ---------------------

def install_dispatch_caches():
    from moto import backends
    from moto.core import responses

    # The installed services: moto's package directories, which do not change while it runs.
    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules

    original_method_names = responses.method_names_from_class
    method_names = {}  # response class -> frozenset of its function names; classes do not change

    def method_names_from_class(clazz):
        names = method_names.get(clazz)
        if names is None:
            names = method_names[clazz] = frozenset(original_method_names(clazz))
        return names  # the caller only asks `action in names`

    responses.method_names_from_class = method_names_from_class


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
