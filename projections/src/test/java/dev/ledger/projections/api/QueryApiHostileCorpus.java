package dev.ledger.projections.api;

import static dev.ledger.functions.LedgerFixture.AUDITOR;
import static dev.ledger.functions.LedgerFixture.PAYMENTS;

import dev.ledger.functions.api.HostileRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Hostile requests against the read API's routes, one category a method, each row with the
 * refusal the README documents for it. The ledger behind them is the command corpus' seed
 * (accounts bank, alice and bob; transfers fund and held; transaction tx-ok, posted), recorded on
 * 2026-05-01.
 */
public final class QueryApiHostileCorpus {

    static final String INVALID = "invalid_request";
    /** Every read route, with alice or the transfer fund as the subject. */
    private static final List<String> ROUTES = List.of("/accounts/alice", "/accounts/alice/history",
            "/accounts/alice/balance", "/transfers/fund", "/audit/accounts/alice/verify");

    private QueryApiHostileCorpus() {
    }

    public static List<HostileRequest> all() {
        List<HostileRequest> rows = new ArrayList<>();
        add(rows, "unicode in ids", unicodeInIds());
        add(rows, "path traversal", pathTraversal());
        add(rows, "missing or forged tokens", missingOrForgedTokens());
        add(rows, "methods and routes", methodsAndRoutes());
        add(rows, "history parameters", historyParameters());
        add(rows, "balance instants", balanceInstants());
        add(rows, "balance bases", balanceBases());
        add(rows, "history orders", historyOrders());
        add(rows, "unknown subjects", unknownSubjects());
        add(rows, "transactions", transactions());
        add(rows, "batches", batches());
        add(rows, "audit trail", auditTrail());
        add(rows, "account events export", accountEvents());
        add(rows, "account lists", accountLists());
        add(rows, "transfer lists", transferLists());
        add(rows, "account lists by metadata", accountListsByMetadata());
        return rows;
    }

    private static void add(List<HostileRequest> rows, String category, List<HostileRequest> inCategory) {
        inCategory.forEach(row -> rows.add(row.in(category)));
    }

    static List<HostileRequest> unicodeInIds() {
        return List.of(
                get("/accounts/%D0%B0lice").is("a percent-encoded Cyrillic a").refused(400, INVALID),
                get("/accounts/%").is("a bare percent sign").refused(400, INVALID),
                get("/accounts/%zz").is("a percent-escape that is not hex").refused(400, INVALID),
                get("/accounts/%u0061lice").is("a %u escape (not URL syntax)").refused(400, INVALID),
                get("/accounts/%E2%80%AEalice/history").is("a percent-encoded override").refused(400, INVALID),
                get("/accounts/alice%E2%80%8F/balance").query("asOf", "2026-06-01T00:00:00Z")
                        .is("a percent-encoded right-to-left mark").refused(400, INVALID),
                get("/transfers/fund%00").is("a percent-encoded NUL").refused(400, INVALID),
                get("/audit/accounts/%F0%9F%92%B8/verify").is("a percent-encoded emoji").refused(400, INVALID),
                get("/accounts/%ED%A0%80").is("an encoded surrogate (CESU-8)").refused(400, INVALID),
                get("/accounts/%EF%BB%BFalice").is("an encoded byte order mark").refused(400, INVALID),
                get("/accounts/ali%E2%80%8Bce").is("an encoded zero-width space").refused(400, INVALID),
                get("/accounts/\u0430lice").is("a raw Cyrillic a").refused(400, INVALID),
                get("/transfers/\uD800").is("a raw lone surrogate").refused(400, INVALID),
                get("/accounts/%\uFF16\uFF11lice").is("fullwidth hex digits in a percent-escape")
                        .refused(400, INVALID),
                get("/accounts/" + "a".repeat(65)).is("a 65-character id").refused(400, INVALID));
    }

    static List<HostileRequest> pathTraversal() {
        return List.of(
                get("/accounts/..").is("dot-dot as the id").refused(400, INVALID),
                get("/accounts/.").is("dot as the id").refused(400, INVALID),
                get("/accounts/%2e%2e").is("encoded dot-dot").refused(400, INVALID),
                get("/accounts/..%2Fbob").is("../bob, slash encoded").refused(400, INVALID),
                get("/accounts/..%5Cbob/history").is("..\\bob, backslash encoded").refused(400, INVALID),
                get("/accounts/..\\bob").is("a raw backslash").refused(400, INVALID),
                get("/transfers/%2E%2E%2Ffund").is("encoded ../fund").refused(400, INVALID),
                get("/audit/accounts/..%2F..%2Fetc%2Fpasswd/verify").is("../../etc/passwd").refused(400, INVALID),
                get("/accounts/%252e%252e").is("double-encoded dot-dot").refused(400, INVALID),
                get("/accounts/alice%/history").is("a truncated percent-escape").refused(400, INVALID),
                get("/transfers/%zz").is("a non-hex percent-escape").refused(400, INVALID),
                get("/accounts/alice/../bob").is("a ../ between segments").refused(404, "not_found"),
                get("/accounts/alice/history/../../bob").is("two ../ after a route").refused(404, "not_found"));
    }

