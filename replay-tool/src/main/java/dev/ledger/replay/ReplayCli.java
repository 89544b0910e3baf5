package dev.ledger.replay;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./ledger replay}: the operators' tool for the bad day. The event log is the truth; this
 * verifies everything else against it, shows an account as it stood, exports the log for
 * auditors, and rebuilds projections from it.
 *
 * <p>Exit codes: 0 all holds; 1 something does not hold (findings, differences, unknown account);
 * 2 the tool could not do its work (options, configuration, a refused lock, an AWS error).
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Verify, inspect, export and rebuild from the event log, and backfill its checkpoints.",
        subcommands = {VerifyCommand.class, StateCommand.class, ExportCommand.class, RebuildCommand.class, AuditCommand.class,
                CheckpointsCommand.class,
                CommandLine.HelpCommand.class})
public final class ReplayCli implements Runnable {

    static final int OK = 0;
    static final int DOES_NOT_HOLD = 1;
    static final int FAILED = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line with these streams: what tests call. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new ReplayCli());
        commandLine.setOut(out).setErr(err).setCaseInsensitiveEnumValuesAllowed(true);
        StateCommand.hideUnusedOptions(commandLine.getSubcommands().get("state").getCommandSpec());
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("replay: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (!(e instanceof Target.ConfigurationException || e instanceof RebuildLock.LockedException
                    || e instanceof software.amazon.awssdk.core.exception.SdkException)) {
                e.printStackTrace(line.getErr());
            }
            line.getErr().flush();
            return FAILED;
        });
        int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }
}
