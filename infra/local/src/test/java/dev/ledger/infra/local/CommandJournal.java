package dev.ledger.infra.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Every command the simulated clients sent and what the API answered, in the order the answers
 * came back. The simulation's invariants compare it with the log: what was acknowledged must be
 * there exactly once, what was refused must have changed nothing.
 */
final class CommandJournal {

    enum Kind {
        OPEN_ACCOUNT, TRANSFER, POST_HOLD, VOID_HOLD, REVERSE, TRANSACTION, POST_TRANSACTION, VOID_TRANSACTION, FREEZE,
        UNFREEZE
    }

    /**
     * One command.
     *
     * @param subject the account, transfer, transaction or reversal id the command is about
     * @param body the JSON sent; null when the route takes none
     * @param mustBeRefused the client chose it so that the ledger has to refuse it (a debit far
     *     beyond any balance and overdraft, a transaction that does not balance, a reversal of more
     *     than the transfer could have posted, a reversal of a reversal)
     * @param original for a reversal, the transfer it names in its path; null for other commands
     */
    record Command(Kind kind, String subject, JsonNode body, boolean mustBeRefused, String original) {

        Command(Kind kind, String subject, JsonNode body, boolean mustBeRefused) {
            this(kind, subject, body, mustBeRefused, null);
        }

        /** The route it is sent to. */
        String path() {
            return switch (kind) {
                case OPEN_ACCOUNT -> "/accounts";
                case TRANSFER -> "/transfers";
                case POST_HOLD -> "/transfers/" + subject + "/post";
                case VOID_HOLD -> "/transfers/" + subject + "/void";
                case REVERSE -> "/transfers/" + original + "/reverse";
                case TRANSACTION -> "/transactions";
                case POST_TRANSACTION -> "/transactions/" + subject + "/post";
                case VOID_TRANSACTION -> "/transactions/" + subject + "/void";
                case FREEZE -> "/accounts/" + subject + "/freeze";
                case UNFREEZE -> "/accounts/" + subject + "/unfreeze";
            };
        }
    }

    /** One answer: 2xx is acknowledged; anything else is a refusal. */
    record Call(int client, Command command, int status, String response) {

        boolean acknowledged() {
            return status >= 200 && status < 300;
        }

        /** The error code of a refusal ({@code {"error","message"}}); null for an answer without one. */
        String error() {
            try {
                JsonNode error = JSON.readTree(response).get("error");
                return error == null || !error.isTextual() ? null : error.asText();
            } catch (JsonProcessingException notJson) {
                return null;
            }
        }

        @Override
        public String toString() {
            return "client " + client + " " + command.kind() + " " + command.subject()
                    + (command.body() == null ? "" : " " + command.body()) + " -> " + status + " " + response;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

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

    /** The reversals that name this transfer in their path, in answer order. */
    synchronized List<Call> reversalsOf(String transferId) {
        return select(call -> call.command().kind() == Kind.REVERSE && transferId.equals(call.command().original()));
    }

    /** Every id a command of this kind was about, in the order of their first answer. */
    synchronized List<String> subjects(Kind kind) {
        return calls.stream().filter(call -> call.command().kind() == kind).map(call -> call.command().subject())
                .distinct().toList();
    }

    /**
     * What each kind of command was answered, e.g. {@code TRANSFER={201=30, 200=4, insufficient_funds=12}}:
     * a run's summary, which shows which flows its seed reached.
     */
    synchronized Map<Kind, Map<String, Long>> answersByKind() {
        Map<Kind, Map<String, Long>> answers = new EnumMap<>(Kind.class);
        for (Call call : calls) {
            String answer = call.acknowledged() || call.error() == null ? Integer.toString(call.status()) : call.error();
            answers.computeIfAbsent(call.command().kind(), k -> new TreeMap<>()).merge(answer, 1L, Long::sum);
        }
        return answers;
    }

    private List<Call> select(Predicate<Call> which) {
        return calls.stream().filter(which).toList();
    }
}