    static List<HostileRequest> missingOrForgedTokens() {
        List<HostileRequest> rows = new ArrayList<>();
        for (String route : ROUTES) {
            rows.add(get(route).withoutAuthorization().query("asOf", "2026-06-01T00:00:00Z")
                    .is("no token on " + route).refused(401, "unauthenticated"));
        }
        rows.addAll(List.of(
                get("/accounts/alice").header("authorization", "").is("an empty header").refused(401, "unauthenticated"),
                get("/accounts/alice").header("authorization", "Bearer").is("the scheme alone")
                        .refused(401, "unauthenticated"),
                get("/accounts/alice").header("authorization", "Bearer not-a-token").is("an unknown token")
                        .refused(401, "unauthenticated"),
                get("/accounts/alice").header("authorization", "Bearer " + AUDITOR + "\u0000").is("a token and a NUL")
                        .refused(401, "unauthenticated"),
                get("/accounts/alice").header("authorization", "Bearer " + AUDITOR.toUpperCase())
                        .is("a token in upper case").refused(401, "unauthenticated"),
                get("/accounts/alice").header("authorization", "Basic YXVkaXQtdG9rZW4tMQ==")
                        .is("Basic with the token base64-encoded").refused(401, "unauthenticated"),
                get("/accounts/alice").header("authorization", AUDITOR).is("a token without scheme")
                        .refused(401, "unauthenticated"),
                get("/accounts/alice").header("authorization", "Bearer " + AUDITOR + ",Bearer " + PAYMENTS)
                        .is("two tokens joined").refused(401, "unauthenticated"),
                get("/accounts/alice").header("authorization", "Bearer eyJhbGciOiJub25lIn0.eyJyb2xlIjoiYXVkaXRvciJ9.")
                        .is("an unsigned JWT claiming auditor").refused(401, "unauthenticated"),
                get("/accounts/alice").header("authorization", "Bearer " + "t".repeat(64 * 1024))
                        .is("a 64 KB token").refused(401, "unauthenticated")));
        return rows;
    }

    static List<HostileRequest> methodsAndRoutes() {
        return List.of(
                request("POST", "/accounts/alice").is("POST on an account").refused(405, "method_not_allowed"),
                request("PUT", "/transfers/fund").body("{\"status\":\"VOIDED\"}").is("PUT on a transfer")
                        .refused(405, "method_not_allowed"),
                request("DELETE", "/accounts/alice/history").is("DELETE on history").refused(405, "method_not_allowed"),
                request("PATCH", "/accounts/alice/balance").is("PATCH on a balance").refused(405, "method_not_allowed"),
                request("POST", "/audit/accounts/alice/verify").is("POST on verify").refused(405, "method_not_allowed"),
                request("HEAD", "/accounts/alice").is("HEAD").refused(405, "method_not_allowed"),
                request("OPTIONS", "/transfers/fund").is("OPTIONS").refused(405, "method_not_allowed"),
                get("/").is("the root").refused(404, "not_found"),
                get("/transactions").is("the transaction collection (only transfers are listed)").refused(404, "not_found"),
                get("/audit/accounts/alice").is("audit without verify").refused(404, "not_found"),
                get("/accounts/alice/history/extra").is("a segment after history").refused(404, "not_found"),
                // Issue 16: an account's metadata is read with the account; it has no read route of its own.
                get("/accounts/alice/metadata").is("a read of an account's metadata alone").refused(404, "not_found"),
                get("/accounts/alice/balances").is("a misspelt route").refused(404, "not_found"),
                get("/ACCOUNTS/alice").is("an upper-case route").refused(404, "not_found"),
                get("/accounts//history").is("an empty id").refused(404, "not_found"),
                get("/accounts/alice/").is("a trailing slash").refused(404, "not_found"),
                get("/" + "a/".repeat(5000)).is("a 10 KB path").refused(404, "not_found"));
    }

