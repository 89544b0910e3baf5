package dev.ledger.infra.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.ledger.infra.Template;
import dev.ledger.infra.local.streams.StreamFunction;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * One function of the template, run in this JVM the way Lambda runs it: the handler class the
 * template names, built through its public no-arg constructor, called with an event and a
 * {@link Context}. Like Lambda's execution environments, an instance serves one invocation at a
 * time; concurrent invocations get further instances, created on demand and kept for reuse.
 */
public final class LocalFunction implements StreamFunction, AutoCloseable {

    private final Template.Function spec;
    private final String functionName;
    private final String functionArn;
    private final Constructor<?> constructor;
    private final Method method;
    private final Optional<HandlerTypes.Signature> signature;
    private final Deque<Object> idle = new ConcurrentLinkedDeque<>();
    /**
     * The logical id of the function whose handler (its constructor or an invocation) runs on this
     * thread: on AWS each function has its own process and role, here they share one JVM, so this is
     * how a check of the calls a function makes (against its role) tells them apart.
     */
    private static final ThreadLocal<String> RUNNING = new ThreadLocal<>();
    private final List<Object> created = new ArrayList<>();

    private LocalFunction(Template.Function spec, String functionName, String functionArn, Constructor<?> constructor,
                          Method method, Optional<HandlerTypes.Signature> signature) {
        this.spec = spec;
        this.functionName = functionName;
        this.functionArn = functionArn;
        this.constructor = constructor;
        this.method = method;
        this.signature = signature;
    }

    /**
     * Loads the handler class and creates a first instance (Lambda's init phase), so a broken
     * handler fails at startup rather than on the first request.
     */
    public static LocalFunction load(Template.Function spec, String functionName, String functionArn) {
        Class<?> handlerClass;
        try {
            handlerClass = Class.forName(spec.handlerClass(), true, LocalFunction.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("The template's function " + spec.logicalId() + " names the handler class "
                    + spec.handlerClass() + ", which is not on the classpath", e);
        }
        Constructor<?> constructor;
        try {
            constructor = handlerClass.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("Handler " + handlerClass.getName() + " needs a public no-arg constructor,"
                    + " which is what the Lambda runtime calls", e);
        }
        LocalFunction function = new LocalFunction(spec, functionName, functionArn, constructor,
                handlerMethod(handlerClass, spec.handlerMethod()), HandlerTypes.requestHandler(handlerClass));
        function.release(function.newInstance());
        return function;
    }

    /** The logical id of the function whose handler runs on this thread, if one does. */
    public static Optional<String> running() {
        return Optional.ofNullable(RUNNING.get());
    }

    public Template.Function spec() {
        return spec;
    }

    @Override
    public String functionName() {
        return functionName;
    }

    @Override
    public String functionArn() {
        return functionArn;
    }

    /** The RequestHandler types the class declares, if it is a RequestHandler. */
    public Optional<HandlerTypes.Signature> signature() {
        return signature;
    }

    /** The event type the handler declares; for a handler that declares none, its method's first parameter. */
    @Override
    public Type inputType() {
        return signature.map(HandlerTypes.Signature::input).orElse(method.getGenericParameterTypes()[0]);
    }

    @Override
    public ClassLoader classLoader() {
        return constructor.getDeclaringClass().getClassLoader();
    }

    /** Fails unless the handler takes this event type (when it declares its types). */
    public void requireInput(Type expected, String purpose) {
        signature.ifPresent(s -> {
            if (!s.input().equals(expected)) {
                throw new IllegalStateException("Function " + spec.logicalId() + " is used for " + purpose
                        + " and so must take " + expected.getTypeName() + ", but " + spec.handlerClass() + " is " + s);
            }
        });
    }

    /** Invokes the handler with the event, as Lambda would, and returns its result. Handler exceptions pass through. */
    @Override
    public Object invoke(Object event) {
        Object instance = idle.pollFirst();
        if (instance == null) {
            instance = newInstance();
        }
        LocalContext context = new LocalContext(functionName, functionArn, spec.memorySize(), spec.timeoutSeconds());
        String caller = RUNNING.get();
        RUNNING.set(spec.logicalId());
        try {
            return method.getParameterCount() == 2 ? method.invoke(instance, event, context) : method.invoke(instance, event);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot call " + method, e);
        } finally {
            restore(caller);
            release(instance);
        }
    }

    @Override
    public void close() {
        List<Object> instances;
        synchronized (created) {
            instances = List.copyOf(created);
            created.clear();
        }
        idle.clear();
        for (Object instance : instances) {
            if (instance instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    System.err.println("Closing a " + spec.handlerClass() + " failed: " + e);
                }
            }
        }
    }

    private Object newInstance() {
        String caller = RUNNING.get();
        RUNNING.set(spec.logicalId());
        try {
            Object instance = constructor.newInstance();
            synchronized (created) {
                created.add(instance);
            }
            return instance;
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("The constructor of " + spec.handlerClass() + " failed: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot instantiate " + spec.handlerClass(), e);
        } finally {
            restore(caller);
        }
    }

    /** A handler may invoke another function in process (the gateway's authorizer): give the caller back its id. */
    private static void restore(String caller) {
        if (caller == null) {
            RUNNING.remove();
        } else {
            RUNNING.set(caller);
        }
    }

    private void release(Object instance) {
        idle.addFirst(instance);
    }

    /**
     * The method the Lambda Java runtime would call: RequestHandler's handleRequest, or a public
     * method of that name taking (event, Context) or (event).
     */
    private static Method handlerMethod(Class<?> handlerClass, String name) {
        if (RequestHandler.class.isAssignableFrom(handlerClass) && name.equals("handleRequest")) {
            try {
                return RequestHandler.class.getMethod("handleRequest", Object.class, Context.class);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(e);
            }
        }
        return Arrays.stream(handlerClass.getMethods())
                .filter(m -> m.getName().equals(name) && !Modifier.isStatic(m.getModifiers()))
                .filter(m -> m.getParameterCount() == 1
                        || m.getParameterCount() == 2 && m.getParameterTypes()[1] == Context.class)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("Handler " + handlerClass.getName() + " has no public method "
                        + name + "(event, Context)"));
    }
}
