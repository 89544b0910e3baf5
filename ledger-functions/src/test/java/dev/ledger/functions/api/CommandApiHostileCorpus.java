package dev.ledger.functions.api;

import static dev.ledger.functions.LedgerFixture.AUDITOR;
import static dev.ledger.functions.LedgerFixture.OPERATOR;
import static dev.ledger.functions.LedgerFixture.PAYMENTS;

import dev.ledger.functions.LedgerFixture;
import dev.ledger.functions.LedgerWrites;
import dev.ledger.http.RequestBody;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Hostile requests against the command API's routes, one category a method, each row with the
 * refusal the README documents for it. {@link #seed} writes the ledger the rows refer to: four EUR
 * accounts (bank unlimited, alice with 46.00 available after a hold of 1.00 to bob, a transaction of
 * 2.00 and a hold of 1.00 posted in full, bob 2.50, edge empty with the largest overdraft limit), four
 * transfers and two transactions the ledger refused and recorded, so that sending them again must
 * change nothing, a posted transaction, a voided hold, a reversal of 1.00 of "fund" (rev-1) and a
 * reversal the ledger refused and recorded (rev-refused); and for transactions' reversals and repeated
 * posts: carol (at zero), tx-now (posted at once), tx-held (pending), tx-voided, tx-rev (reversed by
 * txr-1), tx-carol (which carol cannot pay back) and txr-refused (a refused reversal, recorded).
 */
public final class CommandApiHostileCorpus {

    static final String INVALID = "invalid_request";
    /** One more minor unit than a {@code long} holds, in EUR: 2^63 cents. */
    static final String PAST_LONG_EUR = "92233720368547758.08";
    /** The largest EUR amount the ledger can hold: 2^63 - 1 cents. */
    static final String MAX_LONG_EUR = "92233720368547758.07";

    private CommandApiHostileCorpus() {
    }

    /** The accounts and transfers the rows refer to, written through the command API however it is reached. */
    public static void seed(LedgerWrites ledger) {
        expect(ledger.openAccount("bank", "EUR", "null"), 201);
        expect(ledger.openAccount("alice", "EUR", null), 201);
        expect(ledger.openAccount("bob", "EUR", null), 201);
        expect(ledger.openAccount("edge", "EUR", "\"10000000000000000.00\""), 201);
        expect(ledger.transfer("fund", "bank", "alice", "50.00", "EUR"), 201);
        expect(ledger.post("/transfers", "{\"transferId\":\"held\",\"debitAccountId\":\"alice\","
                + "\"creditAccountId\":\"bob\",\"amount\":\"1.00\",\"currency\":\"EUR\",\"pending\":true,"
                + "\"timeoutSeconds\":3600}"), 201);
        // First attempts the ledger refuses and records: the same request again must be refused alike.
        expect(ledger.transfer("same-1", "alice", "alice", "1.00", "EUR"), 422);
        expect(ledger.transfer("usd-1", "alice", "bob", "1.00", "USD"), 422);
        expect(ledger.transfer("overflow-1", "bank", "alice", MAX_LONG_EUR, "EUR"), 422);
        expect(ledger.transfer("broke-1", "alice", "bob", "1000.00", "EUR"), 422);
        // Multi-leg transactions: one accepted and posted, two refused and recorded.
        expect(ledger.post("/transactions", transaction("tx-ok", true, entry("alice", "debit", "2.00", "EUR"),
                entry("bob", "credit", "1.50", "EUR"), entry("bank", "credit", "0.50", "EUR"))), 201);
        expect(ledger.post("/transactions/tx-ok/post", ""), 200);
        expect(ledger.post("/transactions", transaction("tx-unbalanced-1", false, entry("alice", "debit", "1.00", "EUR"),
                entry("bob", "credit", "0.99", "EUR"))), 422);
        expect(ledger.post("/transactions", transaction("tx-broke-1", false, entry("alice", "debit", "1000.00", "EUR"),
                entry("bob", "credit", "1000.00", "EUR"))), 422);
        // Issue 12: a hold posted in full (no amount named), a voided hold, a reversal of 1.00 of "fund",
        // and a reversal the ledger refused and recorded.
        expect(ledger.post("/transfers", hold("posted-hold")), 201);
        expect(ledger.post("/transfers/posted-hold/post", null), 200);
        expect(ledger.post("/transfers", hold("voided")), 201);
        expect(ledger.post("/transfers/voided/void", null), 200);
        expect(ledger.post("/transfers/fund/reverse", reversal("rev-1", "\"1.00\"")), 201);
        expect(ledger.post("/transfers/held/reverse", reversal("rev-refused", null)), 422);
        // Issue 12, transactions: one posted at once, one pending, one voided, one reversed (by txr-1), one
        // whose reversal carol cannot pay (she spent what it gave her), and a refused reversal, recorded.
        expect(ledger.openAccount("carol", "EUR", null), 201);
        expect(ledger.post("/transactions", transaction("tx-now", false, entry("alice", "debit", "1.00", "EUR"),
                entry("bob", "credit", "1.00", "EUR"))), 201);
        expect(ledger.post("/transactions", transaction("tx-held", true, entry("alice", "debit", "0.50", "EUR"),
                entry("bob", "credit", "0.50", "EUR"))), 201);
        expect(ledger.post("/transactions", transaction("tx-voided", true, entry("alice", "debit", "0.50", "EUR"),
                entry("bob", "credit", "0.50", "EUR"))), 201);
        expect(ledger.post("/transactions/tx-voided/void", null), 200);
        expect(ledger.post("/transactions", transaction("tx-rev", false, entry("alice", "debit", "0.25", "EUR"),
                entry("bob", "credit", "0.25", "EUR"))), 201);
        expect(ledger.post("/transactions/tx-rev/reverse", reversal("txr-1", null)), 201);
        expect(ledger.post("/transactions", transaction("tx-carol", false, entry("bank", "debit", "1.00", "EUR"),
                entry("carol", "credit", "1.00", "EUR"))), 201);
        expect(ledger.transfer("carol-spends", "carol", "bank", "1.00", "EUR"), 201);
        expect(ledger.post("/transactions/tx-held/reverse", reversal("txr-refused", null)), 422);
    }

    /** A hold of 1.00 EUR from alice to bob for an hour. */
    private static String hold(String transferId) {
        return "{\"transferId\":\"" + transferId + "\",\"debitAccountId\":\"alice\",\"creditAccountId\":\"bob\","
                + "\"amount\":\"1.00\",\"currency\":\"EUR\",\"pending\":true,\"timeoutSeconds\":3600}";
    }

    /** A reversal body; the amount as raw JSON, or left out where null. */
    static String reversal(String reversalId, String amountJson) {
        return "{\"reversalId\":\"" + reversalId + "\"" + (amountJson == null ? "" : ",\"amount\":" + amountJson) + "}";
    }

    private static void expect(LedgerFixture.Reply reply, int status) {
        if (reply.status() != status) {
            throw new IllegalStateException("seeding the corpus' ledger: expected " + status + ", got " + reply);
        }
    }

    /** Every row, filed under its category. */
    public static List<HostileRequest> all() {
        List<HostileRequest> rows = new ArrayList<>();
        add(rows, "malformed JSON", malformedJson());
        add(rows, "huge bodies", hugeBodies());
        add(rows, "deep nesting", deepNesting());
        add(rows, "unicode in ids", unicodeInIds());
        add(rows, "numbers as amounts", numbersAsAmounts());
        add(rows, "overflow and scale", overflowAndScale());
        add(rows, "wrong types", wrongTypes());
        add(rows, "missing or unknown fields", missingOrUnknownFields());
        add(rows, "duplicate keys", duplicateKeys());
        add(rows, "missing or forged tokens", missingOrForgedTokens());
        add(rows, "wrong role", wrongRole());
        add(rows, "path traversal", pathTraversal());
        add(rows, "content types and encodings", contentTypes());
        add(rows, "methods and routes", methodsAndRoutes());
        add(rows, "oversized headers and metadata", oversizedHeadersAndMetadata());
        add(rows, "hold timeouts", holdTimeouts());
        add(rows, "currencies", currencies());
        add(rows, "business refusals", businessRefusals());
        add(rows, "transaction bodies", transactionBodies());
        add(rows, "transaction entries", transactionEntries());
        add(rows, "transaction refusals", transactionRefusals());
        add(rows, "reversals", reversals());
        add(rows, "repeated post and void", repeatedPostAndVoid());
        add(rows, "batch bodies", batchBodies());
        add(rows, "batch items", batchItems());
        add(rows, "batch refusals", batchRefusals());
        add(rows, "transaction reversals", transactionReversals());
        add(rows, "shards", shards());
        add(rows, "effective dates", effectiveDates());
        add(rows, "account metadata", accountMetadata());
        return rows;
    }

    private static void add(List<HostileRequest> rows, String category, List<HostileRequest> inCategory) {
        inCategory.forEach(row -> rows.add(row.in(category)));
    }

    static List<HostileRequest> malformedJson() {
        return List.of(
                post("/transfers").body("{").is("an unterminated object").refused(400, INVALID),
                post("/transfers").body("").is("an empty body").refused(400, INVALID),
                post("/transfers").is("no body at all").refused(400, INVALID),
                post("/transfers").body(" \n\t ").is("only whitespace").refused(400, INVALID),
                post("/transfers").body("[]").is("an array").refused(400, INVALID),
                post("/transfers").body("\"transfer\"").is("a bare string").refused(400, INVALID),
                post("/transfers").body("null").is("JSON null").refused(400, INVALID),
                post("/transfers").body("42").is("a bare number").refused(400, INVALID),
                post("/transfers").body("true").is("a bare boolean").refused(400, INVALID),
                post("/transfers").body(transfer("t-1") + " trailing").is("a valid object then words")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("t-1") + "{}").is("two objects").refused(400, INVALID),
                post("/transfers").body("{'transferId':'t-1'}").is("single quotes").refused(400, INVALID),
                post("/transfers").body("{transferId:\"t-1\"}").is("unquoted keys").refused(400, INVALID),
                post("/transfers").body(transfer("t-1").replace("}", ",}")).is("a trailing comma")
                        .refused(400, INVALID),
                post("/transfers").body("/* c */" + transfer("t-1")).is("a comment").refused(400, INVALID),
                post("/transfers").body("{\"transferId\":\"t-1\" \"amount\":\"1.00\"}").is("a missing comma")
                        .refused(400, INVALID),
                post("/transfers").body("{\"transferId\":\"t-1").is("an unterminated string").refused(400, INVALID),
                post("/transfers").body("{\"transferId\"}").is("a key without a value").refused(400, INVALID),
                post("/transfers").body(transfer("transferId", "\"t\u0001x\"")).is("a raw control character in a string")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("transferId", "\"t\\x41\"")).is("an invalid escape")
                        .refused(400, INVALID),
                post("/transfers").body("\uFEFF" + transfer("bom-1")).is("a byte order mark before the object")
                        .refused(400, INVALID),
                post("/transfers").body("\u0000").is("a NUL byte").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "NaN")).is("NaN").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "Infinity")).is("Infinity").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "-Infinity")).is("-Infinity").refused(400, INVALID));
    }

    static List<HostileRequest> hugeBodies() {
        String padded = transfer("huge-1");
        padded = padded.substring(0, padded.length() - 1) + " ".repeat(RequestBody.MAX_BYTES - padded.length() + 1) + "}";
        String wideChars = transfer("transferId", "\"" + "\u20ac".repeat(RequestBody.MAX_BYTES / 3 + 1) + "\"");
        String manyFields = IntStream.range(0, 1500).mapToObj(i -> "\"f" + i + "\":1")
                .collect(Collectors.joining(",", "{", "}"));
        return List.of(
                post("/transfers").body(padded).is("a valid transfer padded to 16 KB + 1 byte").refused(400, INVALID),
                post("/transfers").body(wideChars).is("under 16 K characters but over 16 KB of UTF-8")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("transferId", "\"" + "x".repeat(1024 * 1024) + "\""))
                        .is("a 1 MB id").refused(400, INVALID),
                post("/transfers").body("[".repeat(5 * 1024 * 1024)).is("5 MB of brackets").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"1" + "0".repeat(15000) + "\""))
                        .is("a 15,000-digit amount string").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "1" + "0".repeat(1000)))
                        .is("a 1,000-digit number").refused(400, INVALID),
                post("/transfers").body(manyFields).is("1,500 unknown fields").refused(400, INVALID),
                post("/accounts").body(account("big", "\"EUR\"", "\"1" + "0".repeat(5000) + "\""))
                        .is("a 5,000-digit overdraft limit").refused(400, INVALID));
    }

    static List<HostileRequest> deepNesting() {
        String deepObject = "{\"a\":".repeat(100) + "1" + "}".repeat(100);
        return List.of(
                post("/transfers").body(transfer("metadata", deepObject)).is("metadata nested 100 deep")
                        .refused(400, INVALID),
                post("/transfers").body("[".repeat(5000) + "]".repeat(5000)).is("arrays nested 5,000 deep")
                        .refused(400, INVALID),
                post("/transfers").body("{\"a\":".repeat(3000)).is("3,000 unclosed objects").refused(400, INVALID),
                post("/transfers").body(transfer("extra", "{\"a\":".repeat(17) + "1" + "}".repeat(17)))
                        .is("an unknown field nested 17 deep").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "{\"value\":\"1.00\"}")).is("an amount as an object")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("metadata", "{\"k\":{\"x\":\"y\"}}")).is("a metadata value object")
                        .refused(400, INVALID));
    }

    static List<HostileRequest> unicodeInIds() {
        return List.of(
                post("/transfers").body(transfer("debitAccountId", "\"\u0430lice\"")).is("a Cyrillic a in alice")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("transferId", "\"t-\u03bf\"")).is("a Greek omicron")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("creditAccountId", "\"bob\u200F\"")).is("a right-to-left mark")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("creditAccountId", "\"\u202Ebob\"")).is("a right-to-left override")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("debitAccountId", "\"ali\u200Bce\"")).is("a zero-width space")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("debitAccountId", "\"\uFEFFalice\"")).is("a byte order mark in an id")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("debitAccountId", "\"alice\\u0000\"")).is("an escaped NUL")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("transferId", "\"t\\ud800\"")).is("a lone high surrogate escape")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("transferId", "\"t\\udc00\"")).is("a lone low surrogate escape")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("transferId", "\"t\uD800\"")).is("a raw lone surrogate")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("transferId", "\"pay-\uD83D\uDCB8\"")).is("an emoji")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("debitAccountId", "\"\uFF41lice\"")).is("a fullwidth a")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("debitAccountId", "\"alice\u0301\"")).is("a combining accent")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("debitAccountId", "\"alice\u00A0\"")).is("a no-break space")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("debitAccountId", "\"alice\\n\"")).is("a newline")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("debitAccountId", "\"al\u0131ce\"")).is("a dotless i")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("transferId", "\"tr\u00e4nsfer\"")).is("a Latin-1 letter")
                        .refused(400, INVALID),
                post("/accounts").body(account("\u202Egnp.exe", "\"EUR\"", null)).is("a new account named with an override")
                        .refused(400, INVALID),
                post("/accounts/%D0%B0lice/freeze").is("a percent-encoded Cyrillic a in the path")
                        .refused(400, INVALID),
                post("/accounts/%E2%80%AEalice/freeze").is("a percent-encoded override in the path")
                        .refused(400, INVALID),
                post("/accounts/alice%00/freeze").is("a percent-encoded NUL in the path").refused(400, INVALID),
                post("/accounts/%F0%9F%92%B8/freeze").is("a percent-encoded emoji in the path").refused(400, INVALID),
                post("/accounts/%ED%A0%80/freeze").is("an encoded surrogate (CESU-8) in the path")
                        .refused(400, INVALID),
                post("/accounts/%C0%AE%C0%AE/freeze").is("overlong UTF-8 dots in the path").refused(400, INVALID),
                post("/accounts/%E2%82%AC/freeze").is("a percent-encoded euro sign in the path")
                        .refused(400, INVALID),
                post("/accounts/\u0430lice/freeze").is("a raw Cyrillic a in the path").refused(400, INVALID),
                post("/accounts/\uD800/freeze").is("a raw lone surrogate in the path").refused(400, INVALID),
                post("/accounts/%\uFF16\uFF11lice/freeze").is("fullwidth hex digits in a percent-escape")
                        .refused(400, INVALID),
                post("/accounts/%/freeze").is("a bare percent sign in the path").refused(400, INVALID),
                post("/accounts/%zz/freeze").is("a percent-escape that is not hex").refused(400, INVALID),
                post("/accounts/%u0061lice/freeze").is("a %u escape (not URL syntax)").refused(400, INVALID));
    }

    static List<HostileRequest> numbersAsAmounts() {
        return List.of(
                post("/transfers").body(transfer("amount", "1.00")).is("a JSON float").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "100")).is("a JSON integer").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "1e2")).is("a JSON exponent").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "1e400")).is("a JSON exponent past double")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("amount", "-0")).is("a JSON negative zero").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"1e2\"")).is("an exponent string").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"1E2\"")).is("an upper-case exponent string")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"-0\"")).is("negative zero").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"-0.00\"")).is("negative zero with cents")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"0.00\"")).is("zero").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"0\"")).is("a bare zero").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"-1.00\"")).is("a negative amount").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"+1.00\"")).is("a plus sign").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"01.00\"")).is("a leading zero").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"1.\"")).is("a trailing point").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\".50\"")).is("a leading point").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\" 1.00\"")).is("a leading space").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"1.00 \"")).is("a trailing space").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"1,00\"")).is("a decimal comma").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"1_000\"")).is("an underscore").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"0x10\"")).is("hexadecimal").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"\"")).is("an empty string").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"NaN\"")).is("the string NaN").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"Infinity\"")).is("the string Infinity")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"\uFF11.00\"")).is("a fullwidth digit")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"\u0661.00\"")).is("an Arabic-Indic digit")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"\u202E00.1\"")).is("an override before the digits")
                        .refused(400, INVALID));
    }

    static List<HostileRequest> overflowAndScale() {
        return List.of(
                post("/transfers").body(transfer("amount", "\"" + PAST_LONG_EUR + "\"")).is("2^63 cents")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"99999999999999999999.99\"")).is("far past 2^63 cents")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"9223372036854775808\"", "currency", "\"JPY\""))
                        .is("2^63 yen").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"9223372036854775.808\"", "currency", "\"BHD\""))
                        .is("2^63 fils").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"1" + "0".repeat(40) + "\"")).is("a 41-character amount")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"1.001\"")).is("three decimals in EUR")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"1.000\"")).is("a trailing zero past EUR's scale")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"0.001\"")).is("a tenth of a cent").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"1.5\"", "currency", "\"JPY\"")).is("a fraction of a yen")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"1.0005\"", "currency", "\"BHD\""))
                        .is("four decimals in BHD").refused(400, INVALID),
                post("/accounts").body(account("lim", "\"EUR\"", "\"" + PAST_LONG_EUR + "\""))
                        .is("an overdraft limit of 2^63 cents").refused(400, INVALID),
                post("/accounts").body(account("lim", "\"EUR\"", "\"92233720368547758.00\""))
                        .is("an overdraft limit 7 cents short of 2^63 cents").refused(400, INVALID),
                post("/accounts").body(account("lim", "\"EUR\"", "\"" + MAX_LONG_EUR + "\""))
                        .is("an overdraft limit of 2^63 - 1 cents").refused(400, INVALID),
                post("/accounts").body(account("lim", "\"EUR\"", "\"10000000000000000.01\""))
                        .is("an overdraft limit one cent past the largest").refused(400, INVALID),
                post("/accounts").body(account("lim", "\"JPY\"", "\"1000000000000000001\""))
                        .is("an overdraft limit one yen past the largest").refused(400, INVALID),
                post("/transfers").body(transfer("edge-1", "bank", "edge", "82233720368547758.08", "EUR"))
                        .is("a credit taking the available balance of an account with the largest overdraft limit"
                                + " one cent past 2^63 - 1 cents").recordingItsRefusal()
                        .refused(422, "balance_overflow"),
                post("/accounts").body(account("lim", "\"EUR\"", "\"1.001\"")).is("an overdraft limit past EUR's scale")
                        .refused(400, INVALID),
                post("/transfers/held/post").body("{\"amount\":\"" + PAST_LONG_EUR + "\"}")
                        .is("posting 2^63 cents of a hold").refused(400, INVALID),
                post("/transfers/held/post").body("{\"amount\":\"" + MAX_LONG_EUR + "\"}")
                        .is("posting 2^63 - 1 cents of a 1.00 hold").refused(422, "amount_exceeds_pending"),
                post("/transfers/held/post").body("{\"amount\":\"1.01\"}").is("posting more than the hold")
                        .refused(422, "amount_exceeds_pending"),
                post("/transfers/held/post").body("{\"amount\":\"0.001\"}").is("posting past EUR's scale")
                        .refused(400, INVALID),
                post("/transfers/held/post").body("{\"amount\":\"0.00\"}").is("posting zero").refused(400, INVALID),
                post("/transfers").body(transfer("overflow-1", "bank", "alice", MAX_LONG_EUR, "EUR"))
                        .is("2^63 - 1 cents into a funded account, sent again").refused(422, "balance_overflow"),
                post("/transfers").body(transfer("overflow-2", "bank", "alice", MAX_LONG_EUR, "EUR"))
                        .is("2^63 - 1 cents into a funded account, first attempt").recordingItsRefusal()
                        .refused(422, "balance_overflow"));
    }

    static List<HostileRequest> wrongTypes() {
        return List.of(
                post("/transfers").body(transfer("transferId", "5")).is("a numeric transfer id").refused(400, INVALID),
                post("/transfers").body(transfer("transferId", "null")).is("a null transfer id").refused(400, INVALID),
                post("/transfers").body(transfer("transferId", "true")).is("a boolean transfer id")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("transferId", "[\"t-1\"]")).is("an array transfer id")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("debitAccountId", "{}")).is("an object account id")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("amount", "true")).is("a boolean amount").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "[\"1.00\"]")).is("an array amount").refused(400, INVALID),
                post("/transfers").body(transfer("currency", "978")).is("a numeric currency").refused(400, INVALID),
                post("/transfers").body(transfer("currency", "[\"EUR\"]")).is("an array currency")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("pending", "\"yes\"")).is("pending as a word").refused(400, INVALID),
                post("/transfers").body(transfer("pending", "\"true\"")).is("pending as a string")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("pending", "1")).is("pending as a number").refused(400, INVALID),
                post("/transfers").body(transfer("metadata", "[\"a\"]")).is("metadata as an array")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("metadata", "\"k=v\"")).is("metadata as a string")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("metadata", "{\"k\":5}")).is("a numeric metadata value")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("metadata", "{\"k\":null}")).is("a null metadata value")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("metadata", "{\"k\":true}")).is("a boolean metadata value")
                        .refused(400, INVALID),
                post("/accounts").body(account("x", "\"EUR\"", "100")).is("a numeric overdraft limit")
                        .refused(400, INVALID),
                post("/accounts").body(account("x", "\"EUR\"", "true")).is("a boolean overdraft limit")
                        .refused(400, INVALID),
                post("/accounts").body("{\"accountId\":7,\"currency\":\"EUR\"}").is("a numeric account id")
                        .refused(400, INVALID),
                post("/transfers/held/post").body("{\"amount\":1}").is("a numeric partial amount")
                        .refused(400, INVALID));
    }

    static List<HostileRequest> missingOrUnknownFields() {
        return List.of(
                post("/transfers").body("{}").is("an empty object").refused(400, INVALID),
                post("/transfers").body(transfer("transferId", null)).is("no transfer id").refused(400, INVALID),
                post("/transfers").body(transfer("debitAccountId", null)).is("no debit account").refused(400, INVALID),
                post("/transfers").body(transfer("creditAccountId", null)).is("no credit account")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("amount", null)).is("no amount").refused(400, INVALID),
                post("/transfers").body(transfer("currency", null)).is("no currency").refused(400, INVALID),
                post("/transfers").body(transfer("ammount", "\"1.00\"")).is("a misspelt field").refused(400, INVALID),
                post("/transfers").body(transfer("Amount", "\"1.00\"")).is("a field in another case")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("__proto__", "{}")).is("a __proto__ field").refused(400, INVALID),
                post("/transfers").body(transfer("status", "\"POSTED\"")).is("a status the client may not set")
                        .refused(400, INVALID),
                post("/accounts").body("{\"currency\":\"EUR\"}").is("an account without id").refused(400, INVALID),
                post("/accounts").body("{\"accountId\":\"x\"}").is("an account without currency")
                        .refused(400, INVALID),
                post("/accounts").body("{\"accountId\":\"x\",\"currency\":\"EUR\",\"owner\":\"me\"}")
                        .is("an unknown account field").refused(400, INVALID),
                post("/accounts").body("{\"accountId\":\"x\",\"currency\":\"EUR\",\"balance\":\"1000.00\"}")
                        .is("an opening balance").refused(400, INVALID),
                post("/transfers/held/void").body("{\"reason\":\"x\"}").is("a void with a reason").refused(400, INVALID),
                post("/transfers/held/post").body("{\"amount\":\"0.50\",\"currency\":\"EUR\"}")
                        .is("a post with a currency").refused(400, INVALID),
                post("/accounts/alice/freeze").body("{\"x\":1}").is("a freeze with a body").refused(400, INVALID),
                post("/accounts/alice/freeze").body("null").is("a freeze with a null body").refused(400, INVALID),
                post("/transfers/held/post").body("[]").is("a post with an array body").refused(400, INVALID));
    }

    static List<HostileRequest> duplicateKeys() {
        return List.of(
                post("/transfers").body("{\"transferId\":\"a\",\"transferId\":\"b\"}").is("two transfer ids")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"1.00\",\"amount\":\"1.00\"")).is("the same amount twice")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("amount", "\"1.00\",\"\\u0061mount\":\"900.00\""))
                        .is("a second amount spelt with an escape").refused(400, INVALID),
                post("/transfers").body(transfer("metadata", "{\"k\":\"a\",\"k\":\"b\"}")).is("a metadata key twice")
                        .refused(400, INVALID),
                post("/accounts").body("{\"accountId\":\"dup\",\"currency\":\"EUR\",\"currency\":\"USD\"}")
                        .is("two currencies").refused(400, INVALID),
                post("/transfers/held/post").body("{\"amount\":\"0.10\",\"amount\":\"1.00\"}").is("two partial amounts")
                        .refused(400, INVALID));
    }

    static List<HostileRequest> missingOrForgedTokens() {
        String valid = transfer("auth-1");
        return List.of(
                post("/transfers").body(valid).withoutAuthorization().is("no Authorization header")
                        .refused(401, "unauthenticated"),
                post("/transfers").body(valid).header("authorization", "").is("an empty header")
                        .refused(401, "unauthenticated"),
                post("/transfers").body(valid).header("authorization", "Bearer").is("the scheme alone")
                        .refused(401, "unauthenticated"),
                post("/transfers").body(valid).header("authorization", "Bearer   ").is("the scheme and spaces")
                        .refused(401, "unauthenticated"),
                post("/transfers").body(valid).header("authorization", "Bearer wrong-token").is("an unknown token")
                        .refused(401, "unauthenticated"),
                post("/transfers").body(valid).header("authorization", "Bearer pay-token").is("a prefix of a token")
                        .refused(401, "unauthenticated"),
                post("/transfers").body(valid).header("authorization", "Bearer pay-token-1x").is("a token with a suffix")
                        .refused(401, "unauthenticated"),
                post("/transfers").body(valid).header("authorization", "Bearer PAY-TOKEN-1").is("a token in upper case")
                        .refused(401, "unauthenticated"),
                post("/transfers").body(valid).header("authorization", "Bearer pay-t\u043eken-1")
                        .is("a token with a Cyrillic o").refused(401, "unauthenticated"),
                post("/transfers").body(valid).header("authorization", "Bearer pay-token-1\u0000")
                        .is("a token with a NUL").refused(401, "unauthenticated"),
                post("/transfers").body(valid).header("authorization", "Basic cGF5LXRva2VuLTE=")
                        .is("Basic with the token base64-encoded").refused(401, "unauthenticated"),
                post("/transfers").body(valid).header("authorization", "Token pay-token-1").is("another scheme")
                        .refused(401, "unauthenticated"),
                post("/transfers").body(valid).header("authorization", PAYMENTS).is("a token without scheme")
                        .refused(401, "unauthenticated"),
                post("/transfers").body(valid).header("authorization", "Bearer\t" + PAYMENTS).is("a tab after the scheme")
                        .refused(401, "unauthenticated"),
                post("/transfers").body(valid).header("authorization", "Bearer " + PAYMENTS + " extra")
                        .is("a token and more words").refused(401, "unauthenticated"),
                post("/transfers").body(valid).header("authorization", "Bearer Bearer " + PAYMENTS)
                        .is("the scheme twice").refused(401, "unauthenticated"),
                post("/transfers").body(valid).header("authorization", "Bearer " + PAYMENTS + ",Bearer x")
                        .is("two header values joined").refused(401, "unauthenticated"),
                post("/transfers").body(valid)
                        .header("authorization", "Bearer eyJhbGciOiJub25lIn0.eyJyb2xlIjoicGF5bWVudHMifQ.")
                        .is("an unsigned JWT claiming payments").refused(401, "unauthenticated"),
                post("/accounts/alice/freeze").withoutAuthorization().is("a freeze without a token")
                        .refused(401, "unauthenticated"),
                post("/transfers/held/post").header("authorization", "Bearer forged").is("a post with a forged token")
                        .refused(401, "unauthenticated"));
    }

    /** Shard counts (issue 13): 1 to 32, whole numbers only, raised by an operator only, never lowered. */
    static List<HostileRequest> shards() {
        String open = "{\"accountId\":\"shardy\",\"currency\":\"EUR\",\"shards\":";
        return List.of(
                post("/accounts").body(open + "0}").is("zero shards").refused(400, INVALID),
                post("/accounts").body(open + "33}").is("past the most shards").refused(400, INVALID),
                post("/accounts").body(open + "-4}").is("negative shards").refused(400, INVALID),
                post("/accounts").body(open + "4.5}").is("a fraction of a shard").refused(400, INVALID),
                post("/accounts").body(open + "\"4\"}").is("shards as a string").refused(400, INVALID),
                post("/accounts").body(open + "1e1}").is("shards in exponent form").refused(400, INVALID),
                post("/accounts").body(open + "9223372036854775808}").is("shards past a long").refused(400, INVALID),
                post("/accounts").body(open + "[4]}").is("shards as an array").refused(400, INVALID),
                request("POST", "/accounts/alice/shards", OPERATOR).body("{}").is("a raise with no count")
                        .refused(400, INVALID),
                request("POST", "/accounts/alice/shards", OPERATOR).body("{\"shards\":2,\"extra\":1}")
                        .is("a raise with an unknown field").refused(400, INVALID),
                request("POST", "/accounts/alice/shards", OPERATOR).is("a raise with no body").refused(400, INVALID),
                request("POST", "/accounts/nobody/shards", OPERATOR).body("{\"shards\":2}")
                        .is("a raise of an unknown account").auditingItsRefusal().refused(404, "account_not_found"),
                request("POST", "/accounts/alice/shards", OPERATOR).body("{\"shards\":64}")
                        .is("a raise past the most shards").refused(400, INVALID),
                request("POST", "/accounts/alice/shards", PAYMENTS).body("{\"shards\":2}")
                        .is("payments raising shards").refused(403, "forbidden"),
                request("POST", "/accounts/alice/shards", AUDITOR).body("{\"shards\":2}")
                        .is("an auditor raising shards").refused(403, "forbidden"),
                request("POST", "/accounts/alice%23k/shards", OPERATOR).body("{\"shards\":2}")
                        .is("a shard's stream id in the path").refused(400, INVALID),
                request("POST", "/accounts/alice#1/freeze", PAYMENTS).is("a shard's stream id, unescaped, in the path")
                        .refused(400, INVALID));
    }

    /** The largest instant Java keeps: past it a date is not an instant at all. */
    private static final String LAST_INSTANT = "\"+1000000000-12-31T23:59:59.999999999Z\"";
    /** Outside any window the configuration allows (at most 3,660 days back), whenever the corpus runs. */
    private static final String LONG_AGO = "\"2000-01-01T00:00:00Z\"";
    private static final String FAR_AHEAD = "\"3000-01-01T00:00:00Z\"";
    private static final String OUT_OF_RANGE = "effective_date_out_of_range";

    /**
     * Issue 16's {@code effectiveAt}, on every route that takes it (transfers, transactions, both reversals,
     * batch items) and two that do not. Only instants outside every window the configuration allows, so a
     * row's answer never depends on the day the corpus runs.
     */
    static List<HostileRequest> effectiveDates() {
        String effective = "effectiveAt";
        String fundReverse = "/transfers/fund/reverse";
        return List.of(
                post("/transfers").body(transfer(effective, LONG_AGO)).is("a transfer dated 2000")
                        .refused(422, OUT_OF_RANGE),
                post("/transfers").body(transfer(effective, FAR_AHEAD)).is("a transfer dated 3000")
                        .refused(422, OUT_OF_RANGE),
                post("/transfers").body(transfer(effective, LAST_INSTANT)).is("a transfer at the last instant")
                        .refused(422, OUT_OF_RANGE),
                post("/transfers").body(transfer(effective, "\"-1000000000-01-01T00:00:00Z\""))
                        .is("a transfer at the first instant").refused(422, OUT_OF_RANGE),
                post("/transfers").body(transfer(effective, "\"+1000000001-01-01T00:00:00Z\""))
                        .is("a date past the last instant").refused(400, INVALID),
                post("/transfers").body(transfer(effective, "\"\"")).is("an empty effective date").refused(400, INVALID),
                post("/transfers").body(transfer(effective, "\"yesterday\"")).is("the word yesterday")
                        .refused(400, INVALID),
                post("/transfers").body(transfer(effective, "\"2026-06-01\"")).is("a date without a time")
                        .refused(400, INVALID),
                post("/transfers").body(transfer(effective, "\"2026-06-01T00:00:00\"")).is("a time without a zone")
                        .refused(400, INVALID),
                post("/transfers").body(transfer(effective, "\"2026-02-30T00:00:00Z\"")).is("February 30")
                        .refused(400, INVALID),
                post("/transfers").body(transfer(effective, "\"2026-06-01T24:00:01Z\"")).is("an hour past 24")
                        .refused(400, INVALID),
                post("/transfers").body(transfer(effective, "\"2026-06-01T00:00:00+25:00\""))
                        .is("an offset past 18 hours").refused(400, INVALID),
                post("/transfers").body(transfer(effective, "\" 2026-06-01T00:00:00Z\"")).is("a leading space")
                        .refused(400, INVALID),
                post("/transfers").body(transfer(effective, "\"2026-06-01T00:00:00Z\\u0000\""))
                        .is("a NUL after the instant").refused(400, INVALID),
                post("/transfers").body(transfer(effective, "\"\u202E2026-06-01T00:00:00Z\""))
                        .is("a right-to-left override before the instant").refused(400, INVALID),
                post("/transfers").body(transfer(effective, "\"+" + "9".repeat(5000) + "-01-01T00:00:00Z\""))
                        .is("a 5,000-digit year").refused(400, INVALID),
                post("/transfers").body(transfer(effective, "1767225600")).is("epoch seconds as a number")
                        .refused(400, INVALID),
                post("/transfers").body(transfer(effective, "\"1767225600\"")).is("epoch seconds as a string")
                        .refused(400, INVALID),
                post("/transfers").body(transfer(effective, "true")).is("an effective date as a boolean")
                        .refused(400, INVALID),
                post("/transfers").body(transfer(effective, "{\"at\":\"2026-06-01T00:00:00Z\"}"))
                        .is("an effective date as an object").refused(400, INVALID),
                post("/transfers").body(transfer(effective, "[\"2026-06-01T00:00:00Z\"]"))
                        .is("an effective date as an array").refused(400, INVALID),
                post("/transfers").body(transfer(effective, LONG_AGO).replace("}", ",\"effectiveAt\":"
                        + FAR_AHEAD + "}")).is("two effective dates").refused(400, INVALID),
                post("/transfers").body(transfer(effective, LONG_AGO).replace("effectiveAt", "EffectiveAt"))
                        .is("the field's name in another case").refused(400, INVALID),
                post("/transactions").body(transaction("tx-eff-1", false, entry("alice", "debit", "1.00", "EUR"),
                        entry("bob", "credit", "1.00", "EUR")).replace("}]}", "}],\"effectiveAt\":" + LONG_AGO + "}"))
                        .is("a transaction dated 2000").refused(422, OUT_OF_RANGE),
                post("/transactions").body(transaction("tx-eff-2", false, entry("alice", "debit", "1.00", "EUR"),
                        entry("bob", "credit", "1.00", "EUR")).replace("}]}", "}],\"effectiveAt\":\"soon\"}"))
                        .is("a transaction dated soon").refused(400, INVALID),
                post("/transactions").body(transaction("tx-eff-3", false, entry("alice", "debit", "1.00", "EUR")
                        .replace("}", ",\"effectiveAt\":" + LONG_AGO + "}"), entry("bob", "credit", "1.00", "EUR")))
                        .is("an effective date on an entry rather than the transaction").refused(400, INVALID),
                post(fundReverse).body("{\"reversalId\":\"rv-eff-1\",\"amount\":\"1.00\",\"effectiveAt\":" + FAR_AHEAD
                        + "}").is("a reversal dated 3000").refused(422, OUT_OF_RANGE),
                post(fundReverse).body("{\"reversalId\":\"rv-eff-2\",\"effectiveAt\":12345}")
                        .is("a reversal dated by a number").refused(400, INVALID),
                post("/transactions/tx-now/reverse").body("{\"reversalId\":\"txr-eff-1\",\"effectiveAt\":" + LONG_AGO
                        + "}").is("a transaction's reversal dated 2000").refused(422, OUT_OF_RANGE),
                post("/batches").body("{\"batchId\":\"b-eff-1\",\"atomic\":true,\"items\":[{\"type\":\"transfer\","
                        + transfer("b-eff-t1").substring(1, transfer("b-eff-t1").length() - 1) + ",\"effectiveAt\":"
                        + LONG_AGO + "}]}").is("a batch item dated 2000").refused(422, OUT_OF_RANGE),
                post("/batches").body("{\"batchId\":\"b-eff-2\",\"atomic\":false,\"items\":[{\"type\":\"transfer\","
                        + transfer("b-eff-t2").substring(1, transfer("b-eff-t2").length() - 1)
                        + ",\"effectiveAt\":\"later\"}]}").is("a batch item dated later").refused(400, INVALID),
                post("/transfers/held/post").body("{\"effectiveAt\":" + LONG_AGO + "}")
                        .is("an effective date on a hold's post").refused(400, INVALID),
                post("/accounts").body("{\"accountId\":\"eff-acct\",\"currency\":\"EUR\",\"effectiveAt\":" + LONG_AGO
                        + "}").is("an effective date on an account's opening").refused(400, INVALID));
    }

    /**
     * Issue 16: an account's metadata, on opening ({@code POST /accounts}) and replaced
     * ({@code POST /accounts/{id}/metadata}), held to a transfer's limits by the same parser.
     */
    static List<HostileRequest> accountMetadata() {
        String open = "{\"accountId\":\"tagged\",\"currency\":\"EUR\",\"metadata\":";
        String seventeenKeys = IntStream.range(0, 17).mapToObj(i -> "\"k" + i + "\":\"v\"")
                .collect(Collectors.joining(",", "{", "}"));
        return List.of(
                post("/accounts").body(open + seventeenKeys + "}").is("an account opened with 17 metadata keys")
                        .refused(400, INVALID),
                post("/accounts").body(open + "{\"k\":\"" + "x".repeat(513) + "\"}}")
                        .is("an account opened with a 513-character metadata value").refused(400, INVALID),
                post("/accounts").body(open + "{\"" + "k".repeat(65) + "\":\"v\"}}")
                        .is("an account opened with a 65-character metadata key").refused(400, INVALID),
                post("/accounts").body(open + "{\"a=b\":\"v\"}}").is("an '=' in an account's metadata key")
                        .refused(400, INVALID),
                post("/accounts").body(open + "{\"k\":5}}").is("a numeric account metadata value")
                        .refused(400, INVALID),
                post("/accounts").body(open + "[\"k\"]}").is("account metadata as an array").refused(400, INVALID),
                post("/accounts").body(open + "{\"k\":{\"x\":\"y\"}}}").is("a nested account metadata value")
                        .refused(400, INVALID),
                post("/accounts").body(open + "{\"k\":\"a\",\"k\":\"b\"}}").is("an account metadata key twice")
                        .refused(400, INVALID),
                post("/accounts/alice/metadata").body("{}").is("a metadata replace with no metadata field")
                        .refused(400, INVALID),
                post("/accounts/alice/metadata").body("{\"metadata\":null}").is("a metadata replace with null")
                        .refused(400, INVALID),
                post("/accounts/alice/metadata").is("a metadata replace with no body").refused(400, INVALID),
                post("/accounts/alice/metadata").body("{\"metadata\":{\"k\":\"v\"},\"status\":\"CLOSED\"}")
                        .is("a metadata replace smuggling another field").refused(400, INVALID),
                post("/accounts/alice/metadata").body("{\"metadata\":" + seventeenKeys + "}")
                        .is("a metadata replace with 17 keys").refused(400, INVALID),
                post("/accounts/alice/metadata").body("{\"metadata\":{\"k\":\"" + "x".repeat(17 * 1024) + "\"}}")
                        .is("a metadata replace with a 17 KB value").refused(400, INVALID),
                post("/accounts/alice/metadata").body("{\"metadata\":{\"k\\u00e9y\":\"v\"}}")
                        .is("a non-ASCII key in a metadata replace").refused(400, INVALID),
                post("/accounts/alice/metadata").body("{\"metadata\":{\"k\":true}}")
                        .is("a boolean value in a metadata replace").refused(400, INVALID),
                post("/accounts/alice/metadata").body("{\"metadata\":\"k=v\"}")
                        .is("a metadata replace as a string").refused(400, INVALID),
                post("/accounts/nobody/metadata").body("{\"metadata\":{\"k\":\"v\"}}")
                        .is("a metadata replace of an unknown account").refused(404, "account_not_found"),
                post("/accounts/alice%23k/metadata").body("{\"metadata\":{\"k\":\"v\"}}")
                        .is("a metadata replace of a shard's stream").refused(400, INVALID),
                request("POST", "/accounts/alice/metadata", AUDITOR).body("{\"metadata\":{\"k\":\"v\"}}")
                        .is("an auditor replacing metadata").refused(403, "forbidden"),
                request("POST", "/accounts/alice/metadata", OPERATOR).body("{\"metadata\":{\"k\":\"v\"}}")
                        .is("an operator replacing metadata").refused(403, "forbidden"),
                request("PUT", "/accounts/alice/metadata", PAYMENTS).body("{\"metadata\":{\"k\":\"v\"}}")
                        .is("a PUT of an account's metadata").refused(405, "method_not_allowed"));
    }

    static List<HostileRequest> wrongRole() {
        String valid = transfer("role-1");
        return List.of(
                request("POST", "/transfers", AUDITOR).body(valid).is("an auditor moving money")
                        .refused(403, "forbidden"),
                request("POST", "/transfers", OPERATOR).body(valid).is("an operator moving money")
                        .refused(403, "forbidden"),
                request("POST", "/accounts", AUDITOR).body(account("role-acct", "\"EUR\"", null))
                        .is("an auditor opening an account").refused(403, "forbidden"),
                request("POST", "/accounts/alice/freeze", AUDITOR).is("an auditor freezing").refused(403, "forbidden"),
                request("POST", "/transfers/held/post", OPERATOR).is("an operator posting a hold")
                        .refused(403, "forbidden"),
                request("POST", "/transfers/held/void", AUDITOR).is("an auditor voiding a hold")
                        .refused(403, "forbidden"));
    }

    static List<HostileRequest> pathTraversal() {
        return List.of(
                post("/accounts/../freeze").is("dot-dot as the id").refused(400, INVALID),
                post("/accounts/./freeze").is("dot as the id").refused(400, INVALID),
                post("/accounts/%2e%2e/freeze").is("encoded dot-dot").refused(400, INVALID),
                post("/accounts/%2e/freeze").is("an encoded dot").refused(400, INVALID),
                post("/accounts/%2E%2E%2Falice/freeze").is("encoded ../alice").refused(400, INVALID),
                post("/accounts/..%2F..%2Fetc/freeze").is("../../etc, slashes encoded").refused(400, INVALID),
                post("/accounts/a%2Fb/freeze").is("an encoded slash").refused(400, INVALID),
                post("/accounts/..%5Calice/freeze").is("an encoded backslash").refused(400, INVALID),
                post("/accounts/..\\alice/freeze").is("a raw backslash").refused(400, INVALID),
                post("/accounts/%5C/freeze").is("an encoded backslash alone").refused(400, INVALID),
                post("/accounts/%252e%252e/freeze").is("double-encoded dot-dot").refused(400, INVALID),
                post("/accounts/alice%/freeze").is("a truncated percent-escape").refused(400, INVALID),
                post("/accounts/%zz/freeze").is("a non-hex percent-escape").refused(400, INVALID),
                post("/accounts/%2/freeze").is("a one-digit percent-escape").refused(400, INVALID),
                post("/transfers/..%2Fheld/post").is("an encoded ../ before a transfer id").refused(400, INVALID),
                post("/transfers/%2e%2e/void").is("encoded dot-dot as a transfer id").refused(400, INVALID),
                post("/accounts/alice/../bob/freeze").is("a ../ between segments").refused(404, "not_found"),
                post("/transfers/held/../fund/post").is("a ../ between transfer segments").refused(404, "not_found"),
                post("/transfers").body(transfer("debitAccountId", "\"../alice\"")).is("../alice as the debit account")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("creditAccountId", "\"..\"")).is("dot-dot as the credit account")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("transferId", "\"..\\\\held\"")).is("a backslash in a transfer id")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("transferId", "\"%2e%2e\"")).is("a percent-escape in a body id")
                        .refused(400, INVALID),
                post("/accounts").body(account("../../etc/passwd", "\"EUR\"", null)).is("a path as an account id")
                        .refused(400, INVALID));
    }

    static List<HostileRequest> contentTypes() {
        return List.of(
                post("/transfers").header("content-type", "application/x-www-form-urlencoded")
                        .body("transferId=form-1&debitAccountId=alice&creditAccountId=bob&amount=1.00&currency=EUR")
                        .is("a form-encoded transfer").refused(400, INVALID),
                post("/transfers").header("content-type", "application/xml")
                        .body("<transfer><transferId>xml-1</transferId></transfer>").is("an XML transfer")
                        .refused(400, INVALID),
                post("/transfers").header("content-type", "multipart/form-data; boundary=b")
                        .body("--b\r\nContent-Disposition: form-data; name=\"transferId\"\r\n\r\nmp-1\r\n--b--")
                        .is("a multipart transfer").refused(400, INVALID),
                post("/transfers").header("content-type", "application/yaml").body("transferId: yaml-1\namount: 1.00")
                        .is("a YAML transfer").refused(400, INVALID),
                post("/transfers").header("content-type", "text/plain").body("please move 1.00 EUR")
                        .is("a sentence as text/plain").refused(400, INVALID),
                post("/transfers").header("content-type", "application/octet-stream")
                        .base64Body("transferId=bin-1&amount=1.00").is("a base64-encoded form body")
                        .refused(400, INVALID),
                post("/transfers").bodyFlaggedBase64("not base64!")
                        .is("a body flagged base64 that is not").refused(400, INVALID));
    }

    static List<HostileRequest> methodsAndRoutes() {
        return List.of(
                request("GET", "/transfers", PAYMENTS).is("GET on the transfer route").refused(405, "method_not_allowed"),
                request("PUT", "/transfers", PAYMENTS).body(transfer("put-1")).is("PUT on the transfer route")
                        .refused(405, "method_not_allowed"),
                request("DELETE", "/accounts", PAYMENTS).is("DELETE on the account route")
                        .refused(405, "method_not_allowed"),
                request("PATCH", "/accounts/alice/freeze", PAYMENTS).is("PATCH on freeze")
                        .refused(405, "method_not_allowed"),
                request("HEAD", "/transfers", PAYMENTS).is("HEAD").refused(405, "method_not_allowed"),
                request("OPTIONS", "/transfers", PAYMENTS).is("OPTIONS").refused(405, "method_not_allowed"),
                request("TRACE", "/transfers", PAYMENTS).is("TRACE").refused(405, "method_not_allowed"),
                request("delete", "/transfers", PAYMENTS).is("a lower-case method").refused(405, "method_not_allowed"),
                request("P0ST", "/transfers", PAYMENTS).body(transfer("p0st-1")).is("a made-up method")
                        .refused(405, "method_not_allowed"),
                request("", "/transfers", PAYMENTS).body(transfer("nomethod-1")).is("no method")
                        .refused(405, "method_not_allowed"),
                request("GET", "/transfers/held/post", PAYMENTS).is("GET on post").refused(405, "method_not_allowed"),
                request("POST", "/health", PAYMENTS).is("POST on health").refused(405, "method_not_allowed"),
                post("/nowhere").body("{}").is("an unknown route").refused(404, "not_found"),
                post("/").body(transfer("root-1")).is("the root").refused(404, "not_found"),
                post("/accounts/alice/delete").is("an unknown account action").refused(404, "not_found"),
                post("/transfers/held/capture").is("an unknown transfer action").refused(404, "not_found"),
                post("/accounts/").body(account("slash", "\"EUR\"", null)).is("a trailing slash")
                        .refused(404, "not_found"),
                post("/ACCOUNTS").body(account("upper", "\"EUR\"", null)).is("an upper-case route")
                        .refused(404, "not_found"),
                post("//transfers").body(transfer("dbl-1")).is("a double slash").refused(404, "not_found"),
                post("/accounts/alice/freeze/").is("a trailing slash after an action").refused(404, "not_found"),
                post("/transfers/held").is("a transfer without action").refused(404, "not_found"),
                post("/transfers\u0000").body(transfer("nul-1")).is("a NUL after the route").refused(404, "not_found"),
                post("/" + "a/".repeat(5000)).is("a 10 KB path").refused(404, "not_found"));
    }

    static List<HostileRequest> oversizedHeadersAndMetadata() {
        String seventeenKeys = IntStream.range(0, 17).mapToObj(i -> "\"k" + i + "\":\"v\"")
                .collect(Collectors.joining(",", "{", "}"));
        HostileRequest.Builder manyHeaders = post("/transfers").body(transfer("amount", "1.00"));
        for (int i = 0; i < 500; i++) {
            manyHeaders.header("x-junk-" + i, "v".repeat(100));
        }
        return List.of(
                post("/transfers").body(transfer("metadata", seventeenKeys)).is("17 metadata keys").refused(400, INVALID),
                post("/transfers").body(transfer("metadata", "{\"k\":\"" + "x".repeat(513) + "\"}"))
                        .is("a 513-character metadata value").refused(400, INVALID),
                post("/transfers").body(transfer("metadata", "{\"" + "k".repeat(65) + "\":\"v\"}"))
                        .is("a 65-character metadata key").refused(400, INVALID),
                post("/transfers").body(transfer("metadata", "{\"\":\"v\"}")).is("an empty metadata key")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("metadata", "{\"bad key\":\"v\"}")).is("a space in a metadata key")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("metadata", "{\"k\u00e9y\":\"v\"}")).is("a non-ASCII metadata key")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("metadata", "{\"k\":\"" + "x".repeat(17 * 1024) + "\"}"))
                        .is("a 17 KB metadata value").refused(400, INVALID),
                post("/transfers").body(transfer("hdr-1")).header("authorization", "Bearer " + "t".repeat(64 * 1024))
                        .is("a 64 KB bearer token").refused(401, "unauthenticated"),
                post("/transfers").body(transfer("amount", "1.00")).header("x-correlation-id", "c".repeat(10 * 1024))
                        .is("a 10 KB correlation id").refused(400, INVALID),
                post("/transfers").body(transfer("amount", "1.00"))
                        .header("x-correlation-id", "c-1\n{\"level\":\"ERROR\",\"route\":\"forged\"}")
                        .is("a correlation id forging a log line").refused(400, INVALID),
                manyHeaders.is("500 junk headers of 100 bytes").refused(400, INVALID));
    }

    static List<HostileRequest> holdTimeouts() {
        return List.of(
                post("/transfers").body(transfer("pending", "true")).is("pending without a timeout")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("pending", "true,\"timeoutSeconds\":null")).is("a null timeout")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("timeoutSeconds", "60")).is("a timeout without pending")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("pending", "false,\"timeoutSeconds\":60"))
                        .is("a timeout on a transfer that is not pending").refused(400, INVALID),
                post("/transfers").body(transfer("pending", "true,\"timeoutSeconds\":0")).is("a zero timeout")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("pending", "true,\"timeoutSeconds\":-1")).is("a negative timeout")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("pending", "true,\"timeoutSeconds\":-0")).is("a negative zero timeout")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("pending", "true,\"timeoutSeconds\":1.5")).is("a fractional timeout")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("pending", "true,\"timeoutSeconds\":60.0")).is("a whole float timeout")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("pending", "true,\"timeoutSeconds\":6e1")).is("an exponent timeout")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("pending", "true,\"timeoutSeconds\":\"60\"")).is("a string timeout")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("pending", "true,\"timeoutSeconds\":true")).is("a boolean timeout")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("pending",
                                "true,\"timeoutSeconds\":" + (CommandApi.MAX_TIMEOUT_SECONDS + 1)))
                        .is("one second past the longest hold").refused(400, INVALID),
                post("/transfers").body(transfer("pending", "true,\"timeoutSeconds\":1000000000000"))
                        .is("a timeout of 31,700 years").refused(400, INVALID),
                post("/transfers").body(transfer("pending", "true,\"timeoutSeconds\":9223372036854775807"))
                        .is("the largest long as a timeout").refused(400, INVALID),
                post("/transfers").body(transfer("pending", "true,\"timeoutSeconds\":9223372036854775808"))
                        .is("a timeout past the largest long").refused(400, INVALID));
    }

    static List<HostileRequest> currencies() {
        return List.of(
                post("/transfers").body(transfer("currency", "\"XYZ\"")).is("an unknown code").refused(400, INVALID),
                post("/transfers").body(transfer("currency", "\"eur\"")).is("a lower-case code").refused(400, INVALID),
                post("/transfers").body(transfer("currency", "\"EU\"")).is("two letters").refused(400, INVALID),
                post("/transfers").body(transfer("currency", "\"EURO\"")).is("four letters").refused(400, INVALID),
                post("/transfers").body(transfer("currency", "\"\"")).is("an empty code").refused(400, INVALID),
                post("/transfers").body(transfer("currency", "\" EUR\"")).is("a padded code").refused(400, INVALID),
                post("/transfers").body(transfer("currency", "\"\u0415UR\"")).is("a Cyrillic E").refused(400, INVALID),
                post("/transfers").body(transfer("currency", "\"\u20ac\"")).is("the euro sign").refused(400, INVALID),
                post("/transfers").body(transfer("currency", "\"\u202ERUE\"")).is("an override in the code")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("currency", "\"XAU\"")).is("gold, which has no minor unit")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("currency", "\"XXX\"")).is("no currency (XXX)").refused(400, INVALID),
                post("/transfers").body(transfer("currency", "\"XDR\"")).is("special drawing rights")
                        .refused(400, INVALID),
                post("/accounts").body(account("cur", "\"XTS\"", null)).is("an account in the testing code")
                        .refused(400, INVALID),
                post("/transfers").body(transfer("usd-1", "alice", "bob", "1.00", "USD"))
                        .is("dollars between euro accounts, sent again").refused(422, "currency_mismatch"),
                post("/transfers").body(transfer("usd-2", "alice", "bob", "1.00", "USD"))
                        .is("dollars between euro accounts, first attempt").recordingItsRefusal()
                        .refused(422, "currency_mismatch"),
                post("/transfers").body(transfer("jpy-1", "alice", "bob", "1500", "JPY"))
                        .is("yen between euro accounts, first attempt").recordingItsRefusal()
                        .refused(422, "currency_mismatch"));
    }

    static List<HostileRequest> businessRefusals() {
        return List.of(
                post("/transfers").body(transfer("same-1", "alice", "alice", "1.00", "EUR"))
                        .is("a same-account transfer, sent again").refused(422, "same_account"),
                post("/transfers").body(transfer("same-2", "bob", "bob", "1.00", "EUR"))
                        .is("a same-account transfer, first attempt").recordingItsRefusal()
                        .refused(422, "same_account"),
                post("/transfers").body(transfer("same-3", "alice", "Alice", "1.00", "EUR"))
                        .is("a 'same' account in another case").refused(404, "account_not_found"),
                post("/transfers").body(transfer("ghost-1", "alice", "nobody", "1.00", "EUR"))
                        .is("an unknown credit account").refused(404, "account_not_found"),
                post("/transfers").body(transfer("ghost-2", "nobody", "alice", "1.00", "EUR"))
                        .is("an unknown debit account").refused(404, "account_not_found"),
                post("/transfers").body(transfer("broke-1", "alice", "bob", "1000.00", "EUR"))
                        .is("an overdraft, sent again").refused(422, "insufficient_funds"),
                post("/transfers").body(transfer("fund", "bank", "alice", "50.01", "EUR"))
                        .is("a used transfer id with another amount").refused(409, "idempotency_conflict"),
                post("/transfers").body(transfer("held", "alice", "bob", "1.00", "EUR"))
                        .is("a hold's id reused for a posted transfer").refused(409, "idempotency_conflict"),
                post("/transfers").body(transfer("same-1", "alice", "bob", "1.00", "EUR"))
                        .is("a refused id reused with a valid request").refused(409, "idempotency_conflict"),
                post("/accounts").body(account("alice", "\"USD\"", null)).is("alice again in dollars")
                        .refused(409, "account_exists"),
                post("/accounts").body(account("bank", "\"EUR\"", null)).is("an unlimited account reopened with a floor")
                        .refused(409, "account_exists"),
                post("/accounts/alice/close").is("closing an account with money").refused(422, "account_not_empty"),
                post("/accounts/nobody/freeze").is("freezing an unknown account").refused(404, "account_not_found"),
                post("/transfers/fund/post").is("posting a posted transfer").refused(422, "transfer_not_pending"),
                post("/transfers/fund/void").is("voiding a posted transfer").refused(422, "transfer_not_pending"),
                post("/transfers/same-1/void").is("voiding a refused transfer").refused(422, "transfer_not_pending"),
                post("/transfers/nothing/post").is("posting an unknown transfer").refused(404, "transfer_not_found"),
                post("/transfers/nothing/post").body("{\"amount\":\"1.00\"}").is("part-posting an unknown transfer")
                        .refused(404, "transfer_not_found"));
    }

    static List<HostileRequest> transactionBodies() {
        String valid = entry("alice", "debit", "1.00", "EUR") + "," + entry("bob", "credit", "1.00", "EUR");
        List<String> manyEntries = new ArrayList<>();
        for (int i = 0; i <= 100; i++) {
            manyEntries.add(entry(i % 2 == 0 ? "alice" : "bob", i % 2 == 0 ? "debit" : "credit", "0.01", "EUR"));
        }
        List<String> manyAccounts = new ArrayList<>();
        manyAccounts.add(entry("bank", "debit", "0.50", "EUR"));
        for (int i = 1; i <= 50; i++) {
            manyAccounts.add(entry("shop-" + i, "credit", "0.01", "EUR"));
        }
        return List.of(
                post("/transactions").body("{\"transactionId\":\"tb-1\"}").is("no entries").refused(400, INVALID),
                post("/transactions").body("{\"transactionId\":\"tb-2\",\"entries\":null}").is("null entries")
                        .refused(400, INVALID),
                post("/transactions").body("{\"transactionId\":\"tb-3\",\"entries\":[]}").is("empty entries")
                        .refused(400, "too_few_entries"),
                post("/transactions").body(transaction("tb-4", false, entry("alice", "debit", "1.00", "EUR")))
                        .is("a single entry").refused(400, "too_few_entries"),
                post("/transactions").body("{\"transactionId\":\"tb-5\",\"entries\":{\"0\":" + entry("alice", "debit",
                        "1.00", "EUR") + "}}").is("entries as an object").refused(400, INVALID),
                post("/transactions").body("{\"transactionId\":\"tb-6\",\"entries\":\"alice->bob\"}")
                        .is("entries as a string").refused(400, INVALID),
                post("/transactions").body("{\"transactionId\":\"tb-7\",\"entries\":[[" + valid + "]]}")
                        .is("entries nested in an array").refused(400, INVALID),
                post("/transactions").body("{\"entries\":[" + valid + "]}").is("no transaction id").refused(400, INVALID),
                post("/transactions").body("{\"transactionId\":\"tb 9\",\"entries\":[" + valid + "]}")
                        .is("a space in the transaction id").refused(400, INVALID),
                post("/transactions").body("{\"transactionId\":\"../tb\",\"entries\":[" + valid + "]}")
                        .is("a path in the transaction id").refused(400, INVALID),
                post("/transactions").body("{\"transactionId\":\"tb-11\",\"transactionId\":\"tb-12\",\"entries\":["
                        + valid + "]}").is("a duplicate transaction id key").refused(400, INVALID),
                post("/transactions").body("{\"transactionId\":\"tb-13\",\"entries\":[" + valid
                        + "],\"debitAccountId\":\"alice\"}").is("a transfer's field in a transaction")
                        .refused(400, INVALID),
                post("/transactions").body(transaction("tb-14", false, manyEntries.toArray(String[]::new)))
                        .is("101 entries").refused(400, "too_many_entries"),
                post("/transactions").body(transaction("tb-15", false, manyAccounts.toArray(String[]::new)))
                        .is("50 distinct accounts, one past the limit").refused(400, "too_many_entries"),
                post("/transactions").body("{\"transactionId\":\"tb-16\",\"entries\":[" + valid
                        + "],\"pending\":true}").is("a pending transaction without a timeout").refused(400, INVALID),
                post("/transactions").body("{\"transactionId\":\"tb-17\",\"entries\":[" + valid
                        + "],\"timeoutSeconds\":60}").is("a timeout without pending").refused(400, INVALID),
                post("/transactions").body("{\"transactionId\":\"tb-18\",\"entries\":[" + valid
                        + "],\"pending\":true,\"timeoutSeconds\":0}").is("a zero timeout").refused(400, INVALID),
                post("/transactions").body("{\"transactionId\":\"tb-19\",\"entries\":[" + valid
                        + "],\"metadata\":[\"a\"]}").is("metadata as an array").refused(400, INVALID),
                post("/transactions").body("{\"transactionId\":\"tb-20\",\"entries\":[" + valid + "],\"metadata\":{"
                        + IntStream.range(0, 17).mapToObj(i -> "\"k" + i + "\":\"v\"").collect(Collectors.joining(","))
                        + "}}").is("metadata with 17 keys").refused(400, INVALID),
                post("/transactions").body("{\"transactionId\":\"tb-21\",\"entries\":[" + valid
                        + "],\"pending\":\"yes\"}").is("pending as a string").refused(400, INVALID));
    }

    static List<HostileRequest> transactionEntries() {
        String credit = entry("bob", "credit", "1.00", "EUR");
        return List.of(
                post("/transactions").body(transaction("te-1", false, "42", credit)).is("an entry that is a number")
                        .refused(400, INVALID),
                post("/transactions").body(transaction("te-2", false, "{\"accountId\":\"alice\",\"side\":\"DEBIT\","
                        + "\"amount\":\"1.00\",\"currency\":\"EUR\"}", credit)).is("an entry with a transfer's 'side'")
                        .refused(400, INVALID),
                post("/transactions").body(transaction("te-3", false, "{\"direction\":\"debit\",\"amount\":\"1.00\","
                        + "\"currency\":\"EUR\"}", credit)).is("an entry without an account").refused(400, INVALID),
                post("/transactions").body(transaction("te-4", false, "{\"accountId\":\"alice\",\"amount\":\"1.00\","
                        + "\"currency\":\"EUR\"}", credit)).is("an entry without a direction").refused(400, INVALID),
                post("/transactions").body(transaction("te-5", false, entry("alice", "DEBIT", "1.00", "EUR"), credit))
                        .is("an upper-case direction").refused(400, INVALID),
                post("/transactions").body(transaction("te-6", false, entry("alice", "withdraw", "1.00", "EUR"), credit))
                        .is("a direction that is no side").refused(400, INVALID),
                post("/transactions").body(transaction("te-7", false, entry("alice", "debit", "1.00", "EUR")
                        .replace("\"debit\"", "1"), credit)).is("a direction as a number").refused(400, INVALID),
                post("/transactions").body(transaction("te-8", false, entry("alice", "debit", "1.00", "EUR")
                        .replace("\"1.00\"", "1.00"), credit)).is("an entry amount as a JSON number")
                        .refused(400, INVALID),
                post("/transactions").body(transaction("te-9", false, entry("alice", "debit", "1.00", "EUR")
                        .replace("\"1.00\"", "null"), credit)).is("a null entry amount").refused(400, INVALID),
                post("/transactions").body(transaction("te-10", false, entry("alice", "debit", "0.00", "EUR"),
                        entry("bob", "credit", "0.00", "EUR"))).is("zero amounts").refused(400, INVALID),
                post("/transactions").body(transaction("te-11", false, entry("alice", "debit", "-1.00", "EUR"),
                        entry("bob", "debit", "1.00", "EUR"))).is("a negative amount to balance a debit")
                        .refused(400, INVALID),
                post("/transactions").body(transaction("te-12", false, entry("alice", "debit", "1.001", "EUR"),
                        entry("bob", "credit", "1.001", "EUR"))).is("three decimals in euros").refused(400, INVALID),
                post("/transactions").body(transaction("te-13", false, entry("alice", "debit", PAST_LONG_EUR, "EUR"),
                        entry("bob", "credit", PAST_LONG_EUR, "EUR"))).is("amounts one past the largest")
                        .refused(400, INVALID),
                post("/transactions").body(transaction("te-14", false, entry("alice", "debit", "1e3", "EUR"),
                        entry("bob", "credit", "1e3", "EUR"))).is("an exponent in an amount").refused(400, INVALID),
                post("/transactions").body(transaction("te-15", false, entry("alice", "debit", "1.00", "XYZ"),
                        entry("bob", "credit", "1.00", "XYZ"))).is("an unknown currency").refused(400, INVALID),
                post("/transactions").body(transaction("te-16", false, entry("../bob", "debit", "1.00", "EUR"), credit))
                        .is("a path as an entry's account").refused(400, INVALID),
                post("/transactions").body(transaction("te-17", false, entry("al\u202Eice", "debit", "1.00", "EUR"),
                        credit)).is("a direction override in an entry's account").refused(400, INVALID),
                post("/transactions").body(transaction("te-18", false, entry("alice", "debit", "1.00", "EUR")
                        .replace("}", ",\"amount\":\"2.00\"}"), credit)).is("a duplicate amount in an entry")
                        .refused(400, INVALID));
    }

    static List<HostileRequest> transactionRefusals() {
        return List.of(
                post("/transactions").body(transaction("tr-1", false, entry("alice", "debit", "1.00", "EUR"),
                        entry("bob", "credit", "0.90", "EUR"))).is("debits above credits").recordingItsRefusal()
                        .refused(422, "unbalanced"),
                post("/transactions").body(transaction("tr-2", false, entry("alice", "debit", "1.00", "EUR"),
                        entry("bob", "credit", "1.00", "EUR"), entry("bank", "debit", "1.00", "USD"),
                        entry("bob", "credit", "0.99", "USD"))).is("two currencies, the second one not balancing")
                        .recordingItsRefusal().refused(422, "unbalanced"),
                post("/transactions").body(transaction("tr-3", false, entry("alice", "debit", "30.00", "EUR"),
                        entry("alice", "credit", "1.00", "EUR"), entry("alice", "debit", "30.00", "EUR"),
                        entry("bob", "credit", "59.00", "EUR"))).is("one account's entries netting below its floor")
                        .recordingItsRefusal().refused(422, "insufficient_funds"),
                post("/transactions").body(transaction("tr-4", false, entry("alice", "debit", "1.00", "USD"),
                        entry("bob", "credit", "1.00", "USD"))).is("dollars on euro accounts").recordingItsRefusal()
                        .refused(422, "currency_mismatch"),
                post("/transactions").body(transaction("tr-5", false, entry("alice", "debit", "1.00", "EUR"),
                        entry("alice", "credit", "1.00", "EUR"))).is("every entry on one account").recordingItsRefusal()
                        .refused(422, "same_account"),
                post("/transactions").body(transaction("tr-6", false, entry("bank", "debit", MAX_LONG_EUR, "EUR"),
                        entry("bank", "debit", MAX_LONG_EUR, "EUR"), entry("alice", "credit", MAX_LONG_EUR, "EUR"),
                        entry("bob", "credit", MAX_LONG_EUR, "EUR"))).is("amounts near 2^63 whose sums pass it")
                        .recordingItsRefusal().refused(422, "balance_overflow"),
                post("/transactions").body(transaction("tr-7", false, entry("alice", "debit", "1.00", "EUR"),
                        entry("nobody", "credit", "1.00", "EUR"))).is("an entry on an unknown account")
                        .refused(404, "account_not_found"),
                post("/transactions").body(transaction("tx-unbalanced-1", false, entry("alice", "debit", "1.00", "EUR"),
                        entry("bob", "credit", "0.99", "EUR"))).is("an unbalanced transaction, sent again")
                        .refused(422, "unbalanced"),
                post("/transactions").body(transaction("tx-broke-1", false, entry("alice", "debit", "1000.00", "EUR"),
                        entry("bob", "credit", "1000.00", "EUR"))).is("an overdrawing transaction, sent again")
                        .refused(422, "insufficient_funds"),
                post("/transactions").body(transaction("tx-ok", true, entry("alice", "debit", "2.00", "EUR"),
                        entry("bob", "credit", "2.00", "EUR"))).is("a used transaction id with other entries")
                        .refused(409, "idempotency_conflict"),
                post("/transactions").body(transaction("tx-ok", false, entry("alice", "debit", "2.00", "EUR"),
                        entry("bob", "credit", "1.50", "EUR"), entry("bank", "credit", "0.50", "EUR")))
                        .is("a used transaction id, pending then, posted now").refused(409, "idempotency_conflict"),
                post("/transactions/tx-now/post").is("posting a transaction posted at once (never pending)")
                        .refused(422, "transaction_not_pending"),
                post("/transactions/tx-ok/void").is("voiding a posted transaction").refused(422, "transaction_not_pending"),
                post("/transactions/tx-broke-1/post").is("posting a refused transaction")
                        .refused(422, "transaction_not_pending"),
                post("/transactions/nothing/void").is("voiding an unknown transaction")
                        .refused(404, "transaction_not_found"),
                post("/transactions/tx-ok/post").body("{\"amount\":\"1.00\"}").is("a partial post of a transaction")
                        .refused(400, INVALID),
                post("/transactions/.%2e/post").is("a traversal as the transaction id").refused(400, INVALID),
                request("POST", "/transactions", AUDITOR).body(transaction("tr-8", false,
                        entry("alice", "debit", "1.00", "EUR"), entry("bob", "credit", "1.00", "EUR")))
                        .is("an auditor recording a transaction").refused(403, "forbidden"));
    }

    /** A transaction's body; a pending one has a timeout of an hour. */
    static String transaction(String transactionId, boolean pending, String... entries) {
        return "{\"transactionId\":\"" + transactionId + "\",\"entries\":[" + String.join(",", entries) + "]"
                + (pending ? ",\"pending\":true,\"timeoutSeconds\":3600" : "") + "}";
    }

    static String entry(String accountId, String direction, String amount, String currency) {
        return "{\"accountId\":\"" + accountId + "\",\"direction\":\"" + direction + "\",\"amount\":\"" + amount
                + "\",\"currency\":\"" + currency + "\"}";
    }

    static List<HostileRequest> reversals() {
        String fund = "/transfers/fund/reverse";
        return List.of(
                post(fund).body(reversal("rv-1", "\"-1.00\"")).is("a negative reversal amount").refused(400, INVALID),
                post(fund).body(reversal("rv-1", "\"0\"")).is("a zero reversal amount").refused(400, INVALID),
                post(fund).body(reversal("rv-1", "\"0.00\"")).is("a reversal of 0.00").refused(400, INVALID),
                post(fund).body(reversal("rv-1", "\"1.001\"")).is("a reversal amount past the cent")
                        .refused(400, INVALID),
                post(fund).body(reversal("rv-1", "1.00")).is("a reversal amount as a JSON number").refused(400, INVALID),
                post(fund).body(reversal("rv-1", "\"1e2\"")).is("a reversal amount with an exponent")
                        .refused(400, INVALID),
                post(fund).body(reversal("rv-1", "\"" + PAST_LONG_EUR + "\"")).is("a reversal amount past 2^63 cents")
                        .refused(400, INVALID),
                post(fund).body(reversal("rv-1", "\"\"")).is("an empty reversal amount").refused(400, INVALID),
                post(fund).body("{\"amount\":\"1.00\"}").is("a reversal without a reversal id").refused(400, INVALID),
                post(fund).body(reversal("r\u00e9v-1", null)).is("an accented reversal id").refused(400, INVALID),
                post(fund).body(reversal("r".repeat(65), null)).is("a 65-character reversal id").refused(400, INVALID),
                post(fund).body("{\"reversalId\":7}").is("a reversal id as a number").refused(400, INVALID),
                post(fund).body("{\"reversalId\":\"rv-1\",\"currency\":\"EUR\"}").is("a currency on a reversal")
                        .refused(400, INVALID),
                post(fund).body("{\"reversalId\":\"rv-1\",\"force\":\"true\"}").is("force as a string")
                        .refused(400, INVALID),
                post(fund).body("{\"reversalId\":\"rv-1\",\"metadata\":{\"k\":1}}").is("a reversal's metadata value number")
                        .refused(400, INVALID),
                post(fund).body("[]").is("a reversal body that is an array").refused(400, INVALID),
                post(fund).body("").is("an empty reversal body").refused(400, INVALID),
                post(fund).body("{\"reversalId\":\"rv-1\",\"force\":true}").is("force with the payments role")
                        .refused(403, "force_requires_operator"),
                request("POST", fund, AUDITOR).body(reversal("rv-1", null)).is("a reversal by an auditor")
                        .refused(403, "forbidden"),
                request("POST", fund, null).body(reversal("rv-1", null)).is("a reversal without a token")
                        .refused(401, "unauthenticated"),
                request("GET", fund, PAYMENTS).is("GET on the reversal route").refused(405, "method_not_allowed"),
                post("/transfers/a%20b/reverse").body(reversal("rv-1", null)).is("a space in the reversed transfer's id")
                        .refused(400, INVALID),
                post("/transfers/nothing/reverse").body(reversal("rv-1", null)).is("a reversal of an unknown transfer")
                        .refused(404, "transfer_not_found"),
                post("/transfers/rev-1/reverse").body(reversal("rv-1", null)).is("a reversal of a reversal")
                        .refused(422, "cannot_reverse_reversal"),
                post(fund).body(reversal("rv-big", "\"49.01\"")).is("a reversal past what is left of the posted amount")
                        .recordingItsRefusal().refused(422, "reversal_exceeds_posted"),
                post("/transfers/held/reverse").body(reversal("rv-pending", null)).is("a reversal of a pending hold")
                        .recordingItsRefusal().refused(422, "transfer_not_posted"),
                post("/transfers/voided/reverse").body(reversal("rv-voided", "\"1.00\"")).is("a reversal of a voided hold")
                        .recordingItsRefusal().refused(422, "transfer_not_posted"),
                post("/transfers/same-1/reverse").body(reversal("rv-refused", null)).is("a reversal of a refused transfer")
                        .recordingItsRefusal().refused(422, "transfer_not_posted"),
                post("/transfers/held/reverse").body(reversal("rev-refused", null)).is("a refused reversal, sent again")
                        .refused(422, "transfer_not_posted"),
                post(fund).body(reversal("rev-1", "\"2.00\"")).is("a used reversal id with another amount")
                        .refused(409, "idempotency_conflict"),
                post("/transfers/posted-hold/reverse").body(reversal("rev-1", "\"1.00\""))
                        .is("a used reversal id on another transfer").refused(409, "idempotency_conflict"));
    }

    /**
     * {@code POST /transactions/{id}/reverse}: whole transactions only, once; {@code tx-now} is posted and
     * never reversed, so every row leaves it as it is.
     */
    static List<HostileRequest> transactionReversals() {
        String now = "/transactions/tx-now/reverse";
        return List.of(
                post(now).body(reversal("txr-2", "\"1.00\"")).is("an amount on a transaction's reversal")
                        .refused(400, INVALID),
                post(now).body(reversal("txr-2", "null")).is("a null amount on a transaction's reversal")
                        .refused(400, INVALID),
                post(now).body(reversal("txr-2", "\"-0.50\"")).is("a negative amount on a transaction's reversal")
                        .refused(400, INVALID),
                post(now).body("{\"metadata\":{}}").is("a transaction's reversal without a reversal id")
                        .refused(400, INVALID),
                post(now).body("{\"reversalId\":7}").is("a transaction's reversal id as a number").refused(400, INVALID),
                post(now).body(reversal("t".repeat(65), null)).is("a 65-character transaction reversal id")
                        .refused(400, INVALID),
                post(now).body(reversal("r\u0435v-cyr", null)).is("a Cyrillic letter in a transaction reversal id")
                        .refused(400, INVALID),
                post(now).body("{\"reversalId\":\"txr-2\",\"force\":1}").is("force as a number")
                        .refused(400, INVALID),
                post(now).body("{\"reversalId\":\"txr-2\",\"entries\":[]}").is("entries on a transaction's reversal")
                        .refused(400, INVALID),
                post(now).body("{\"reversalId\":\"txr-2\",\"reversalId\":\"txr-3\"}")
                        .is("a duplicate reversal id key").refused(400, INVALID),
                post(now).body("[]").is("a transaction's reversal body that is an array").refused(400, INVALID),
                post(now).body("").is("an empty body on a transaction's reversal").refused(400, INVALID),
                post(now).body("{\"reversalId\":\"txr-2\",\"force\":true}")
                        .is("force on a transaction's reversal with the payments role")
                        .refused(403, "force_requires_operator"),
                request("POST", now, AUDITOR).body(reversal("txr-2", null)).is("a transaction's reversal by an auditor")
                        .refused(403, "forbidden"),
                request("POST", now, null).body(reversal("txr-2", null)).is("a transaction's reversal without a token")
                        .refused(401, "unauthenticated"),
                request("GET", now, PAYMENTS).is("GET on the transaction reversal route")
                        .refused(405, "method_not_allowed"),
                post("/transactions/.%2e/reverse").body(reversal("txr-2", null))
                        .is("a traversal as the reversed transaction's id").refused(400, INVALID),
                post("/transactions/nothing/reverse").body(reversal("txr-2", null))
                        .is("a reversal of an unknown transaction").refused(404, "transaction_not_found"),
                post("/transactions/txr-1/reverse").body(reversal("txr-2", null))
                        .is("a reversal of a transaction's reversal").refused(422, "cannot_reverse_reversal"),
                post("/transactions/rev-1/reverse").body(reversal("txr-2", null))
                        .is("a transfer's reversal id as the transaction").refused(422, "cannot_reverse_reversal"),
                post("/transactions/tx-held/reverse").body(reversal("txr-held", null))
                        .is("a reversal of a pending transaction").recordingItsRefusal()
                        .refused(422, "transaction_not_posted"),
                post("/transactions/tx-voided/reverse").body(reversal("txr-voided", null))
                        .is("a reversal of a voided transaction").recordingItsRefusal()
                        .refused(422, "transaction_not_posted"),
                post("/transactions/tx-broke-1/reverse").body(reversal("txr-broke", null))
                        .is("a reversal of a refused transaction").recordingItsRefusal()
                        .refused(422, "transaction_not_posted"),
                post("/transactions/tx-rev/reverse").body(reversal("txr-again", null))
                        .is("a second reversal of a reversed transaction").recordingItsRefusal()
                        .refused(422, "reversal_exceeds_posted"),
                post("/transactions/tx-carol/reverse").body(reversal("txr-carol", null))
                        .is("a reversal its payer cannot pay back").recordingItsRefusal()
                        .refused(422, "insufficient_funds"),
                post("/transactions/tx-held/reverse").body(reversal("txr-refused", null))
                        .is("a refused transaction reversal, sent again").refused(422, "transaction_not_posted"),
                post(now).body(reversal("txr-1", null)).is("a used transaction reversal id on another transaction")
                        .refused(409, "idempotency_conflict"),
                post("/transactions/tx-rev/reverse").body("{\"reversalId\":\"txr-1\",\"metadata\":{\"k\":\"v\"}}")
                        .is("a used transaction reversal id with other metadata").refused(409, "idempotency_conflict"),
                post(now).body(reversal("rev-1", null)).is("a transfer's reversal id on a transaction")
                        .refused(409, "idempotency_conflict"),
                post("/transfers/fund/reverse").body(reversal("txr-1", "\"1.00\""))
                        .is("a transaction's reversal id on a transfer").refused(409, "idempotency_conflict"));
    }

    static List<HostileRequest> repeatedPostAndVoid() {
        return List.of(
                post("/transactions/tx-ok/void").is("a void of a transaction after its post")
                        .refused(422, "transaction_not_pending"),
                post("/transactions/tx-voided/post").is("a post of a transaction after its void")
                        .refused(422, "transaction_not_pending"),
                post("/transactions/tx-held/post").body("{\"amount\":\"0.50\"}")
                        .is("a post of a pending transaction naming an amount").refused(400, INVALID),
                post("/transfers/posted-hold/post").body("{\"amount\":\"0.50\"}")
                        .is("a post of a posted hold with another amount").refused(422, "transfer_not_pending"),
                post("/transfers/posted-hold/post").body("{\"amount\":\"1.00\"}")
                        .is("a post naming the full amount where the first named none").refused(422, "transfer_not_pending"),
                post("/transfers/posted-hold/void").is("a void after a post").refused(422, "transfer_not_pending"),
                post("/transfers/voided/post").is("a post after a void").refused(422, "transfer_not_pending"),
                post("/transfers/voided/post").body("{\"amount\":\"1.00\"}").is("a partial post after a void")
                        .refused(422, "transfer_not_pending"));
    }

    static List<HostileRequest> batchBodies() {
        String one = item(transfer("bb-1"));
        List<String> thousandAndOne = new ArrayList<>();
        List<String> twentyFive = new ArrayList<>();
        for (int i = 0; i <= 1000; i++) {
            thousandAndOne.add(item(transfer("bk-" + i)));
            if (i < 25) {
                twentyFive.add(item(transfer("bq-" + i)));
            }
        }
        return List.of(
                post("/batches").body(batch("bb-1", "true", "")).is("a batch with no items").refused(400, INVALID),
                post("/batches").body("{\"batchId\":\"bb-1\",\"atomic\":true}").is("a batch without items")
                        .refused(400, INVALID),
                post("/batches").body("{\"batchId\":\"bb-1\",\"items\":[" + one + "]}")
                        .is("a batch that does not say whether it is atomic").refused(400, INVALID),
                post("/batches").body(batch("bb-1", "\"true\"", one)).is("atomic as a string").refused(400, INVALID),
                post("/batches").body(batch("bb-1", "1", one)).is("atomic as a number").refused(400, INVALID),
                post("/batches").body("{\"batchId\":\"bb-1\",\"atomic\":true,\"items\":" + one + "}")
                        .is("items as an object, not an array").refused(400, INVALID),
                post("/batches").body(batch("bb-1", "true", "42")).is("an item that is a number").refused(400, INVALID),
                post("/batches").body(batch("../bb", "true", one)).is("a batch id with a path in it")
                        .refused(400, INVALID),
                post("/batches").body("{\"batchId\":\"bb-1\",\"atomic\":true,\"items\":[" + one + "],\"force\":true}")
                        .is("an unknown field beside the items").refused(400, INVALID),
                post("/batches").body("{\"batchId\":\"bb-1\",\"atomic\":true,\"items\":[],\"items\":[" + one + "]}")
                        .is("items twice").refused(400, INVALID),
                post("/batches").body(batch("bb-1", "false", String.join(",", thousandAndOne)))
                        .is("1,001 items").refused(400, "batch_too_large"),
                post("/batches").body(batch("bb-1", "true", String.join(",", twentyFive)))
                        .is("25 items in an atomic batch").refused(400, "batch_too_large"),
                post("/batches").body(batch("bb-1", "true", one) + " ".repeat(BatchApi.MAX_BODY_BYTES))
                        .is("a batch body over a megabyte").refused(400, INVALID),
                request("POST", "/batches", AUDITOR).body(batch("bb-1", "true", one)).is("a batch by an auditor")
                        .refused(403, "forbidden"));
    }

    static List<HostileRequest> batchItems() {
        return List.of(
                post("/batches").body(batch("bi-1", "true", "{\"type\":\"batch\",\"batchId\":\"inner\","
                        + "\"atomic\":true,\"items\":[" + item(transfer("bi-in")) + "]}"))
                        .is("a batch nested in a batch").refused(400, INVALID),
                post("/batches").body(batch("bi-1", "true", transfer("bi-t1").replace("{", "{\"type\":\"refund\",")))
                        .is("an item of an unknown type").refused(400, INVALID),
                post("/batches").body(batch("bi-1", "true", transfer("bi-t1"))).is("an item without a type")
                        .refused(400, INVALID),
                post("/batches").body(batch("bi-1", "true", transfer("bi-t1").replace("{", "{\"type\":1,")))
                        .is("an item whose type is a number").refused(400, INVALID),
                post("/batches").body(batch("bi-1", "true", item(transfer("bi-t1")) + "," + item(transfer("bi-t1"))))
                        .is("the same transfer id twice in one batch").refused(400, INVALID),
                post("/batches").body(batch("bi-1", "true", item(transfer("bi-t1")) + ","
                        + item(transfer("bi-t2", "alice", "bob", "1.001", "EUR"))))
                        .is("a valid item, then one with an amount past the currency's scale").refused(400, INVALID),
                post("/batches").body(batch("bi-1", "false", item(transfer("bi-t1", "alice", "bob", "-1.00", "EUR"))))
                        .is("an item with a negative amount").refused(400, INVALID),
                post("/batches").body(batch("bi-1", "true", item(transfer("bi-t1")).replace("}",
                        ",\"entries\":[]}"))).is("a transfer item with a transaction's entries").refused(400, INVALID),
                post("/batches").body(batch("bi-1", "true", transactionItem(transaction("bi-x1", false,
                        entry("alice", "debit", "1.00", "EUR"), entry("bob", "credit", "1.00", "EUR")))
                        .replace("\"entries\"", "\"debitAccountId\":\"alice\",\"entries\"")))
                        .is("a transaction item with a transfer's debit account").refused(400, INVALID),
                post("/batches").body(batch("bi-1", "true", transactionItem(transaction("bi-x1", false,
                        entry("alice", "debit", "1.00", "EUR")))))
                        .is("a transaction item with one entry").refused(400, "too_few_entries"),
                post("/batches").body(batch("bi-1", "true", item(transfer("bi-t1", "alice", "bob", "1.00", "EUR"))
                        .replace("}", ",\"pending\":true}"))).is("a pending transfer item without a timeout")
                        .refused(400, INVALID),
                post("/batches").body(batch("bi-1", "true", item(transfer("bi-t1", "alice", "bob", "1.00", "ZZZ"))))
                        .is("an item in an unknown currency").refused(400, INVALID));
    }

    static List<HostileRequest> batchRefusals() {
        return List.of(
                post("/batches").body(batch("br-1", "true", item(transfer("br-t1")) + ","
                        + item(transfer("fund", "bank", "alice", "51.00", "EUR"))))
                        .is("an item whose id was used for other content").refused(409, "idempotency_conflict"),
                post("/batches").body(batch("br-2", "true", item(transfer("br-t2")) + ","
                        + item(transfer("br-t3", "alice", "nobody", "1.00", "EUR"))))
                        .is("an item on an account that does not exist").refused(404, "account_not_found"),
                post("/batches").body(batch("br-3", "true", item(transfer("br-t4")) + ","
                        + item(transfer("br-t5", "alice", "bob", "1000.00", "EUR"))))
                        .is("a valid item, then one past the funds").recordingItsRefusal()
                        .refused(422, "insufficient_funds"),
                post("/batches").body(batch("br-4", "true", item(transfer("br-t6", "alice", "alice", "1.00", "EUR"))))
                        .is("an item on one account").recordingItsRefusal().refused(422, "same_account"),
                post("/batches").body(batch("br-5", "true", transactionItem(transaction("br-x1", false,
                        entry("alice", "debit", "1.00", "EUR"), entry("bob", "credit", "0.99", "EUR")))))
                        .is("an unbalanced transaction item").recordingItsRefusal().refused(422, "unbalanced"));
    }

    static String batch(String batchId, String atomicJson, String items) {
        return "{\"batchId\":\"" + batchId + "\",\"atomic\":" + atomicJson + ",\"items\":[" + items + "]}";
    }

    /** A transfer body as a batch's item. */
    static String item(String transfer) {
        return transfer.replaceFirst("\\{", "{\"type\":\"transfer\",");
    }

    static String transactionItem(String transaction) {
        return transaction.replaceFirst("\\{", "{\"type\":\"transaction\",");
    }

    private static HostileRequest.Builder post(String path) {
        return request("POST", path, PAYMENTS);
    }

    private static HostileRequest.Builder request(String method, String path, String token) {
        return HostileRequest.request(method, path, token);
    }

    /** A valid transfer of 1.00 EUR from alice to bob under a fresh id. */
    static String transfer(String transferId) {
        return transfer(transferId, "alice", "bob", "1.00", "EUR");
    }

    static String transfer(String transferId, String debit, String credit, String amount, String currency) {
        return "{\"transferId\":\"" + transferId + "\",\"debitAccountId\":\"" + debit + "\",\"creditAccountId\":\""
                + credit + "\",\"amount\":\"" + amount + "\",\"currency\":\"" + currency + "\"}";
    }

    /**
     * A valid-looking transfer of 1.00 EUR from alice to bob (id "m-1") with fields replaced by raw
     * JSON, or removed where the raw JSON is null.
     */
    static String transfer(String field, String rawJson) {
        return transfer(field, rawJson, null, null);
    }

    static String transfer(String field, String rawJson, String otherField, String otherRawJson) {
        List<String> fields = new ArrayList<>(List.of("\"transferId\":\"m-1\"", "\"debitAccountId\":\"alice\"",
                "\"creditAccountId\":\"bob\"", "\"amount\":\"1.00\"", "\"currency\":\"EUR\""));
        replace(fields, field, rawJson);
        if (otherField != null) {
            replace(fields, otherField, otherRawJson);
        }
        return "{" + String.join(",", fields) + "}";
    }

    private static void replace(List<String> fields, String field, String rawJson) {
        fields.removeIf(f -> f.startsWith("\"" + field + "\":"));
        if (rawJson != null) {
            fields.add("\"" + field + "\":" + rawJson);
        }
    }

    /** An account opening; the overdraft limit as raw JSON, or left out where null. */
    static String account(String accountId, String currencyJson, String overdraftLimitJson) {
        return "{\"accountId\":\"" + accountId + "\",\"currency\":" + currencyJson
                + (overdraftLimitJson == null ? "" : ",\"overdraftLimit\":" + overdraftLimitJson) + "}";
    }
}