    static List<HostileRequest> historyParameters() {
        return List.of(
                history().query("limit", "0").is("a limit of 0").refused(400, INVALID),
                history().query("limit", "-1").is("a negative limit").refused(400, INVALID),
                history().query("limit", "1001").is("a limit past the page size").refused(400, INVALID),
                history().query("limit", "1.5").is("a fractional limit").refused(400, INVALID),
                history().query("limit", "1e2").is("an exponent limit").refused(400, INVALID),
                history().query("limit", "abc").is("a word as limit").refused(400, INVALID),
                history().query("limit", "+5").is("a signed limit").refused(400, INVALID),
                history().query("limit", " 5").is("a padded limit").refused(400, INVALID),
                history().query("limit", "\u0665").is("an Arabic-Indic digit as limit").refused(400, INVALID),
                history().query("limit", "\uFF15").is("a fullwidth digit as limit").refused(400, INVALID),
                history().query("limit", "99999999999999999999").is("a limit past the largest long")
                        .refused(400, INVALID),
                history().query("limit", "5,6").is("a repeated limit, joined").refused(400, INVALID),
                history().query("cursor", "forged").is("a made-up cursor").refused(400, INVALID),
                history().query("cursor", "!!!").is("a cursor that is not base64").refused(400, INVALID),
                history().query("cursor", cursor("v1:0")).is("a cursor at version 0").refused(400, INVALID),
                history().query("cursor", cursor("v1:-1")).is("a cursor at version -1").refused(400, INVALID),
                history().query("cursor", cursor("v2:5")).is("a cursor of another format").refused(400, INVALID),
                history().query("cursor", cursor("v1:+5")).is("a cursor with a sign").refused(400, INVALID),
                history().query("cursor", cursor("v1:\u0665")).is("a cursor with an Arabic-Indic digit")
                        .refused(400, INVALID),
                history().query("cursor", cursor("v1:99999999999999999999")).is("a cursor past the largest long")
                        .refused(400, INVALID),
                history().query("cursor", "A".repeat(10 * 1024)).is("a 10 KB cursor").refused(400, INVALID),
                history().query("cursor", cursor("m1:3.0")).is("a sharded cursor with a shard at version 0")
                        .refused(400, INVALID),
                history().query("cursor", cursor("m1:3")).is("a sharded cursor of one shard").refused(400, INVALID),
                history().query("cursor", cursor("m1:" + "1.".repeat(32) + "1")).is("a sharded cursor of 33 shards")
                        .refused(400, INVALID),
                history().query("cursor", cursor("m1:3,4")).is("a sharded cursor with a comma").refused(400, INVALID),
                history().query("cursor", cursor("m1:3.-4")).is("a sharded cursor with a sign").refused(400, INVALID),
                history().query("from", "yesterday").is("a word as from").refused(400, INVALID),
                history().query("from", "2026-13-01T00:00:00Z").is("month 13").refused(400, INVALID),
                history().query("to", "1767225600").is("epoch seconds as to").refused(400, INVALID),
                history().query("to", "2026-01-01").is("a date without time").refused(400, INVALID),
                history().query("from", "2026-01-01T00:00:00Z\u0000").is("an instant and a NUL")
                        .refused(400, INVALID));
    }

    /** Issue 16: {@code GET /accounts} serves only what an index serves, and its own cursors for the same query. */
    static List<HostileRequest> accountLists() {
        return List.of(
                get("/accounts").query("metadata.customer", "c-1").query("limit", "101")
                        .is("accounts by metadata, a page past 100").refused(400, INVALID),
                get("/accounts").query("status", "OPEN").is("a status without a currency").refused(400, INVALID),
                get("/accounts").query("idPrefix", "a").query("currency", "EUR").is("an id prefix with a currency")
                        .refused(400, INVALID),
                get("/accounts").query("idPrefix", "a").query("status", "OPEN").is("an id prefix with a status")
                        .refused(400, INVALID),
                get("/accounts").query("idPrefix", "").is("an empty id prefix").refused(400, INVALID),
                get("/accounts").query("idPrefix", "a/../b").is("a path in an id prefix").refused(400, INVALID),
                get("/accounts").query("idPrefix", "\u0430").is("a Cyrillic a as an id prefix").refused(400, INVALID),
                get("/accounts").query("idPrefix", "a".repeat(65)).is("a 65-character id prefix").refused(400, INVALID),
                get("/accounts").query("currency", "eur").is("a lower-case currency").refused(400, INVALID),
                get("/accounts").query("currency", "XXY").is("an unknown currency").refused(400, INVALID),
                get("/accounts").query("currency", "EUR").query("status", "open").is("a lower-case status")
                        .refused(400, INVALID),
                get("/accounts").query("currency", "EUR").query("status", "DELETED").is("a status that does not exist")
                        .refused(400, INVALID),
                get("/accounts").query("limit", "0").is("a list of none").refused(400, INVALID),
                get("/accounts").query("limit", "101").is("a list past 100").refused(400, INVALID),
                get("/accounts").query("sort", "balance").is("an unknown list parameter").refused(400, INVALID),
                get("/accounts").query("cursor", "forged").is("a made-up account cursor").refused(400, INVALID),
                get("/accounts").query("cursor", cursor("a1:c:OPEN:alice")).is("a currency cursor on the id list")
                        .refused(400, INVALID),
                get("/accounts").query("currency", "EUR").query("cursor", cursor("a1:i:alice"))
                        .is("an id cursor on a currency list").refused(400, INVALID),
                get("/accounts").query("currency", "EUR").query("status", "OPEN")
                        .query("cursor", cursor("a1:c:FROZEN:alice")).is("a cursor of another status")
                        .refused(400, INVALID),
                get("/accounts").query("idPrefix", "b").query("cursor", cursor("a1:i:alice"))
                        .is("a cursor outside the id prefix").refused(400, INVALID),
                get("/accounts").query("cursor", cursor("a1:i:al/ce")).is("an account cursor holding a path")
                        .refused(400, INVALID),
                get("/accounts").query("cursor", "A".repeat(10 * 1024)).is("a 10 KB account cursor")
                        .refused(400, INVALID));
    }

