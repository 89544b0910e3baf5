"""Restart time of `./ledger local` per 10,000 events (the figure in local-aws/BENCHMARK.md and the README).

Starts `./ledger local` on a fresh data directory, seeds the ledger over HTTP (8 clients; posted
transfers from a funding account to 50 customers) until the events table holds --events events,
waits until the projections have caught up (the transfers table holds every transfer), then kills
the stack's JVM and its emulator with SIGKILL together, starts the script again on the same data
directory and times it until the API answers (GET /health) and until the state file says it
serves. Prints one markdown row.

Usage (from the repository root, after a build): python3 local-aws/bench/restart_time.py [--events 10000]
Needs boto3 (it comes with moto). Uses LEDGER_SKIP_BUILD=1: build first (any ./ledger local does).
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def start(data_dir, state_file, log):
    env = dict(os.environ, LEDGER_SKIP_BUILD="1", LEDGER_STATE_FILE=state_file,
               LEDGER_MOTO_LOG_DIR=os.path.join(os.path.dirname(state_file), "moto-logs"))
    env.pop("LEDGER_AWS_ENDPOINT", None)
    env.pop("LEDGER_API_TOKENS", None)
    return subprocess.Popen(["bash", os.path.join(ROOT, "ledger"), "local", "--port", "0", "--data-dir", data_dir,
                             "--hide-tokens"], stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env)


def await_state(process, state_file):
    """Polls the state file (written once the stack serves) until it names this process."""
    while True:
        if process.poll() is not None:
            sys.exit(f"ledger local exited with {process.returncode}")
        try:
            with open(state_file) as f:
                state = json.load(f)
            if state.get("pid") == process.pid:
                return state
        except (OSError, ValueError):
            pass
        time.sleep(0.05)


def await_health(url):
    while True:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.05)


def post(url, token, path, body):
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def count(dynamo, table):
    total, kwargs = 0, {}
    while True:
        page = dynamo.scan(TableName=table, Select="COUNT", **kwargs)
        total += page["Count"]
        if "LastEvaluatedKey" not in page:
            return total
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="ledger-restart-")
    data_dir, state_file = os.path.join(work, "data"), os.path.join(work, "local.json")

    first = start(data_dir, state_file, os.path.join(work, "local-1.log"))
    state = await_state(first, state_file)
    url, token = state["httpUrl"], state["tokens"]["payments"]
    outputs = state["outputs"]
    dynamo = boto3.client("dynamodb", endpoint_url=state["emulatorEndpoint"], region_name="us-east-1",
                          aws_access_key_id="local", aws_secret_access_key="local")
    customers = [f"r-c{i}" for i in range(50)]
    assert post(url, token, "/accounts", {"accountId": "r-funding", "currency": "EUR", "overdraftLimit": None}) in (200, 201)
    for c in customers:
        assert post(url, token, "/accounts", {"accountId": c, "currency": "EUR", "overdraftLimit": "0.00"}) in (200, 201)

    seeded = time.monotonic()
    next_id, lock, stop = [0], threading.Lock(), threading.Event()
    accepted = [0]

    def client():
        while not stop.is_set():
            with lock:
                i = next_id[0]
                next_id[0] += 1
            status = post(url, token, "/transfers", {"transferId": f"r-t{i}", "debitAccountId": "r-funding",
                                                      "creditAccountId": customers[i % len(customers)],
                                                      "amount": "1.00", "currency": "EUR"})
            if status in (200, 201):
                with lock:
                    accepted[0] += 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(8)]
    for t in threads:
        t.start()
    events = 0
    while events < args.events:
        time.sleep(5)
        events = count(dynamo, outputs["EventsTableName"])
        print(f"  {events} events, {accepted[0]} transfers accepted", file=sys.stderr, flush=True)
    stop.set()
    for t in threads:
        t.join()
    events = count(dynamo, outputs["EventsTableName"])
    seconds_seeding = time.monotonic() - seeded
    # The projections caught up: every accepted transfer is in the transfers table.
    while count(dynamo, outputs["TransfersTableName"]) < accepted[0]:
        time.sleep(2)
    journal = os.path.join(data_dir, "emulator", "journal.jsonl")
    with open(journal, "rb") as f:
        entries = sum(1 for _ in f)
    size_mb = os.path.getsize(journal) / 1e6

    os.kill(state["emulatorPid"], signal.SIGKILL)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    restarted_at = time.monotonic()
    second = start(data_dir, state_file, os.path.join(work, "local-2.log"))
    state2 = await_state(second, state_file)
    await_health(state2["httpUrl"])
    seconds = time.monotonic() - restarted_at
    assert state2["tokens"] == state["tokens"] and state2["outputs"] == outputs
    print(f"| {events:,} | {accepted[0]:,} | {entries:,} ({size_mb:.0f} MB) | {seconds:.1f} s | "
          f"{seconds * 10_000 / events:.1f} s | seeded in {seconds_seeding:.0f} s |")
    second.send_signal(signal.SIGTERM)
    second.wait()
    print(f"(work directory {work})", file=sys.stderr)


if __name__ == "__main__":
    main()
