package dev.ledger.infra.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The event and result types a handler class declares through {@code RequestHandler<I, O>}. */
public final class HandlerTypes {

    /** The two type arguments of RequestHandler, resolved for a concrete class. */
    public record Signature(Type input, Type output) {

        public String inputName() {
            return input.getTypeName();
        }

        public String outputName() {
            return output.getTypeName();
        }

        @Override
        public String toString() {
            return "RequestHandler<" + inputName() + ", " + outputName() + ">";
        }
    }

    private HandlerTypes() {
    }

    /**
     * The RequestHandler type arguments of the class, looking through superclasses and
     * superinterfaces; empty if it is not a RequestHandler, or declares it raw.
     */
    public static Optional<Signature> requestHandler(Class<?> handlerClass) {
        return find(handlerClass, Map.of()).map(arguments -> new Signature(arguments.get(0), arguments.get(1)));
    }

    private static Optional<List<Type>> find(Class<?> type, Map<TypeVariable<?>, Type> bindings) {
        List<Type> supertypes = new ArrayList<>(List.of(type.getGenericInterfaces()));
        if (type.getGenericSuperclass() != null) {
            supertypes.add(type.getGenericSuperclass());
        }
        for (Type supertype : supertypes) {
            Class<?> raw;
            Map<TypeVariable<?>, Type> next = new HashMap<>();
            if (supertype instanceof ParameterizedType parameterized) {
                raw = (Class<?>) parameterized.getRawType();
                TypeVariable<?>[] variables = raw.getTypeParameters();
                Type[] arguments = parameterized.getActualTypeArguments();
                for (int i = 0; i < variables.length; i++) {
                    next.put(variables[i], substitute(arguments[i], bindings));
                }
            } else if (supertype instanceof Class<?> plain) {
                raw = plain;
            } else {
                continue;
            }
            if (raw == RequestHandler.class) {
                if (next.isEmpty()) {
                    return Optional.empty(); // raw RequestHandler: no declared types
                }
                TypeVariable<?>[] variables = RequestHandler.class.getTypeParameters();
                return Optional.of(List.of(next.get(variables[0]), next.get(variables[1])));
            }
            Optional<List<Type>> found = find(raw, next);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static Type substitute(Type type, Map<TypeVariable<?>, Type> bindings) {
        return type instanceof TypeVariable<?> variable && bindings.containsKey(variable) ? bindings.get(variable) : type;
    }
}