    /**
     * Issue 16: {@code GET /transfers} serves an account or a status (each with a window), and its own cursors
     * for the same query only.
     */
    static List<HostileRequest> transferLists() {
        return List.of(
                get("/transfers").is("a transfer list with no filter").refused(400, INVALID),
                get("/transfers").query("accountId", "alice").query("status", "POSTED")
                        .is("an account with a status (not indexed together)").refused(400, INVALID),
                get("/transfers").query("metadata.order", "o-1").query("status", "POSTED")
                        .is("transfers by metadata with a status (not indexed together)").refused(400, INVALID),
                get("/transfers").query("status", "POSTED").query("to", "+10000-01-01T00:00:00Z")
                        .is("a list's window ending in the year 10000 (no place in the index's order)").refused(400, INVALID),
                get("/transfers").query("accountId", "alice").query("to", "+1000000000-12-31T23:59:59.999999999Z")
                        .is("a list's window ending at the last instant Java has").refused(400, INVALID),
                get("/transfers").query("metadata.order", "o-1").query("from", "-0001-01-01T00:00:00Z")
                        .is("a list's window starting before the year 0").refused(400, INVALID),
                get("/transfers").query("status", "POSTED").query("from", "2026-01-01T00:00:00Z")
                        .query("cursor", cursor("t1:s:POSTED:+10000-01-01T00:00:00.000000000Z#transfer#x"))
                        .is("a status cursor in the year 10000 (sorts before every window as text)").refused(400, INVALID),
                get("/transfers").query("metadata.order", "o-1").query("metadata.shop", "s-1")
                        .is("transfers by two metadata pairs").refused(400, INVALID),
                get("/transfers").query("metadata.order", "o-1").query("accountId", "alice")
                        .is("transfers by metadata with an account").refused(400, INVALID),
                get("/transfers").query("metadata.order", "o-1").query("cursor", cursor("t1:s:POSTED:2026-05-01T00:00:00.000000000Z#transfer#fund"))
                        .is("a status cursor on a metadata list").refused(400, INVALID),
                get("/transfers").query("metadata.order", "o-1").query("cursor", metadataCursor("account#order=o-1", 1))
                        .is("an account metadata cursor on a transfer list").refused(400, INVALID),
                get("/transfers").query("metadata.", "o-1").is("a metadata filter with an empty key")
                        .refused(400, INVALID),
                get("/transfers").query("metadata.a/b", "o-1").is("a metadata key holding a path").refused(400, INVALID),
                get("/transfers").query("metadata.order", "x".repeat(513)).is("a 513-character metadata value")
                        .refused(400, INVALID),
                get("/transfers").query("status", "posted").is("a lower-case transfer status").refused(400, INVALID),
                get("/transfers").query("status", "OPEN").is("an account's status on the transfer list")
                        .refused(400, INVALID),
                get("/transfers").query("status", "POSTED\u0000")
                        .is("a status and a NUL").refused(400, INVALID),
                get("/transfers").query("accountId", "..").is("dot-dot as the listed account").refused(400, INVALID),
                get("/transfers").query("accountId", "\u0430lice").is("a Cyrillic a in the listed account")
                        .refused(400, INVALID),
                get("/transfers").query("accountId", "a".repeat(65)).is("a 65-character listed account")
                        .refused(400, INVALID),
                get("/transfers").query("accountId", "nobody").is("the transfers of an account that does not exist")
                        .refused(404, "account_not_found"),
                get("/transfers").query("accountId", "alice").query("from", "yesterday").is("a word as the list's from")
                        .refused(400, INVALID),
                get("/transfers").query("status", "POSTED").query("to", "2026-01-01").is("a date without time as to")
                        .refused(400, INVALID),
                get("/transfers").query("status", "POSTED").query("from", "2026-06-01T00:00:00Z")
                        .query("to", "2026-05-01T00:00:00Z").is("from after to").refused(400, INVALID),
                get("/transfers").query("accountId", "alice").query("limit", "0").is("a transfer list of none")
                        .refused(400, INVALID),
                get("/transfers").query("status", "POSTED").query("limit", "101").is("a transfer list past 100")
                        .refused(400, INVALID),
                get("/transfers").query("status", "POSTED").query("limit", "-1").is("a negative transfer limit")
                        .refused(400, INVALID),
                get("/transfers").query("accountId", "alice").query("sort", "amount").is("an unknown transfer list parameter")
                        .refused(400, INVALID),
                get("/transfers").query("accountId", "alice").query("cursor", cursor("t1:a:bob:3"))
                        .is("another account's cursor").refused(400, INVALID),
                get("/transfers").query("accountId", "alice").query("cursor", cursor("t1:s:POSTED:2026-05-01T00:00:00.000000000Z#transfer#fund"))
                        .is("a status cursor on an account list").refused(400, INVALID),
                get("/transfers").query("status", "PENDING").query("cursor", cursor("t1:s:POSTED:2026-05-01T00:00:00.000000000Z#transfer#fund"))
                        .is("a cursor of another status").refused(400, INVALID),
                get("/transfers").query("status", "POSTED").query("cursor", cursor("t1:s:POSTED:2026-05-01T00:00:00Z#transfer#fund"))
                        .is("a status cursor whose instant is not the fixed-width form").refused(400, INVALID),
                get("/transfers").query("status", "POSTED").query("to", "2026-04-01T00:00:00Z")
                        .query("cursor", cursor("t1:s:POSTED:2026-05-01T00:00:00.000000000Z#transfer#fund"))
                        .is("a status cursor outside the window").refused(400, INVALID),
                get("/transfers").query("status", "POSTED").query("cursor", cursor("t1:s:POSTED:2026-05-01T00:00:00.000000000Z#transfer#fu/nd"))
                        .is("a status cursor holding a path").refused(400, INVALID),
                get("/transfers").query("accountId", "alice").query("cursor", cursor("t1:a:alice:" + "1.".repeat(32) + "1"))
                        .is("an account cursor of 33 shards").refused(400, INVALID),
                get("/transfers").query("accountId", "alice").query("cursor", cursor("t1:a:alice:3.4"))
                        .is("an account cursor naming shards the account does not have").refused(400, INVALID),
                get("/transfers").query("accountId", "alice").query("cursor", cursor("t1:a:alice:-3"))
                        .is("an account cursor with a sign").refused(400, INVALID),
                get("/transfers").query("accountId", "alice").query("cursor", "A".repeat(10 * 1024))
                        .is("a 10 KB transfer cursor").refused(400, INVALID));
    }

