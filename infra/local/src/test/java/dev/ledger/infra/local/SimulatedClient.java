package dev.ledger.infra.local;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.infra.local.CommandJournal.Call;
import dev.ledger.infra.local.CommandJournal.Command;
import dev.ledger.infra.local.CommandJournal.Kind;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One payment client of the simulation: a seeded stream of commands sent to the HTTP API, every
 * answer written to the {@link CommandJournal}.
 *
 * <p>The commands a client sends depend only on its seed, never on the answers it got (a post or
 * void names one of its earlier holds or pending transactions whether it was accepted or not, a
 * reversal one of its earlier transfers; a retry repeats one of its earlier requests as it was), so
 * a seed always sends the same commands. Several clients run
 * at once, so which of them wins a race, and therefore the answers, may differ from run to run.
 */
final class SimulatedClient {

    /** A debit no account can cover: more than every deposit of a run together, plus any overdraft. */
    static final long BEYOND_ANY_BALANCE = 1_000_000_000L;
    static final long HOLD_TIMEOUT_SECONDS = 3600;

    /**
     * An account the clients may use.
     *
     * @param overdraftLimit in minor units; null for unlimited (the funding account of its currency)
     * @param openedBySetup false for an account that only the clients' random commands open
     * @param shards how many shard streams the account is opened with (issue 13); 1 for one not sharded
     */
    record AccountSpec(String id, String currency, int minorDigits, Long overdraftLimit, boolean openedBySetup,
                       int shards) {

        /** An account that is not sharded. */
        AccountSpec(String id, String currency, int minorDigits, Long overdraftLimit, boolean openedBySetup) {
            this(id, currency, minorDigits, overdraftLimit, openedBySetup, 1);
        }

        boolean funding() {
            return overdraftLimit == null;
        }

        ObjectNode openBody() {
            ObjectNode body = JsonNodeFactory.instance.objectNode().put("accountId", id).put("currency", currency);
            if (shards > 1) {
                body.put("shards", shards);
            }
            return overdraftLimit == null ? body.putNull("overdraftLimit")
                    : body.put("overdraftLimit", Money.toDecimalString(overdraftLimit, minorDigits));
        }
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final int number;
    private final SplittableRandom random;
    private final List<AccountSpec> accounts;
    private final Supplier<URI> api;
    private final String token;
    private final CommandJournal journal;
    private final List<Command> sentTransfers = new ArrayList<>();
    private final List<Command> sentHolds = new ArrayList<>();
    private final List<Command> sentSettles = new ArrayList<>();
    private final List<Command> sentTransactions = new ArrayList<>();
    private final List<Command> sentPendingTransactions = new ArrayList<>();
    private final List<Command> sentTransactionSettles = new ArrayList<>();
    private final List<Command> sentReversals = new ArrayList<>();
    private final List<AccountSpec> frozen = new ArrayList<>();
    private int sent;

    /** @param api the HTTP API's base URL, which changes when the local stack restarts */
    SimulatedClient(int number, long seed, List<AccountSpec> accounts, Supplier<URI> api, String token,
                    CommandJournal journal) {
        this.number = number;
        this.random = new SplittableRandom(seed);
        this.accounts = List.copyOf(accounts);
        this.api = api;
        this.token = token;
        this.journal = journal;
    }

    /** Opens an account with its settings (how a run sets up its first accounts). */
    void open(AccountSpec account) {
        call(new Command(Kind.OPEN_ACCOUNT, account.id(), account.openBody(), false));
    }

    /** Sends the client's next {@code commands} commands, one after the other. */
    void play(int commands) {
        for (int i = 0; i < commands; i++) {
            sent++;
            next("c" + number + "-" + sent);
        }
    }

    /**
     * One command, drawn by these shares: transfers 48 (deposits 15, between customers 17, beyond any
     * balance 4, holds 12), posts and voids of holds 9, retries 5, multi-leg transactions 12, their
     * posts and voids 5, reversals 8, freezes 3, unfreezes 7 (more than freezes, so that accounts do
     * not stay frozen for long), opens 3. A command that needs an earlier one of this client (a post,
     * a retry, a reversal) falls through to the next kind until it has one.
     */
    private void next(String id) {
        int dice = random.nextInt(100);
        if (dice < 15) {
            AccountSpec to = someCustomer();
            send(transfer(id, fundingOf(to), to, amount(to, 2_000, 20_000), false), false);
        } else if (dice < 32) {
            AccountSpec from = someCustomer();
            // Now and then the other currency's account or the same account, which the ledger refuses.
            AccountSpec to = random.nextInt(15) == 0 ? someAccount() : random.nextInt(25) == 0 ? from
                    : someOtherAccountIn(from);
            // From a sharded account up to 300.00 rather than 80.00: more than one shard holds now and then,
            // so the debit gathers what its shard lacks from the others (moves between shards).
            send(transfer(id, from, to, amount(from, 100, from.shards() > 1 ? 30_000 : 8_000), false), false);
        } else if (dice < 36) {
            AccountSpec from = someCustomer();
            send(transfer(id, from, someOtherAccountIn(from), BEYOND_ANY_BALANCE, random.nextInt(4) == 0), true);
        } else if (dice < 48) {
            AccountSpec from = someCustomer();
            sentHolds.add(send(transfer(id, from, someOtherAccountIn(from), amount(from, 100, 6_000), true), false));
        } else if (dice < 57 && !sentHolds.isEmpty()) {
            settle(sentHolds.get(random.nextInt(sentHolds.size())));
        } else if (dice < 62 && !sentTransfers.isEmpty()) {
            retry();
        } else if (dice < 74) {
            transaction(id);
        } else if (dice < 79 && !sentPendingTransactions.isEmpty()) {
            settleTransaction(sentPendingTransactions.get(random.nextInt(sentPendingTransactions.size())));
        } else if (dice < 87 && !sentTransfers.isEmpty()) {
            reverse(id);
        } else if (dice < 90) {
            AccountSpec account = someCustomer();
            frozen.add(account);
            call(new Command(Kind.FREEZE, account.id(), null, false));
        } else if (dice < 97) {
            // An account this client froze, if any, so that accounts do not stay frozen for long.
            AccountSpec account = frozen.isEmpty() ? someCustomer() : frozen.remove(random.nextInt(frozen.size()));
            call(new Command(Kind.UNFREEZE, account.id(), null, false));
        } else {
            // Half the time one that is not open yet, if the run has one.
            List<AccountSpec> notOpenedBySetup = accounts.stream().filter(a -> !a.openedBySetup()).toList();
            AccountSpec account = !notOpenedBySetup.isEmpty() && random.nextBoolean()
                    ? notOpenedBySetup.get(random.nextInt(notOpenedBySetup.size())) : someAccount();
            ObjectNode body = account.openBody();
            if (random.nextInt(4) == 0) {
                // Other settings under an id that is open already: refused.
                body.put("overdraftLimit", Money.toDecimalString(account.funding() ? 1 : account.overdraftLimit() + 1,
                        account.minorDigits()));
            }
            call(new Command(Kind.OPEN_ACCOUNT, account.id(), body, false));
        }
    }

    private ObjectNode transfer(String id, AccountSpec from, AccountSpec to, long minorUnits, boolean pending) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("transferId", id).put("debitAccountId", from.id())
                .put("creditAccountId", to.id()).put("amount", Money.toDecimalString(minorUnits, from.minorDigits()))
                .put("currency", from.currency());
        if (pending) {
            body.put("pending", true).put("timeoutSeconds", HOLD_TIMEOUT_SECONDS);
        }
        return body;
    }

