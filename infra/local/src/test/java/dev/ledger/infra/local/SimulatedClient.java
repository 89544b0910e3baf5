package dev.ledger.infra.local;

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
 * void names one of its earlier holds whether that hold was accepted or not; a retry repeats one
 * of its earlier requests as it was), so a seed always sends the same commands. Several clients run
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
     */
    record AccountSpec(String id, String currency, int minorDigits, Long overdraftLimit, boolean openedBySetup) {

        boolean funding() {
            return overdraftLimit == null;
        }

        ObjectNode openBody() {
            ObjectNode body = JsonNodeFactory.instance.objectNode().put("accountId", id).put("currency", currency);
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
        call(new Command(Kind.OPEN_ACCOUNT, account.id(), account.openBody(), false), "/accounts");
    }

    /** Sends the client's next {@code commands} commands, one after the other. */
    void play(int commands) {
        for (int i = 0; i < commands; i++) {
            sent++;
            next("c" + number + "-" + sent);
        }
    }

    private void next(String id) {
        int dice = random.nextInt(100);
        if (dice < 20) {
            AccountSpec to = someCustomer();
            send(transfer(id, fundingOf(to), to, amount(to, 2_000, 20_000), false), false);
        } else if (dice < 45) {
            AccountSpec from = someCustomer();
            // Now and then the other currency's account or the same account, which the ledger refuses.
            AccountSpec to = random.nextInt(15) == 0 ? someAccount() : random.nextInt(25) == 0 ? from
                    : someOtherAccountIn(from);
            send(transfer(id, from, to, amount(from, 100, 8_000), false), false);
        } else if (dice < 52) {
            AccountSpec from = someCustomer();
            send(transfer(id, from, someOtherAccountIn(from), BEYOND_ANY_BALANCE, random.nextInt(4) == 0), true);
        } else if (dice < 67) {
            AccountSpec from = someCustomer();
            sentHolds.add(send(transfer(id, from, someOtherAccountIn(from), amount(from, 100, 6_000), true), false));
        } else if (dice < 78 && !sentHolds.isEmpty()) {
            settle(sentHolds.get(random.nextInt(sentHolds.size())));
        } else if (dice < 86 && !sentTransfers.isEmpty()) {
            retry(sentTransfers.get(random.nextInt(sentTransfers.size())));
        } else if (dice < 89) {
            AccountSpec account = someCustomer();
            frozen.add(account);
            call(new Command(Kind.FREEZE, account.id(), null, false), "/accounts/" + account.id() + "/freeze");
        } else if (dice < 96) {
            // An account this client froze, if any, so that accounts do not stay frozen for long.
            AccountSpec account = frozen.isEmpty() ? someCustomer() : frozen.remove(random.nextInt(frozen.size()));
            call(new Command(Kind.UNFREEZE, account.id(), null, false), "/accounts/" + account.id() + "/unfreeze");
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
            call(new Command(Kind.OPEN_ACCOUNT, account.id(), body, false), "/accounts");
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
        call(command, "/transfers");
        return command;
    }

    /** The same request under the same id; half the time twice at once, as a client that timed out might. */
    private void retry(Command transfer) {
        if (random.nextBoolean()) {
            call(transfer, "/transfers");
            return;
        }
        CompletableFuture<Void> first = callAsync(transfer, "/transfers");
        CompletableFuture<Void> second = callAsync(transfer, "/transfers");
        first.join();
        second.join();
    }

    /** Post (in full, in part, or for more than was held) or void one of this client's holds. */
    private void settle(Command hold) {
        String id = hold.subject();
        if (random.nextInt(3) == 0) {
            call(new Command(Kind.VOID_HOLD, id, null, false), "/transfers/" + id + "/void");
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
        call(new Command(Kind.POST_HOLD, id, body, false), "/transfers/" + id + "/post");
    }

    private void call(Command command, String path) {
        callAsync(command, path).join();
    }

    private CompletableFuture<Void> callAsync(Command command, String path) {
        HttpRequest request = HttpRequest.newBuilder(api.get().resolve(path))
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