    /** GET /accounts?metadata.<key>=<value>: one pair, with limit and cursor only (issue 16). */
    static List<HostileRequest> accountListsByMetadata() {
        String gold = "metadata.tier";
        return List.of(
                get("/accounts").query(gold, "gold").query("metadata.customer", "c-1").is("two metadata pairs")
                        .refused(400, INVALID),
                get("/accounts").query(gold, "gold").query("currency", "EUR").is("a metadata pair with a currency")
                        .refused(400, INVALID),
                get("/accounts").query(gold, "gold").query("status", "OPEN").is("a metadata pair with a status")
                        .refused(400, INVALID),
                get("/accounts").query(gold, "gold").query("idPrefix", "a").is("a metadata pair with an id prefix")
                        .refused(400, INVALID),
                get("/accounts").query(gold, "gold").query("sort", "at").is("a metadata pair with an unknown parameter")
                        .refused(400, INVALID),
                get("/accounts").query("metadata.", "gold").is("an empty metadata key").refused(400, INVALID),
                get("/accounts").query("metadata.ti er", "gold").is("a space in a metadata key").refused(400, INVALID),
                get("/accounts").query("metadata.tier=gold", "x").is("an encoded '=' in a metadata key")
                        .refused(400, INVALID),
                get("/accounts").query("metadata.\u0442ier", "gold").is("a Cyrillic letter in a metadata key")
                        .refused(400, INVALID),
                get("/accounts").query("metadata.t/../ier", "gold").is("a path in a metadata key").refused(400, INVALID),
                get("/accounts").query("metadata." + "k".repeat(65), "gold").is("a 65-character metadata key")
                        .refused(400, INVALID),
                get("/accounts").query(gold, "g".repeat(513)).is("a 513-character metadata value").refused(400, INVALID),
                get("/accounts").query(gold, "g".repeat(10 * 1024)).is("a 10 KB metadata value").refused(400, INVALID),
                get("/accounts").query(gold, "gold").query("limit", "0").is("a metadata list of none")
                        .refused(400, INVALID),
                get("/accounts").query(gold, "gold").query("cursor", metadataCursor("account#tier=silver", 1))
                        .is("a cursor of another metadata pair").refused(400, INVALID),
                get("/accounts").query(gold, "gold").query("cursor", metadataCursor("account#tier=gold", 17))
                        .is("a metadata cursor past the 16 slots").refused(400, INVALID),
                get("/accounts").query(gold, "gold").query("cursor", cursor("a1:i:alice"))
                        .is("an id cursor on a metadata list").refused(400, INVALID),
                get("/accounts").query("cursor", metadataCursor("account#tier=gold", 1))
                        .is("a metadata cursor on the id list").refused(400, INVALID),
                get("/accounts").query(gold, "gold").query("cursor", "A".repeat(10 * 1024))
                        .is("a 10 KB metadata cursor").refused(400, INVALID));
    }

