package dev.ledger.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;
import org.crac.Core;
import org.crac.Resource;

/**
 * Priming of an HTTP API handler before SnapStart's snapshot: the handler answers rehearsal requests
 * in its init phase, so the classes, the Axon model, Jackson's serializers and the SDK's marshallers
 * those requests need are loaded (and partly compiled) in the snapshot, not on a user's first request
 * after a restore. Rehearsals use their own token, never a configured one, and a log that goes nowhere:
 * a rehearsal is not a request and must not show in the request log.
 *
 * <p>Lambda calls {@link Resource#beforeCheckpoint} only when SnapStart takes a snapshot (a published
 * version); on any other JVM {@link #register} does nothing, so a handler on {@code $LATEST} or in the
 * local stack starts as before.
 */
public final class Priming {

    /** The one token rehearsal handlers accept; it is never among the configured ones. */
    public static final String TOKEN = "snapstart-priming";

    private Priming() {
    }

    /**
     * Registers a handler's hook with CRaC's global context. The context holds resources weakly; the
     * Lambda runtime holds the handler, and so its hook, for the life of the environment.
     */
    public static void register(Resource handler) {
        Core.getGlobalContext().register(handler);
    }

    /** Tokens that grant {@code role} to {@link #TOKEN} only: for a rehearsal handler. */
    public static ApiTokens tokens(Role role) {
        return ApiTokens.parse(TOKEN + "=" + role.label());
    }

    /** A request log that writes nothing: rehearsals are not requests. */
    public static RequestLog silentLog() {
        return new RequestLog(new PrintStream(OutputStream.nullOutputStream()));
    }

    /** An API Gateway (payload 2.0) request as the HTTP API sends it, with the rehearsal token. */
    public static APIGatewayV2HTTPEvent request(String method, String path, String body) {
        APIGatewayV2HTTPEvent.RequestContext.Http http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod(method);
        http.setPath(path);
        http.setProtocol("HTTP/1.1");
        http.setSourceIp("127.0.0.1");
        APIGatewayV2HTTPEvent.RequestContext context = new APIGatewayV2HTTPEvent.RequestContext();
        context.setHttp(http);
        context.setRequestId(TOKEN);
        context.setStage("$default");
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setVersion("2.0");
        event.setRouteKey("$default");
        event.setRawPath(path);
        event.setRawQueryString("");
        event.setHeaders(Map.of("authorization", "Bearer " + TOKEN, "content-type", "application/json"));
        event.setRequestContext(context);
        event.setBody(body);
        event.setIsBase64Encoded(false);
        return event;
    }

    /**
     * Fails the snapshot when a rehearsal was not answered as expected: a snapshot primed with an
     * error path would hide a broken deployment until the first request.
     */
    public static APIGatewayV2HTTPResponse expect(APIGatewayV2HTTPResponse response, String what, int... statuses) {
        for (int status : statuses) {
            if (response.getStatusCode() == status) {
                return response;
            }
        }
        throw new IllegalStateException("priming " + what + " answered " + response.getStatusCode() + ", not "
                + Arrays.toString(statuses) + ": " + response.getBody());
    }
}