    private Command send(ObjectNode transfer, boolean mustBeRefused) {
        Command command = new Command(Kind.TRANSFER, transfer.path("transferId").asText(), transfer, mustBeRefused);
        sentTransfers.add(command);
        call(command);
        return command;
    }

    /**
     * The same request under the same id (one of this client's transfers, or now and then one of its
     * transactions); half the time twice at once, as a client that timed out might.
     */
    private void retry() {
        Command request = !sentTransactions.isEmpty() && random.nextInt(3) == 0
                ? sentTransactions.get(random.nextInt(sentTransactions.size()))
                : sentTransfers.get(random.nextInt(sentTransfers.size()));
        callOnceOrTwiceAtOnce(request);
    }

    private void callOnceOrTwiceAtOnce(Command command) {
        if (random.nextBoolean()) {
            call(command);
            return;
        }
        CompletableFuture<Void> first = callAsync(command);
        CompletableFuture<Void> second = callAsync(command);
        first.join();
        second.join();
    }

    /**
     * Post (in full, in part, or for more than was held) or void one of this client's holds; a
     * quarter of the time, one of its earlier posts or voids again, as it was (repeatable once it
     * completed the hold).
     */
    private void settle(Command hold) {
        if (!sentSettles.isEmpty() && random.nextInt(4) == 0) {
            callOnceOrTwiceAtOnce(sentSettles.get(random.nextInt(sentSettles.size())));
            return;
        }
        String id = hold.subject();
        if (random.nextInt(3) == 0) {
            sentSettles.add(call(new Command(Kind.VOID_HOLD, id, null, false)));
            return;
        }
        CurrencyUnit currency = CurrencyUnit.of(hold.body().path("currency").asText());
        int digits = currency.minorDigits();
        long held = Money.parse(hold.body().path("amount").asText(), currency).minorUnits();
        ObjectNode body = null;
        int how = random.nextInt(4);
        if (how == 1) {
            body = JsonNodeFactory.instance.objectNode().put("amount", Money.toDecimalString(1 + random.nextLong(held),
                    digits));
        } else if (how == 2) {
            body = JsonNodeFactory.instance.objectNode().put("amount", Money.toDecimalString(held + 1, digits));
        }
        sentSettles.add(call(new Command(Kind.POST_HOLD, id, body, false)));
    }

