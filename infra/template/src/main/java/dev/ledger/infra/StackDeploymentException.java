package dev.ledger.infra;

/** A stack that did not reach CREATE_COMPLETE or UPDATE_COMPLETE, with the first failure's reason. */
public final class StackDeploymentException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String stackName;
    private final String status;

    public StackDeploymentException(String stackName, String status, String reason) {
        super("Stack " + stackName + " ended in " + status + ": " + reason);
        this.stackName = stackName;
        this.status = status;
    }

    private StackDeploymentException(String stackName, String status, String message, Throwable cause) {
        super(message, cause);
        this.stackName = stackName;
        this.status = status;
    }

    /** CloudFormation refused the create or update request itself (a template or parameter error). */
    static StackDeploymentException rejected(String stackName, String reason, Throwable cause) {
        return new StackDeploymentException(stackName, "REJECTED",
                "CloudFormation rejected the request for stack " + stackName + ": " + reason, cause);
    }

    /** The stack's status: a CloudFormation stack status, or REJECTED, TIMEOUT, INTERRUPTED. */
    public String stackName() {
        return stackName;
    }

    public String status() {
        return status;
    }
}
