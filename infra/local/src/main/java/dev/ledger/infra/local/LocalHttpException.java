package dev.ledger.infra.local;

/**
 * A request the local HTTP server answers itself, before any handler sees it: the status and the
 * message of API Gateway's {@code {"message":"..."}} answer (e.g. 400 "Bad Request"). The message
 * is one of those fixed phrases, never a parser's detail or a class name.
 */
final class LocalHttpException extends Exception {

    private final int status;

    LocalHttpException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static LocalHttpException badRequest() {
        return new LocalHttpException(400, "Bad Request");
    }

    int status() {
        return status;
    }
}
