package dev.ledger.benchmarks;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.StreamChange;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import java.time.Clock;
import java.time.ZoneOffset;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A posted transfer handled in memory, single thread, no I/O: the ledger's unit of work over a
 * log held in memory ({@link MemoryLog}), through the Axon aggregates (transfer created, both
 * accounts' command handlers run). Nothing is appended, so every call decides the same transfer
 * from the same state and measures the same work. Beside it: the same decision plus the stored
 * form the store would write (event codec, canonical JSON, SHA-256 chain), and two baselines
 * from the domain's cheapest operations, the account fold and Money arithmetic.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(java.util.concurrent.TimeUnit.SECONDS)
public class CommandHandlingJmh {

    private final MemoryLog log = new MemoryLog();
    private final Clock clock = Clock.fixed(LogSeeder.START, ZoneOffset.UTC);
    private final TransferRequest request = TransferRequest.posted("bank", "alice", Money.parse("1.00", LogSeeder.EUR));
    private AccountState alice;
    private EntryPosted credit;
    private Money balance;
    private Money amount;

    @Setup
    public void openAccounts() {
        Ledger ledger = new Ledger(log, clock);
        log.append(ledger.openAccount(new OpenAccount("bank", LogSeeder.EUR, OverdraftLimit.UNLIMITED)),
                LogSeeder.START, "setup");
        log.append(ledger.openAccount(new OpenAccount("alice", LogSeeder.EUR, OverdraftLimit.NONE)),
                LogSeeder.START, "setup");
        log.append(ledger.transfer("deposit", request), LogSeeder.START, "setup");
        alice = log.account("alice").orElseThrow().state();
        credit = new EntryPosted("alice", "t", Side.CREDIT, "bank", Money.parse("1.00", LogSeeder.EUR));
        balance = Money.parse("100.00", LogSeeder.EUR);
        amount = Money.parse("1.00", LogSeeder.EUR);
    }

    /** The unit of work of POST /transfers without the store: 3 lookups, 2 account handlers, 1 new transfer. */
    @Benchmark
    public LedgerResult transfer() {
        return new Ledger(log, clock).transfer("t", request);
    }

    /** The same, and its 3 events encoded and hash-chained as the store would write them. */
    @Benchmark
    public void transferEncodedForTheStore(Blackhole sink) {
        LedgerResult result = new Ledger(log, clock).transfer("t", request);
        for (StreamChange change : result.changes()) {
            MemoryLog.Head head = log.head(change.stream());
            sink.consume(MemoryLog.encode(change, head, LogSeeder.START, "bench"));
        }
    }

    /** Baseline: one account event folded into an account's state (what a replay does per event). */
    @Benchmark
    public AccountState accountFold() {
        return alice.evolve(credit);
    }

    /** Baseline: one exact money addition (currency check, overflow check). */
    @Benchmark
    public Money moneyPlus() {
        return balance.plus(amount);
    }
}