    /** A cursor as the metadata list gives it out (m1), for {@code pair} at slot {@code sk}. */
    private static String metadataCursor(String pair, int sk) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("{\"at\":\"2026-05-01T00:00:00.000000000Z"
                + "#account#alice\",\"pair\":\"" + pair + "\",\"sk\":" + sk + ",\"v\":\"m1\"}")
                .getBytes(StandardCharsets.UTF_8));
    }

    static List<HostileRequest> balanceInstants() {
        return List.of(
                balance().is("no asOf").refused(400, INVALID),
                balance().query("asOf", "").is("an empty asOf").refused(400, INVALID),
                balance().query("asOf", "now").is("the word now").refused(400, INVALID),
                balance().query("asOf", "2026-02-30T00:00:00Z").is("February 30").refused(400, INVALID),
                balance().query("asOf", "2026-06-01T00:00:00").is("an instant without zone").refused(400, INVALID),
                balance().query("asOf", "1767225600").is("epoch seconds").refused(400, INVALID),
                balance().query("asOf", "+1000000001-01-01T00:00:00Z").is("past the last instant")
                        .refused(400, INVALID),
                balance().query("asOf", "\u202E2026-06-01T00:00:00Z").is("an override before the instant")
                        .refused(400, INVALID),
                balance().query("asOf", "2".repeat(10 * 1024)).is("10 KB of digits").refused(400, INVALID),
                balance().query("asOf", "2026-04-30T23:59:59Z").is("before the account was opened")
                        .refused(404, "account_not_found"),
                // The checkpoint seek turns the instant into a sort key (EventsTable#checkpointSk): the first
                // instant and those around the epoch make it negative or zero, and must still seek nothing.
                balance().query("asOf", "-1000000000-01-01T00:00:00Z").is("the first instant")
                        .refused(404, "account_not_found"),
                balance().query("asOf", "1970-01-01T00:00:00Z").is("the epoch").refused(404, "account_not_found"),
                balance().query("asOf", "1969-12-31T23:59:59.999999999Z").is("a nanosecond before the epoch")
                        .refused(404, "account_not_found"));
    }

    /** Issue 16's {@code order}: {@code recorded} or {@code effective}, each with cursors of its own. */
    static List<HostileRequest> historyOrders() {
        java.util.function.Function<String, String> base64 = text -> java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String effectiveCursor = base64.apply("effective|2026-06-01T00:00:00Z|2026-06-01T00:00:00Z|0|2");
        return List.of(
                history().query("order", "Effective").is("an order capitalised").refused(400, INVALID),
                history().query("order", "desc").is("an order of another name").refused(400, INVALID),
                history().query("order", "effective,recorded").is("both orders at once").refused(400, INVALID),
                history().query("order", "effective\u0000").is("an order and a NUL").refused(400, INVALID),
                history().query("order", "o".repeat(10 * 1024)).is("10 KB of order").refused(400, INVALID),
                history().query("order", "effective").query("cursor", dev.ledger.projections.HistoryReader
                        .encodeCursor(2)).is("a recorded-order cursor in effective order").refused(400, INVALID),
                history().query("order", "recorded").query("cursor", effectiveCursor)
                        .is("an effective-order cursor in recorded order").refused(400, INVALID),
                history().query("order", "effective").query("cursor", "not-a-cursor")
                        .is("a word as an effective-order cursor").refused(400, INVALID),
                history().query("order", "effective").query("cursor", base64.apply("effective|x|y|0|1"))
                        .is("an effective-order cursor with no instants").refused(400, INVALID),
                history().query("order", "effective").query("cursor", base64.apply(
                        "effective|2026-02-30T00:00:00Z|2026-06-01T00:00:00Z|0|1"))
                        .is("an effective-order cursor on February 30").refused(400, INVALID),
                history().query("order", "effective").query("cursor", base64.apply(
                        "effective|2026-06-01T00:00:00Z|2026-06-01T00:00:00Z|0|99999999999999999999"))
                        .is("an effective-order cursor past the largest version").refused(400, INVALID),
                history().query("order", "effective").query("limit", "0").is("effective order with a limit of 0")
                        .refused(400, INVALID),
                history().query("order", "effective").query("from", "yesterday")
                        .is("effective order from a word").refused(400, INVALID));
    }

    /** Issue 16's {@code basis}: {@code recorded} or {@code effective}, exactly; nothing else. */
    static List<HostileRequest> balanceBases() {
        String asOf = "2026-06-01T00:00:00Z";
        return List.of(
                balance().query("asOf", asOf).query("basis", "booked").is("a basis of another name")
                        .refused(400, INVALID),
                balance().query("asOf", asOf).query("basis", "Effective").is("a basis capitalised")
                        .refused(400, INVALID),
                balance().query("asOf", asOf).query("basis", "EFFECTIVE").is("a basis in capitals")
                        .refused(400, INVALID),
                balance().query("asOf", asOf).query("basis", " effective").is("a basis after a space")
                        .refused(400, INVALID),
                balance().query("asOf", asOf).query("basis", "effective\u0000").is("a basis and a NUL")
                        .refused(400, INVALID),
                balance().query("asOf", asOf).query("basis", "\u202Eeffective").is("an override before the basis")
                        .refused(400, INVALID),
                balance().query("asOf", asOf).query("basis", "recorded,effective").is("both bases at once")
                        .refused(400, INVALID),
                balance().query("asOf", asOf).query("basis", "1").is("a basis by number").refused(400, INVALID),
                balance().query("asOf", asOf).query("basis", "e".repeat(10 * 1024)).is("10 KB of basis")
                        .refused(400, INVALID),
                balance().query("basis", "effective").is("an effective basis without asOf").refused(400, INVALID),
                balance().query("asOf", "yesterday").query("basis", "effective").is("an effective basis and a word")
                        .refused(400, INVALID),
                balance().query("asOf", "2026-04-30T23:59:59Z").query("basis", "effective")
                        .is("an effective basis before the account was opened").refused(404, "account_not_found"));
    }

    static List<HostileRequest> unknownSubjects() {
        return List.of(
                get("/accounts/nobody").is("an unknown account").refused(404, "account_not_found"),
                get("/accounts/Alice").is("an account in another case").refused(404, "account_not_found"),
                get("/accounts/nobody/history").is("an unknown account's history").refused(404, "account_not_found"),
                // Issue 16: a window is sought in the account's history; an account with none is still unknown.
                get("/accounts/nobody/history").query("from", "2026-01-01T00:00:00Z").query("to", "2027-01-01T00:00:00Z")
                        .is("an unknown account's history in a window").refused(404, "account_not_found"),
                get("/accounts/nobody/balance").query("asOf", "2026-06-01T00:00:00Z")
                        .is("an unknown account's balance").refused(404, "account_not_found"),
                get("/audit/accounts/nobody/verify").is("verifying an unknown account")
                        .refused(404, "account_not_found"),
                get("/transfers/nothing").is("an unknown transfer").refused(404, "transfer_not_found"),
                get("/transfers/alice").is("an account id as transfer id").refused(404, "transfer_not_found"));
    }

    /** GET /batches/{id}: the seeded log has no batch. */
    static List<HostileRequest> batches() {
        return List.of(
                get("/batches/nothing").is("an unknown batch").refused(404, "batch_not_found"),
                get("/batches/fund").is("a transfer id as batch id").refused(404, "batch_not_found"),
                get("/batches/..").is("dot-dot as the batch id").refused(400, INVALID),
                get("/batches/" + "b".repeat(65)).is("a 65-character batch id").refused(400, INVALID),
                get("/batches/b%00").is("a NUL after a batch id").refused(400, INVALID),
                request("POST", "/batches/nothing").is("POST on a batch's read route").refused(405, "method_not_allowed"));
    }

    /** GET /transactions/{id}: the transaction tx-ok exists (in the transfers table, as transaction#tx-ok). */
    static List<HostileRequest> transactions() {
        return List.of(
                get("/transactions/nothing").is("an unknown transaction").refused(404, "transaction_not_found"),
                get("/transactions/fund").is("a transfer id as transaction id").refused(404, "transaction_not_found"),
                get("/transactions/alice").is("an account id as transaction id").refused(404, "transaction_not_found"),
                get("/transactions/TX-OK").is("a transaction id in another case")
                        .refused(404, "transaction_not_found"),
                get("/transactions/tx-unbalanced-2").is("a transaction id never sent")
                        .refused(404, "transaction_not_found"),
                get("/transactions/transaction%23tx-ok").is("the projection's item key as the id")
                        .refused(400, INVALID),
                get("/transactions/..").is("dot-dot as the transaction id").refused(400, INVALID),
                get("/transactions/%2E%2E%2Ftx-ok").is("encoded ../tx-ok").refused(400, INVALID),
                get("/transactions/" + "t".repeat(65)).is("a 65-character transaction id").refused(400, INVALID),
                get("/transactions/%E2%80%AEtx-ok").is("a percent-encoded override in a transaction id")
                        .refused(400, INVALID),
                get("/transactions/tx-ok%00").is("a NUL after a transaction id").refused(400, INVALID),
                get("/transactions/\u0442x-ok").is("a raw Cyrillic t in a transaction id").refused(400, INVALID),
                get("/transactions/tx-ok").withoutAuthorization().is("no token on a transaction")
                        .refused(401, "unauthenticated"),
                request("POST", "/transactions/tx-ok").is("POST on a transaction").refused(405, "method_not_allowed"),
                request("DELETE", "/transactions/tx-ok").is("DELETE on a transaction")
                        .refused(405, "method_not_allowed"),
                get("/transactions").is("the transaction collection").refused(404, "not_found"),
                get("/transactions/tx-ok/entries").is("a segment after a transaction").refused(404, "not_found"),
                get("/TRANSACTIONS/tx-ok").is("an upper-case transactions route").refused(404, "not_found"),
                get("/transactions/tx-ok/").is("a trailing slash after a transaction").refused(404, "not_found"));
    }

    /** GET /audit/operations (issue 15): its limit and cursor, and who may read it. */
    static List<HostileRequest> auditTrail() {
        return List.of(
                operations().query("limit", "0").is("an audit page of 0").refused(400, INVALID),
                operations().query("limit", "-1").is("a negative audit limit").refused(400, INVALID),
                operations().query("limit", "101").is("an audit limit past the page size").refused(400, INVALID),
                operations().query("limit", "1.5").is("a fractional audit limit").refused(400, INVALID),
                operations().query("limit", "ten").is("a word as audit limit").refused(400, INVALID),
                operations().query("limit", "\uFF15").is("a fullwidth digit as audit limit").refused(400, INVALID),
                operations().query("limit", "99999999999999999999").is("an audit limit past the largest long")
                        .refused(400, INVALID),
                operations().query("cursor", "0").is("an audit cursor at version 0").refused(400, INVALID),
                operations().query("cursor", "-5").is("a negative audit cursor").refused(400, INVALID),
                operations().query("cursor", "+5").is("a signed audit cursor").refused(400, INVALID),
                operations().query("cursor", "abc").is("a made-up audit cursor").refused(400, INVALID),
                operations().query("cursor", "\u0665").is("an Arabic-Indic digit as audit cursor").refused(400, INVALID),
                operations().query("cursor", "99999999999999999999").is("an audit cursor past the largest long")
                        .refused(400, INVALID),
                operations().query("cursor", "A".repeat(10 * 1024)).is("a 10 KB audit cursor").refused(400, INVALID),
                HostileRequest.request("GET", "/audit/operations", PAYMENTS).is("a payments token on the audit trail")
                        .refused(403, "forbidden"),
                operations().withoutAuthorization().is("no token on the audit trail").refused(401, "unauthenticated"),
                request("POST", "/audit/operations").is("POST on the audit trail").refused(405, "method_not_allowed"),
                request("DELETE", "/audit/operations").is("DELETE on the audit trail").refused(405, "method_not_allowed"),
                get("/audit/operations/1").is("an audit entry by version (no such route)").refused(404, "not_found"),
                get("/audit/operations/").is("a trailing slash after the audit trail").refused(404, "not_found"));
    }

    /** GET /audit/accounts/{id}/events (issue 16, the console's export): its limit and cursor, and its id. */
    static List<HostileRequest> accountEvents() {
        return List.of(
                events().query("limit", "0").is("an export page of 0").refused(400, INVALID),
                events().query("limit", "-1").is("a negative export limit").refused(400, INVALID),
                events().query("limit", "1001").is("an export limit past the page size").refused(400, INVALID),
                events().query("limit", "1.5").is("a fractional export limit").refused(400, INVALID),
                events().query("limit", "ten").is("a word as export limit").refused(400, INVALID),
                events().query("limit", "\uFF15").is("a fullwidth digit as export limit").refused(400, INVALID),
                events().query("limit", "99999999999999999999").is("an export limit past the largest long")
                        .refused(400, INVALID),
                events().query("limit", "5,6").is("a repeated export limit, joined").refused(400, INVALID),
                events().query("cursor", "forged").is("a made-up export cursor").refused(400, INVALID),
                events().query("cursor", "32:0").is("an export cursor past the last shard").refused(400, INVALID),
                events().query("cursor", "0:-1").is("an export cursor at a negative version").refused(400, INVALID),
                events().query("cursor", "+0:5").is("a signed export cursor").refused(400, INVALID),
                events().query("cursor", "0:5:6").is("an export cursor of three parts").refused(400, INVALID),
                events().query("cursor", "0 :5").is("an export cursor with a space").refused(400, INVALID),
                events().query("cursor", "\u0665:1").is("an Arabic-Indic digit as export cursor shard")
                        .refused(400, INVALID),
                events().query("cursor", "0:99999999999999999999").is("an export cursor past the largest long")
                        .refused(400, INVALID),
                events().query("cursor", "A".repeat(10 * 1024)).is("a 10 KB export cursor").refused(400, INVALID),
                get("/audit/accounts/nobody/events").is("exporting an unknown account").refused(404, "account_not_found"),
                get("/audit/accounts/Alice/events").is("exporting an account in another case")
                        .refused(404, "account_not_found"),
                get("/audit/accounts/alice%231/events").is("a shard's stream name as the account id").refused(400, INVALID),
                get("/audit/accounts/%E2%80%AEalice/events").is("a percent-encoded override in an exported id")
                        .refused(400, INVALID),
                get("/audit/accounts/..%2F..%2Fetc%2Fpasswd/events").is("../../etc/passwd as exported id")
                        .refused(400, INVALID),
                events().withoutAuthorization().is("no token on the export").refused(401, "unauthenticated"),
                request("POST", "/audit/accounts/alice/events").is("POST on the export").refused(405, "method_not_allowed"),
                request("DELETE", "/audit/accounts/alice/events").is("DELETE on the export")
                        .refused(405, "method_not_allowed"),
                get("/audit/accounts/alice/events/").is("a trailing slash after the export").refused(404, "not_found"),
                get("/audit/accounts/alice/events/1").is("an exported event by version (no such route)")
                        .refused(404, "not_found"));
    }

    private static HostileRequest.Builder events() {
        return get("/audit/accounts/alice/events");
    }

    private static HostileRequest.Builder operations() {
        return get("/audit/operations");
    }

    private static HostileRequest.Builder history() {
        return get("/accounts/alice/history");
    }

    private static HostileRequest.Builder balance() {
        return get("/accounts/alice/balance");
    }

    private static HostileRequest.Builder get(String path) {
        return request("GET", path);
    }

    private static HostileRequest.Builder request(String method, String path) {
        return HostileRequest.request(method, path, AUDITOR);
    }

    private static String cursor(String decoded) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(decoded.getBytes(StandardCharsets.UTF_8));
    }
}