    /**
     * A multi-leg transaction: one payer and two or three payees in one currency (now and then the
     * funding account pays, or the payer is also paid back part in an entry of its own), or, a fifth
     * of the time, a currency exchange: a customer pays one currency's funding account and the other
     * currency's funding account pays a customer, balanced per currency. Half are pending, to be
     * posted or voided later (unless the client chose them to be refused). One in ten does not balance by a minor unit, and one in twelve asks a
     * customer for more than any balance: both must be refused.
     */
    private void transaction(String id) {
        boolean beyond = random.nextInt(12) == 0;
        ArrayNode entries = JsonNodeFactory.instance.arrayNode();
        if (random.nextInt(5) == 0) {
            AccountSpec payer = someCustomerIn(random.nextBoolean() ? "EUR" : "JPY");
            AccountSpec payee = someCustomerIn(payer.currency().equals("EUR") ? "JPY" : "EUR");
            long paid = beyond ? BEYOND_ANY_BALANCE : amount(payer, 300, 4_000);
            // About 150 yen to the euro, whichever way: the rate is the client's, each currency balances.
            long received = payer.minorDigits() == 2 ? paid * 3 / 2 : Math.max(1, paid * 2 / 3);
            entry(entries, payer, "debit", paid);
            entry(entries, fundingOf(payer), "credit", paid);
            entry(entries, fundingOf(payee), "debit", received);
            entry(entries, payee, "credit", received);
        } else {
            AccountSpec payer = !beyond && random.nextInt(4) == 0 ? someFunding() : someCustomer();
            long total = beyond ? BEYOND_ANY_BALANCE
                    : payer.funding() ? amount(payer, 2_000, 20_000) : amount(payer, 300, 4_000);
            int parts = 2 + random.nextInt(2);
            List<AccountSpec> payees = new ArrayList<>();
            // Not in a debit beyond any balance, whose net would then be what the payer is paid back.
            boolean paysItselfBack = !beyond && random.nextInt(6) == 0;
            for (int i = 0; i < parts; i++) {
                payees.add(paysItselfBack && i == 0 ? payer : someOtherAccountIn(payer));
            }
            entry(entries, payer, "debit", total);
            long left = total;
            for (int i = 0; i < parts; i++) {
                // At least one minor unit for each part still to come.
                long part = i == parts - 1 ? left : 1 + random.nextLong(left - (parts - 1 - i));
                entry(entries, payees.get(i), "credit", part);
                left -= part;
            }
        }
        boolean unbalanced = random.nextInt(10) == 0;
        if (unbalanced) {
            ObjectNode last = (ObjectNode) entries.get(entries.size() - 1);
            AccountSpec account = spec(last.path("accountId").asText());
            long amount = Money.parse(last.path("amount").asText(), CurrencyUnit.of(account.currency())).minorUnits();
            last.put("amount", Money.toDecimalString(amount + 1, account.minorDigits()));
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("transactionId", id);
        body.set("entries", entries);
        boolean pending = random.nextBoolean();
        if (pending) {
            body.put("pending", true).put("timeoutSeconds", HOLD_TIMEOUT_SECONDS);
        }
        body.putObject("metadata").put("client", Integer.toString(number));
        Command command = new Command(Kind.TRANSACTION, id, body, beyond || unbalanced);
        sentTransactions.add(command);
        if (pending && !command.mustBeRefused()) {
            sentPendingTransactions.add(command);
        }
        call(command);
    }

    private static void entry(ArrayNode entries, AccountSpec account, String direction, long minorUnits) {
        entries.addObject().put("accountId", account.id()).put("direction", direction)
                .put("amount", Money.toDecimalString(minorUnits, account.minorDigits())).put("currency", account.currency());
    }

    /**
     * Post or void one of this client's pending transactions; a quarter of the time one of its earlier
     * posts or voids of a transaction again (the completing one again is answered as it was, any other
     * is refused).
     */
    private void settleTransaction(Command transaction) {
        if (!sentTransactionSettles.isEmpty() && random.nextInt(4) == 0) {
            call(sentTransactionSettles.get(random.nextInt(sentTransactionSettles.size())));
            return;
        }
        Kind kind = random.nextInt(3) == 0 ? Kind.VOID_TRANSACTION : Kind.POST_TRANSACTION;
        sentTransactionSettles.add(call(new Command(kind, transaction.subject(), null, false)));
    }

    /**
     * A reversal of one of this client's transfers: of all that is still reversible (no amount), of a
     * part, or of more than the transfer asked for (which it cannot have posted: must be refused). A
     * quarter of the time one of its earlier reversals again under the same reversal id (half the time
     * twice at once), and now and then a reversal of one of its reversals (must be refused).
     */
    private void reverse(String id) {
        if (!sentReversals.isEmpty() && random.nextInt(4) == 0) {
            callOnceOrTwiceAtOnce(sentReversals.get(random.nextInt(sentReversals.size())));
            return;
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("reversalId", id);
        if (!sentReversals.isEmpty() && random.nextInt(12) == 0) {
            String reversal = sentReversals.get(random.nextInt(sentReversals.size())).subject();
            call(new Command(Kind.REVERSE, id, body, true, reversal));
            return;
        }
        // Mostly one that posted at once if it was accepted; a quarter of the time a hold (reversible once
        // posted, in full or in part); never one the client chose to be refused, which nothing can reverse.
        boolean aHold = random.nextInt(4) == 0;
        List<Command> candidates = sentTransfers.stream()
                .filter(t -> !t.mustBeRefused() && t.body().path("pending").asBoolean(false) == aHold).toList();
        Command transfer = candidates.isEmpty() ? sentTransfers.get(random.nextInt(sentTransfers.size()))
                : candidates.get(random.nextInt(candidates.size()));
        CurrencyUnit currency = CurrencyUnit.of(transfer.body().path("currency").asText());
        long asked = Money.parse(transfer.body().path("amount").asText(), currency).minorUnits();
        boolean beyond = false;
        int how = random.nextInt(6);
        if (how == 1) {
            beyond = true;
            body.put("amount", Money.toDecimalString(asked + 1, currency.minorDigits()));
        } else if (how > 1) {
            body.put("amount", Money.toDecimalString(1 + random.nextLong(Math.max(1, asked * 2 / 3)),
                    currency.minorDigits()));
        }
        Command command = new Command(Kind.REVERSE, id, body, beyond, transfer.subject());
        sentReversals.add(command);
        call(command);
    }

    private Command call(Command command) {
        callAsync(command).join();
        return command;
    }

    private CompletableFuture<Void> callAsync(Command command) {
        HttpRequest request = HttpRequest.newBuilder(api.get().resolve(command.path()))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(command.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(command.body().toString()))
                .build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenAccept(response -> journal.record(new Call(number, command, response.statusCode(), response.body())));
    }

    private long amount(AccountSpec account, int minCents, int maxCents) {
        // The same value range in both currencies: cents of a euro, whole yen times 1.5 or so.
        long cents = minCents + random.nextInt(maxCents - minCents);
        return account.minorDigits() == 2 ? cents : cents * 3 / 2;
    }

    private AccountSpec someAccount() {
        return accounts.get(random.nextInt(accounts.size()));
    }

    private AccountSpec someCustomer() {
        List<AccountSpec> customers = accounts.stream().filter(a -> !a.funding()).toList();
        return customers.get(random.nextInt(customers.size()));
    }

    private AccountSpec someCustomerIn(String currency) {
        List<AccountSpec> customers = accounts.stream().filter(a -> !a.funding() && a.currency().equals(currency))
                .toList();
        return customers.get(random.nextInt(customers.size()));
    }

    private AccountSpec someFunding() {
        List<AccountSpec> funding = accounts.stream().filter(AccountSpec::funding).toList();
        return funding.get(random.nextInt(funding.size()));
    }

    private AccountSpec spec(String id) {
        return accounts.stream().filter(a -> a.id().equals(id)).findFirst().orElseThrow();
    }

    private AccountSpec someOtherAccountIn(AccountSpec account) {
        List<AccountSpec> others = accounts.stream()
                .filter(a -> a.currency().equals(account.currency()) && !a.equals(account)).toList();
        return others.get(random.nextInt(others.size()));
    }

    private AccountSpec fundingOf(AccountSpec account) {
        return accounts.stream().filter(a -> a.funding() && a.currency().equals(account.currency())).findFirst()
                .orElseThrow();
    }
}
