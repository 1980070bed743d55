package io.dpo4j.core.jinja;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a parsed template with Python's semantics, inside {@link RenderLimits}. Only what a chat
 * template needs is reachable: the context's values, the globals of transformers
 * ({@code raise_exception}, {@code strftime_now}) and jinja2 ({@code range}, {@code dict},
 * {@code namespace}), the filters and tests of {@link Filters} and {@link Tests}, and a fixed set of
 * string, list and dict methods — nothing of Java is ever called by name.
 */
final class Interpreter {

    /** jinja2's sandbox refuses larger ranges. */
    static final long MAX_RANGE = 100_000;

    private final String name;
    private final RenderLimits limits;
    private final long deadline;
    private long loopIterations;
    private long steps;
    private int depth;
    int line;

    private static final class Frame {
        final Map<String, Object> vars = new HashMap<>();
        final Frame parent;

        Frame(Frame parent) {
            this.parent = parent;
        }
    }

    private static final class LoopSignal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final boolean isBreak;

        LoopSignal(boolean isBreak) {
            super(null, null, false, false);
            this.isBreak = isBreak;
        }
    }

    private static final LoopSignal BREAK = new LoopSignal(true);
    private static final LoopSignal CONTINUE = new LoopSignal(false);

    Interpreter(String name, RenderLimits limits) {
        this.name = name;
        this.limits = limits;
        this.deadline = System.nanoTime() + limits.timeout().toNanos();
    }

    JinjaException fail(String message) {
        return new JinjaException(JinjaException.Kind.RENDER, name + ":" + line + ": " + message, message);
    }

    JinjaException limit(String message) {
        return new JinjaException(JinjaException.Kind.LIMIT, name + ":" + line + ": " + message, message);
    }

    String render(List<Node> body, Map<String, Object> context) {
        Frame root = new Frame(null);
        root.vars.putAll(globals());
        root.vars.putAll(context);
        StringBuilder out = new StringBuilder();
        try {
            execute(body, root, out);
        } catch (LoopSignal s) {
            throw fail("'" + (s.isBreak ? "break" : "continue") + "' outside a loop");
        } catch (StackOverflowError e) {
            throw fail("the template recurses too deeply");
        }
        return out.toString();
    }

    // ------------------------------------------------------------------ bounds

    private void tick() {
        if ((++steps & 1023) == 0 && System.nanoTime() > deadline) {
            throw limit("rendering takes longer than " + limits.timeout().toMillis() + " ms (the render time limit)");
        }
    }

    int maxOutputChars() {
        return limits.maxOutputChars();
    }

    /** Checks a string the template builds against the output bound. */
    String checked(String s) {
        if (s.length() > limits.maxOutputChars()) {
            throw limit("the template builds a text of more than " + limits.maxOutputChars()
                    + " characters (the output size limit)");
        }
        return s;
    }

    private void append(StringBuilder out, String s) {
        if ((long) out.length() + s.length() > limits.maxOutputChars()) {
            throw limit("the output grows past " + limits.maxOutputChars() + " characters (the output size limit)");
        }
        out.append(s);
    }

    private void countIteration() {
        if (++loopIterations > limits.maxLoopIterations()) {
            throw limit("the loops run more than " + limits.maxLoopIterations() + " iterations (the loop limit)");
        }
        tick();
    }

    // ------------------------------------------------------------------ statements

    private void execute(List<Node> body, Frame frame, StringBuilder out) {
        for (Node node : body) {
            tick();
            line = node.line();
            if (node instanceof Node.Text t) {
                append(out, t.text());
            } else if (node instanceof Node.Output o) {
                append(out, Values.str(evaluate(o.expr(), frame)));
            } else if (node instanceof Node.If i) {
                boolean done = false;
                for (int k = 0; k < i.conditions().size() && !done; k++) {
                    line = i.conditions().get(k).line();
                    if (Values.truthy(evaluate(i.conditions().get(k), frame))) {
                        execute(i.bodies().get(k), frame, out);
                        done = true;
                    }
                }
                if (!done) {
                    execute(i.otherwise(), frame, out);
                }
            } else if (node instanceof Node.For f) {
                loop(f, frame, out);
            } else if (node instanceof Node.Set s) {
                assign(s, frame);
            } else if (node instanceof Node.SetBlock s) {
                StringBuilder b = new StringBuilder();
                execute(s.body(), frame, b);
                frame.vars.put(s.target(), b.toString());
            } else if (node instanceof Node.Macro m) {
                frame.vars.put(m.name(), macro(m, frame));
            } else if (node instanceof Node.LoopControl c) {
                throw c.isBreak() ? BREAK : CONTINUE;
            } else if (node instanceof Node.FilterBlock f) {
                StringBuilder b = new StringBuilder();
                execute(f.body(), frame, b);
                line = f.line();
                append(out, Values.str(applyFilter((Node.Filter) f.filter(), b.toString(), frame)));
            } else if (node instanceof Node.Plain p) {
                execute(p.body(), frame, out);
            } else {
                append(out, Values.str(evaluate(node, frame)));
            }
        }
    }

    private void loop(Node.For f, Frame frame, StringBuilder out) {
        Object iterable = evaluate(f.iterable(), frame);
        List<Object> all = iterate(iterable);
        List<Object> items = all;
        if (f.filter() != null) {
            items = new ArrayList<>();
            for (Object item : all) {
                countIteration();
                Frame probe = new Frame(frame);
                bind(f.targets(), item, probe);
                if (Values.truthy(evaluate(f.filter(), probe))) {
                    items.add(item);
                }
            }
        }
        if (items.isEmpty()) {
            execute(f.otherwise(), frame, out);
            return;
        }
        LoopInfo info = new LoopInfo(items);
        for (int i = 0; i < items.size(); i++) {
            countIteration();
            info.index0 = i;
            Frame body = new Frame(frame);
            body.vars.put("loop", info);
            bind(f.targets(), items.get(i), body);
            try {
                execute(f.body(), body, out);
            } catch (LoopSignal s) {
                if (s.isBreak) {
                    break;
                }
            }
        }
    }

    private void bind(List<String> targets, Object value, Frame frame) {
        if (targets.size() == 1) {
            frame.vars.put(targets.get(0), value);
            return;
        }
        if (!(value instanceof List<?> parts) || parts.size() != targets.size()) {
            throw fail("cannot unpack " + Values.typeName(value) + " into " + targets.size() + " names");
        }
        for (int i = 0; i < targets.size(); i++) {
            frame.vars.put(targets.get(i), parts.get(i));
        }
    }

    private void assign(Node.Set s, Frame frame) {
        Object value = evaluate(s.value(), frame);
        if (s.attribute() == null) {
            bind(s.targets(), value, frame);
            return;
        }
        Object target = lookup(s.targets().get(0), frame);
        if (!(target instanceof Namespace ns)) {
            throw fail("cannot assign attribute on non-namespace object ('" + s.targets().get(0) + "' is "
                    + Values.typeName(target) + ")");
        }
        ns.values.put(s.attribute(), value);
    }

    private JinjaCallable macro(Node.Macro m, Frame definedIn) {
        return (in, args, kwargs) -> {
            if (args.size() > m.params().size()) {
                throw fail("macro '" + m.name() + "' takes " + m.params().size() + " arguments, " + args.size() + " given");
            }
            if (++depth > limits.maxCallDepth()) {
                depth = 0;
                throw fail("the template recurses more than " + limits.maxCallDepth() + " calls deep (macro '" + m.name()
                        + "')");
            }
            int callerLine = line;
            try {
                Frame frame = new Frame(definedIn);
                Map<String, Object> extra = new LinkedHashMap<>(kwargs);
                for (int i = 0; i < m.params().size(); i++) {
                    String p = m.params().get(i);
                    Object v;
                    if (i < args.size()) {
                        v = args.get(i);
                    } else if (extra.containsKey(p)) {
                        v = extra.remove(p);
                    } else if (m.defaults().get(i) != null) {
                        v = evaluate(m.defaults().get(i), frame);
                    } else {
                        v = new Undefined("'" + p + "'");
                    }
                    frame.vars.put(p, v);
                }
                extra.keySet().removeAll(m.params());
                frame.vars.put("kwargs", extra);
                frame.vars.put("varargs", List.of());
                StringBuilder b = new StringBuilder();
                execute(m.body(), frame, b);
                return b.toString();
            } finally {
                depth = Math.max(0, depth - 1);
                line = callerLine;
            }
        };
    }

    // ------------------------------------------------------------------ expressions

    Object lookup(String variable, Frame frame) {
        for (Frame f = frame; f != null; f = f.parent) {
            Object v = f.vars.get(variable);
            if (v != null || f.vars.containsKey(variable)) {
                return v;
            }
        }
        return new Undefined("'" + variable + "'");
    }

    private Object evaluate(Node node, Frame frame) {
        tick();
        line = node.line();
        if (node instanceof Node.Literal l) {
            return l.value();
        }
        if (node instanceof Node.Name n) {
            return lookup(n.name(), frame);
        }
        if (node instanceof Node.GetAttr g) {
            return attribute(evaluate(g.target(), frame), g.name());
        }
        if (node instanceof Node.GetItem g) {
            return item(evaluate(g.target(), frame), evaluate(g.key(), frame));
        }
        if (node instanceof Node.Slice s) {
            return slice(evaluate(s.target(), frame), s.start() == null ? null : evaluate(s.start(), frame),
                    s.stop() == null ? null : evaluate(s.stop(), frame), s.step() == null ? null : evaluate(s.step(), frame));
        }
        if (node instanceof Node.Call c) {
            Object function = evaluate(c.function(), frame);
            List<Object> args = new ArrayList<>();
            for (Node a : c.args()) {
                args.add(evaluate(a, frame));
            }
            Map<String, Object> kwargs = new LinkedHashMap<>();
            for (int i = 0; i < c.kwNames().size(); i++) {
                kwargs.put(c.kwNames().get(i), evaluate(c.kwValues().get(i), frame));
            }
            line = c.line();
            return call(function, args, kwargs, c.function());
        }
        if (node instanceof Node.Filter f) {
            return applyFilter(f, evaluate(f.value(), frame), frame);
        }
        if (node instanceof Node.Test t) {
            Object value = evaluate(t.value(), frame);
            List<Object> args = new ArrayList<>();
            for (Node a : t.args()) {
                args.add(evaluate(a, frame));
            }
            line = t.line();
            boolean r = Tests.test(this, t.name(), value, args);
            return t.negated() != r;
        }
        if (node instanceof Node.Unary u) {
            return unary(u.op(), evaluate(u.operand(), frame));
        }
        if (node instanceof Node.Binary b) {
            if (b.op().equals("and")) {
                Object l = evaluate(b.left(), frame);
                return Values.truthy(l) ? evaluate(b.right(), frame) : l;
            }
            if (b.op().equals("or")) {
                Object l = evaluate(b.left(), frame);
                return Values.truthy(l) ? l : evaluate(b.right(), frame);
            }
            Object l = evaluate(b.left(), frame);
            Object r = evaluate(b.right(), frame);
            line = b.line();
            return Operators.binary(this, b.op(), l, r);
        }
        if (node instanceof Node.Compare c) {
            Object left = evaluate(c.first(), frame);
            boolean result = true;
            for (int i = 0; i < c.ops().size() && result; i++) {
                Object right = evaluate(c.rest().get(i), frame);
                line = c.line();
                result = Operators.compare(this, c.ops().get(i), left, right);
                left = right;
            }
            return result;
        }
        if (node instanceof Node.Conditional c) {
            return Values.truthy(evaluate(c.condition(), frame)) ? evaluate(c.then(), frame)
                    : c.otherwise() == null ? new Undefined("the missing else branch") : evaluate(c.otherwise(), frame);
        }
        if (node instanceof Node.ListLiteral l) {
            List<Object> items = new ArrayList<>(l.items().size());
            for (Node i : l.items()) {
                items.add(evaluate(i, frame));
            }
            return items;
        }
        if (node instanceof Node.DictLiteral d) {
            Map<Object, Object> map = new LinkedHashMap<>();
            for (int i = 0; i < d.keys().size(); i++) {
                map.put(key(evaluate(d.keys().get(i), frame)), evaluate(d.values().get(i), frame));
            }
            return map;
        }
        throw fail("cannot evaluate " + node.getClass().getSimpleName());
    }

    /** A dict key: numbers are normalised so that {@code 1} and {@code 1.0} and {@code True} meet. */
    Object key(Object k) {
        if (k instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
            return (long) (double) d;
        }
        if (k instanceof Boolean b) {
            return b ? 1L : 0L;
        }
        if (k instanceof List || k instanceof Map || k instanceof Undefined || k instanceof Namespace) {
            throw fail("unhashable type: '" + Values.typeName(k) + "'");
        }
        return k;
    }

    private Object unary(String op, Object v) {
        switch (op) {
            case "not":
                return !Values.truthy(v);
            case "-":
                if (v instanceof Long l) {
                    if (l == Long.MIN_VALUE) {
                        throw fail("integer overflow");
                    }
                    return -l;
                }
                if (v instanceof Double d) {
                    return -d;
                }
                if (v instanceof Boolean b) {
                    return b ? -1L : 0L;
                }
                break;
            case "+":
                if (Values.isNumber(v)) {
                    return v instanceof Boolean b ? (b ? 1L : 0L) : v;
                }
                break;
            default:
                break;
        }
        if (v instanceof Undefined u) {
            throw fail(u.message());
        }
        throw fail("bad operand type for unary " + op + ": '" + Values.typeName(v) + "'");
    }

    /** {@code obj.name}: a method or attribute first, then an item (jinja2's getattr). */
    Object attribute(Object obj, String attr) {
        if (obj instanceof Undefined u) {
            throw fail(u.message());
        }
        Object method = Methods.bind(obj, attr);
        if (method != null) {
            return method;
        }
        if (obj instanceof Map<?, ?> m) {
            Object v = m.get(attr);
            return v != null || m.containsKey(attr) ? v : new Undefined("'dict object' has no attribute '" + attr + "'");
        }
        if (obj instanceof Namespace ns) {
            Object v = ns.values.get(attr);
            return v != null || ns.values.containsKey(attr) ? v
                    : new Undefined("'Namespace' object has no attribute '" + attr + "'");
        }
        if (obj instanceof LoopInfo loop) {
            return loop.attribute(attr);
        }
        return new Undefined("'" + Values.typeName(obj) + " object' has no attribute '" + attr + "'");
    }

    /** {@code obj[key]}: an item first, then an attribute (jinja2's getitem). */
    Object item(Object obj, Object key) {
        if (obj instanceof Undefined u) {
            throw fail(u.message());
        }
        if (obj instanceof Map<?, ?> m) {
            Object k = key instanceof List || key instanceof Map ? key : key(key);
            if (m.containsKey(k)) {
                return m.get(k);
            }
        } else if (obj instanceof List<?> l && Values.isIntegral(key)) {
            long i = Values.toLong(key);
            long at = i < 0 ? l.size() + i : i;
            if (at < 0 || at >= l.size()) {
                return new Undefined("list index " + i + " out of range: 'list object' has no element " + i);
            }
            return l.get((int) at);
        } else if (obj instanceof String s && Values.isIntegral(key)) {
            List<Object> chars = PyStrings.characters(s);
            long i = Values.toLong(key);
            long at = i < 0 ? chars.size() + i : i;
            if (at < 0 || at >= chars.size()) {
                return new Undefined("string index " + i + " out of range");
            }
            return chars.get((int) at);
        }
        if (key instanceof String attr) {
            if (obj instanceof Map<?, ?>) {
                Object method = Methods.bind(obj, attr);
                return method != null ? method : new Undefined("'dict object' has no attribute '" + attr + "'");
            }
            return attribute(obj, attr);
        }
        return new Undefined("'" + Values.typeName(obj) + " object' has no element " + Values.repr(key));
    }

    private Object slice(Object obj, Object start, Object stop, Object step) {
        List<Object> items;
        boolean string = obj instanceof String;
        if (obj instanceof String s) {
            items = PyStrings.characters(s);
        } else if (obj instanceof List<?> l) {
            items = Values.copy(l);
        } else if (obj instanceof Undefined u) {
            throw fail(u.message());
        } else {
            throw fail("'" + Values.typeName(obj) + "' object is not subscriptable");
        }
        long n = items.size();
        long st = step == null ? 1 : integer(step, "slice step");
        if (st == 0) {
            throw fail("slice step cannot be zero");
        }
        long lo;
        long hi;
        if (st > 0) {
            lo = start == null ? 0 : clamp(integer(start, "slice start"), n, 0, n);
            hi = stop == null ? n : clamp(integer(stop, "slice stop"), n, 0, n);
        } else {
            lo = start == null ? n - 1 : clamp(integer(start, "slice start"), n, -1, n - 1);
            hi = stop == null ? -1 : clamp(integer(stop, "slice stop"), n, -1, n - 1);
        }
        List<Object> out = new ArrayList<>();
        for (long i = lo; st > 0 ? i < hi : i > hi; i += st) {
            out.add(items.get((int) i));
        }
        if (string) {
            StringBuilder b = new StringBuilder();
            out.forEach(c -> b.append((String) c));
            return b.toString();
        }
        return out;
    }

    private static long clamp(long i, long n, long lo, long hi) {
        long v = i < 0 ? i + n : i;
        return Math.max(lo, Math.min(hi, v));
    }

    long integer(Object v, String what) {
        if (Values.isIntegral(v)) {
            return Values.toLong(v);
        }
        throw fail(what + " must be an integer, not " + Values.typeName(v));
    }

    Object call(Object function, List<Object> args, Map<String, Object> kwargs, Node callee) {
        if (function instanceof JinjaCallable f) {
            return f.call(this, args, kwargs);
        }
        if (function instanceof Undefined u) {
            throw fail(u.message() + (callee instanceof Node.Name n ? ": there is no function '" + n.name() + "'" : ""));
        }
        throw fail("'" + Values.typeName(function) + "' object is not callable");
    }

    /** The elements of an iterable value: a list's items, a dict's keys, a string's characters. */
    List<Object> iterate(Object v) {
        if (v instanceof List<?> l) {
            return Values.copy(l);
        }
        if (v instanceof Map<?, ?> m) {
            return new ArrayList<>(m.keySet());
        }
        if (v instanceof String s) {
            return PyStrings.characters(s);
        }
        if (v instanceof Undefined) {
            return List.of();
        }
        throw fail("'" + Values.typeName(v) + "' object is not iterable");
    }

    Object applyFilter(Node.Filter f, Object value, Frame frame) {
        List<Object> args = new ArrayList<>();
        for (Node a : f.args()) {
            args.add(evaluate(a, frame));
        }
        Map<String, Object> kwargs = new LinkedHashMap<>();
        for (int i = 0; i < f.kwNames().size(); i++) {
            kwargs.put(f.kwNames().get(i), evaluate(f.kwValues().get(i), frame));
        }
        line = f.line();
        return Filters.apply(this, f.name(), value, args, kwargs);
    }

    // ------------------------------------------------------------------ globals

    private Map<String, Object> globals() {
        Map<String, Object> g = new HashMap<>();
        g.put("range", (JinjaCallable) (in, args, kw) -> range(args));
        g.put("dict", (JinjaCallable) (in, args, kw) -> {
            Map<Object, Object> d = new LinkedHashMap<>();
            if (!args.isEmpty()) {
                if (args.get(0) instanceof Map<?, ?> m) {
                    d.putAll(m);
                } else {
                    for (Object pair : iterate(args.get(0))) {
                        List<Object> kv = iterate(pair);
                        if (kv.size() != 2) {
                            throw fail("dict() needs pairs");
                        }
                        d.put(key(kv.get(0)), kv.get(1));
                    }
                }
            }
            d.putAll(kw);
            return d;
        });
        g.put("namespace", (JinjaCallable) (in, args, kw) -> {
            Namespace ns = new Namespace();
            for (Object a : args) {
                if (a instanceof Map<?, ?> m) {
                    m.forEach((k, v) -> ns.values.put(Values.str(k), v));
                } else {
                    throw fail("namespace() takes a dict or keyword arguments, not " + Values.typeName(a));
                }
            }
            ns.values.putAll(kw);
            return ns;
        });
        g.put("raise_exception", (JinjaCallable) (in, args, kw) -> {
            String message = args.isEmpty() ? "" : Values.str(args.get(0));
            throw new JinjaException(JinjaException.Kind.RAISED, name + ":" + line + ": " + message, message);
        });
        g.put("strftime_now", (JinjaCallable) (in, args, kw) -> {
            if (args.isEmpty() || !(args.get(0) instanceof String format)) {
                throw fail("strftime_now(format) needs a format string");
            }
            return Strftime.format(format, ZonedDateTime.now(limits.clock()));
        });
        return g;
    }

    private List<Object> range(List<Object> args) {
        if (args.isEmpty() || args.size() > 3) {
            throw fail("range() takes 1 to 3 integer arguments");
        }
        long start = 0;
        long step = 1;
        long stop;
        if (args.size() == 1) {
            stop = integer(args.get(0), "range()'s argument");
        } else {
            start = integer(args.get(0), "range()'s start");
            stop = integer(args.get(1), "range()'s stop");
            if (args.size() == 3) {
                step = integer(args.get(2), "range()'s step");
            }
        }
        if (step == 0) {
            throw fail("range() step must not be zero");
        }
        double count = Math.max(0, Math.ceil(((double) stop - start) / step));
        if (count > MAX_RANGE) {
            throw limit("range() of " + (long) count + " items is longer than " + MAX_RANGE + " (the range limit)");
        }
        List<Object> out = new ArrayList<>((int) count);
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            out.add(i);
        }
        return out;
    }
}
