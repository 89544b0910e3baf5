package dev.ledger.functions.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row of a hostile-input corpus: a request as API Gateway would hand it to a Lambda, the
 * category it belongs to, what is wrong with it, and the documented refusal it must get.
 *
 * @param body the body exactly as API Gateway hands it over; null for none
 * @param base64 API Gateway's isBase64Encoded flag (set for binary media types)
 * @param logEffect what the request may do to the event log
 */
public record HostileRequest(String category, String description, String method, String path,
                             Map<String, String> headers, Map<String, String> query, String body, boolean base64,
                             int status, String code, LogEffect logEffect) {

    /** What a refused request may leave in the log. */
    public enum LogEffect {
        /** Nothing at all: every item of the events table, heads included, stays byte-identical. */
        NONE,
        /**
         * A first attempt the ledger refused is recorded, by design, so that the same transfer (or
         * reversal) id stays refused: exactly one new stream, {@code transfer:<id>} holding a single
         * TransferRejected event and its head, or {@code reversal:<id>} holding a ReversalRejected. No
         * account changes.
         */
        RECORDED_REFUSAL,
        /**
         * An operator's command the ledger refused (issue 15): the refusal goes on the audit trail, one new
         * {@code OperationPerformed} event in {@code audit:operations} and its head; nothing else changes.
         */
        AUDITED_REFUSAL
    }

    /** Starts a request with an {@code Authorization: Bearer <token>} header, or none if token is null. */
    public static Builder request(String method, String path, String token) {
        return new Builder(method, path, token);
    }

    public APIGatewayV2HTTPEvent toEvent(String requestId) {
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("$default")
                .withRawPath(path)
                .withHeaders(new LinkedHashMap<>(headers))
                .withQueryStringParameters(query.isEmpty() ? null : new LinkedHashMap<>(query))
                .withBody(body)
                .withIsBase64Encoded(base64)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId(requestId)
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod(method).withPath(path).withSourceIp("127.0.0.1").build())
                        .build())
                .build();
    }

    /** How the case shows in test reports: its category and what is wrong with it, never the raw bytes. */
    @Override
    public String toString() {
        return "[" + category + "] " + description + " -> " + status + " " + code;
    }

    /** Builds one row; the corpus reads as {@code post("/transfers").body(...).is("why").refused(400, ...)}. */
    public static final class Builder {
        private final String method;
        private final String path;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final Map<String, String> query = new LinkedHashMap<>();
        private String body;
        private boolean base64;
        private String description;
        private LogEffect logEffect = LogEffect.NONE;

        private Builder(String method, String path, String token) {
            this.method = method;
            this.path = path;
            if (token != null) {
                headers.put("authorization", "Bearer " + token);
            }
        }

        public Builder body(String body) {
            this.body = body;
            return this;
        }

        /** The body base64-encoded, with the flag API Gateway sets for binary media types. */
        public Builder base64Body(String body) {
            this.body = Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8));
            this.base64 = true;
            return this;
        }

        /** A body that claims to be base64 (the flag is set) whatever it is. */
        public Builder bodyFlaggedBase64(String body) {
            this.body = body;
            this.base64 = true;
            return this;
        }

        /** A header as sent; an {@code authorization} header replaces the default bearer token. */
        public Builder header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        public Builder withoutAuthorization() {
            headers.remove("authorization");
            return this;
        }

        /** A query parameter as API Gateway hands it over: already percent-decoded. */
        public Builder query(String name, String value) {
            query.put(name, value);
            return this;
        }

        /** What is wrong with the request, in words: the case's name in test reports. */
        public Builder is(String description) {
            this.description = description;
            return this;
        }

        /** The refusal is one the ledger records by design (see {@link LogEffect#RECORDED_REFUSAL}). */
        public Builder recordingItsRefusal() {
            this.logEffect = LogEffect.RECORDED_REFUSAL;
            return this;
        }

        /** The refusal is an operator's command's, recorded on the audit trail (see {@link LogEffect#AUDITED_REFUSAL}). */
        public Builder auditingItsRefusal() {
            this.logEffect = LogEffect.AUDITED_REFUSAL;
            return this;
        }

        public HostileRequest refused(int status, String code) {
            if (description == null) {
                throw new IllegalStateException("say what is wrong with " + method + " " + path + " with is(...)");
            }
            return new HostileRequest(null, description, method, path, Map.copyOf(headers), Map.copyOf(query), body,
                    base64, status, code, logEffect);
        }
    }

    /** The same row filed under a category. */
    public HostileRequest in(String category) {
        return new HostileRequest(category, description, method, path, headers, query, body, base64, status, code,
                logEffect);
    }
}
