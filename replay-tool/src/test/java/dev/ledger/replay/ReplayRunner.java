package dev.ledger.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The replay tool as an operator runs it, against one workload's tables on the emulator. */
final class ReplayRunner {

    private static final ObjectMapper JSON = new ObjectMapper();

    final String control;
    private final String endpoint;
    private final Workload workload;

    ReplayRunner(String endpoint, Workload workload, String control) {
        this.endpoint = endpoint;
        this.workload = workload;
        this.control = control;
        // As deployed: the stack creates the control table (ControlTable), so the tool only finds it,
        // and the operator's policy need not let it create one (the policy-coverage IT holds it to that).
        new ControlTable(workload.dynamo(), control).ensureExists();
        ReplayCalls.tables(Map.of(workload.events, "EventsTable", workload.balances, "BalancesTable",
                workload.history, "HistoryTable", workload.transfers, "TransfersTable", workload.metadata, "MetadataTable",
                control, "ControlTable"));
    }

    Run run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--endpoint", endpoint, "--events-table", workload.events,
                "--balances-table", workload.balances, "--history-table", workload.history,
                "--transfers-table", workload.transfers, "--metadata-table", workload.metadata, "--control-table", control,
                "--state-file", "does-not-exist.json"));
        if (!all.contains("--progress")) {
            all.addAll(List.of("--progress", "none"));
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ReplayCli.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    /** A finished command: exit code and what it printed. */
    record Run(int code, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + out + err, e);
            }
        }
    }
}
