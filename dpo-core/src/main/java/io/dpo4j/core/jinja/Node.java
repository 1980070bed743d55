package io.dpo4j.core.jinja;

import java.util.List;

/** The syntax tree of a template: statements and expressions, each with its source line. */
sealed interface Node {

    int line();

    /** Literal text. */
    record Text(int line, String text) implements Node { }

    /** {@code {{ expr }}}. */
    record Output(int line, Node expr) implements Node { }

    /** {@code if / elif / else}: conditions with bodies, and the else body (may be empty). */
    record If(int line, List<Node> conditions, List<List<Node>> bodies, List<Node> otherwise) implements Node { }

    /** {@code for targets in iterable [if filter]} with an optional else body. */
    record For(int line, List<String> targets, Node iterable, Node filter, List<Node> body, List<Node> otherwise)
            implements Node { }

    /** {@code set name = value}, {@code set a, b = value} or {@code set ns.attr = value}. */
    record Set(int line, List<String> targets, String attribute, Node value) implements Node { }

    /** {@code set name %}…{% endset}}. */
    record SetBlock(int line, String target, List<Node> body) implements Node { }

    /** {@code macro name(params)}: parameters with defaults (null when none). */
    record Macro(int line, String name, List<String> params, List<Node> defaults, List<Node> body) implements Node { }

    /** {@code break} or {@code continue}. */
    record LoopControl(int line, boolean isBreak) implements Node { }

    /** {@code filter name(args)}…{@code endfilter}. */
    record FilterBlock(int line, Node filter, List<Node> body) implements Node { }

    /** A block whose body is rendered as it is ({@code generation}). */
    record Plain(int line, List<Node> body) implements Node { }

    /** A literal value. */
    record Literal(int line, Object value) implements Node { }

    /** A variable. */
    record Name(int line, String name) implements Node { }

    /** {@code obj.name}. */
    record GetAttr(int line, Node target, String name) implements Node { }

    /** {@code obj[key]}. */
    record GetItem(int line, Node target, Node key) implements Node { }

    /** {@code obj[start:stop:step]} (any part null). */
    record Slice(int line, Node target, Node start, Node stop, Node step) implements Node { }

    /** {@code fn(args, name=value)}. */
    record Call(int line, Node function, List<Node> args, List<String> kwNames, List<Node> kwValues) implements Node { }

    /** {@code value | name(args)}; value is null for a filter block's filter. */
    record Filter(int line, Node value, String name, List<Node> args, List<String> kwNames, List<Node> kwValues)
            implements Node { }

    /** {@code value is [not] name(args)}. */
    record Test(int line, Node value, String name, List<Node> args, boolean negated) implements Node { }

    /** {@code -x}, {@code +x}, {@code not x}. */
    record Unary(int line, String op, Node operand) implements Node { }

    /** Arithmetic, {@code ~}, {@code and}, {@code or}. */
    record Binary(int line, String op, Node left, Node right) implements Node { }

    /** A chain of comparisons {@code a < b == c}, {@code in}, {@code not in}. */
    record Compare(int line, Node first, List<String> ops, List<Node> rest) implements Node { }

    /** {@code a if cond else b} (b null when absent: undefined). */
    record Conditional(int line, Node condition, Node then, Node otherwise) implements Node { }

    /** {@code [a, b]} or {@code (a, b)}. */
    record ListLiteral(int line, List<Node> items, boolean tuple) implements Node { }

    /** {@code {k: v}}. */
    record DictLiteral(int line, List<Node> keys, List<Node> values) implements Node { }
}
