package io.dpo4j.core.jinja;

import java.util.List;
import java.util.Map;

/** A function, macro or bound method a template may call. */
@FunctionalInterface
interface JinjaCallable {

    Object call(Interpreter interpreter, List<Object> args, Map<String, Object> kwargs);
}
