package dev.ledger.infra.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Every command the simulated clients sent and what the API answered, in the order the answers
 * came back. The simulation's invariants compare it with the log: what was acknowledged must be
 * there exactly once, what was refused must have changed nothing.
 */
final class CommandJournal {

    enum Kind { OPEN_ACCOUNT, TRANSFER, POST_HOLD, VOID_HOLD, FREEZE, UNFREEZE }

    /**
     * One command.
     *
     * @param subject the account or transfer id the command is about
     * @param body the JSON sent; null when the route takes none
     * @param mustBeRefused the client chose it so that the ledger has to refuse it (a debit far
     *     beyond any balance and overdraft)
     */
    record Command(Kind kind, String subject, JsonNode body, boolean mustBeRefused) {
    }

    /** One answer: 2xx is acknowledged; anything else is a refusal. */
    record Call(int client, Command command, int status, String response) {

        boolean acknowledged() {
            return status >= 200 && status < 300;
        }

        @Override
        public String toString() {
            return "client " + client + " " + command.kind() + " " + command.subject()
                    + (command.body() == null ? "" : " " + command.body()) + " -> " + status + " " + response;
        }
    }

    private final List<Call> calls = new ArrayList<>();

    synchronized void record(Call call) {
        calls.add(call);
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    /** The calls of one kind about one subject, in answer order. */
    synchronized List<Call> about(Kind kind, String subject) {
        return select(call -> call.command().kind() == kind && call.command().subject().equals(subject));
    }

    synchronized List<String> subjects(Kind kind) {
        return calls.stream().filter(call -> call.command().kind() == kind).map(call -> call.command().subject())
                .distinct().toList();
    }

    private List<Call> select(Predicate<Call> which) {
        return calls.stream().filter(which).toList();
    }
}
