package io.dpo4j.core.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses tokens into {@link Node}s with jinja2's grammar and precedence. Unknown tags, filters and
 * tests are errors here, before anything renders (jinja2 rejects them when it compiles the template).
 */
final class Parser {

    private static final Set<String> UNSUPPORTED = Set.of("include", "import", "from", "extends", "block", "call",
            "with", "do", "raw", "autoescape", "trans");

    private final String name;
    private final List<Token> tokens;
    private int pos;

    private Parser(String name, List<Token> tokens) {
        this.name = name;
        this.tokens = tokens;
    }

    static List<Node> parse(String name, List<Token> tokens) {
        Parser p = new Parser(name, tokens);
        List<Node> body = p.body(Set.of());
        if (p.peek().type() != Token.Type.EOF) {
            Token t = p.tokens.get(p.pos + 1);
            throw p.error(t, "unexpected '{% " + t.text() + " %}'");
        }
        return body;
    }

    private JinjaException error(Token at, String message) {
        return new JinjaException(JinjaException.Kind.SYNTAX, name + ":" + at.line() + ": " + message, message);
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(tokens.size() - 1, pos + ahead));
    }

    private Token next() {
        Token t = tokens.get(pos);
        if (t.type() != Token.Type.EOF) {
            pos++;
        }
        return t;
    }

    private Token expectOp(String op) {
        Token t = next();
        if (!t.isOp(op)) {
            throw error(t, "expected '" + op + "', found " + t.describe());
        }
        return t;
    }

    private String expectName() {
        Token t = next();
        if (t.type() != Token.Type.NAME) {
            throw error(t, "expected a name, found " + t.describe());
        }
        return t.text();
    }

    private void expectName(String word) {
        Token t = next();
        if (!t.isName(word)) {
            throw error(t, "expected '" + word + "', found " + t.describe());
        }
    }

    private void expectBlockEnd() {
        Token t = next();
        if (t.type() != Token.Type.BLOCK_END) {
            throw error(t, "expected the end of the tag '%}', found " + t.describe());
        }
    }

    /** Statements up to (not including) a block tag whose name is in {@code ends}, or the end. */
    private List<Node> body(Set<String> ends) {
        List<Node> out = new ArrayList<>();
        while (true) {
            Token t = peek();
            switch (t.type()) {
                case EOF -> {
                    if (!ends.isEmpty()) {
                        throw error(t, "the template ends before '{% " + String.join(" %}' or '{% ", ends.stream().sorted()
                                .toList()) + " %}'");
                    }
                    return out;
                }
                case TEXT -> {
                    next();
                    out.add(new Node.Text(t.line(), t.text()));
                }
                case VAR_BEGIN -> {
                    next();
                    Node e = tuple(true);
                    Token end = next();
                    if (end.type() != Token.Type.VAR_END) {
                        throw error(end, "expected '}}', found " + end.describe());
                    }
                    out.add(new Node.Output(t.line(), e));
                }
                case BLOCK_BEGIN -> {
                    Token word = peek(1);
                    if (word.type() == Token.Type.NAME && ends.contains(word.text())) {
                        return out;
                    }
                    next();
                    out.add(statement());
                }
                default -> throw error(t, "unexpected " + t.describe());
            }
        }
    }

    /** Consumes {@code {% word} and returns it (one of the ends a body stopped at). */
    private String endTag() {
        next();
        return next().text();
    }

    private Node statement() {
        Token t = next();
        if (t.type() != Token.Type.NAME) {
            throw error(t, "expected a tag name after '{%', found " + t.describe());
        }
        int line = t.line();
        switch (t.text()) {
            case "if" -> {
                List<Node> conditions = new ArrayList<>();
                List<List<Node>> bodies = new ArrayList<>();
                conditions.add(tuple(true));
                expectBlockEnd();
                List<Node> otherwise = List.of();
                while (true) {
                    bodies.add(body(Set.of("elif", "else", "endif")));
                    String end = endTag();
                    if (end.equals("elif")) {
                        conditions.add(tuple(true));
                        expectBlockEnd();
                    } else if (end.equals("else")) {
                        expectBlockEnd();
                        otherwise = body(Set.of("endif"));
                        endTag();
                        expectBlockEnd();
                        break;
                    } else {
                        expectBlockEnd();
                        break;
                    }
                }
                return new Node.If(line, conditions, bodies, otherwise);
            }
            case "for" -> {
                List<String> targets = new ArrayList<>();
                boolean paren = peek().isOp("(");
                if (paren) {
                    next();
                }
                targets.add(expectName());
                while (peek().isOp(",")) {
                    next();
                    targets.add(expectName());
                }
                if (paren) {
                    expectOp(")");
                }
                expectName("in");
                Node iterable = tuple(false);
                Node filter = null;
                if (peek().isName("if")) {
                    next();
                    filter = expression(true);
                }
                if (peek().isName("recursive")) {
                    throw error(peek(), "recursive for loops are not supported");
                }
                expectBlockEnd();
                List<Node> body = body(Set.of("else", "endfor"));
                List<Node> otherwise = List.of();
                if (endTag().equals("else")) {
                    expectBlockEnd();
                    otherwise = body(Set.of("endfor"));
                    endTag();
                }
                expectBlockEnd();
                return new Node.For(line, targets, iterable, filter, body, otherwise);
            }
            case "set" -> {
                List<String> targets = new ArrayList<>();
                targets.add(expectName());
                String attribute = null;
                if (peek().isOp(".")) {
                    next();
                    attribute = expectName();
                } else {
                    while (peek().isOp(",")) {
                        next();
                        targets.add(expectName());
                    }
                }
                if (peek().type() == Token.Type.BLOCK_END && attribute == null && targets.size() == 1) {
                    next();
                    List<Node> body = body(Set.of("endset"));
                    endTag();
                    expectBlockEnd();
                    return new Node.SetBlock(line, targets.get(0), body);
                }
                expectOp("=");
                Node value = tuple(true);
                expectBlockEnd();
                return new Node.Set(line, targets, attribute, value);
            }
            case "macro" -> {
                String macro = expectName();
                List<String> params = new ArrayList<>();
                List<Node> defaults = new ArrayList<>();
                expectOp("(");
                while (!peek().isOp(")")) {
                    if (!params.isEmpty()) {
                        expectOp(",");
                        if (peek().isOp(")")) {
                            break;
                        }
                    }
                    params.add(expectName());
                    if (peek().isOp("=")) {
                        next();
                        defaults.add(expression(true));
                    } else {
                        defaults.add(null);
                    }
                }
                expectOp(")");
                expectBlockEnd();
                List<Node> body = body(Set.of("endmacro"));
                endTag();
                if (peek().type() == Token.Type.NAME) {
                    next();
                }
                expectBlockEnd();
                return new Node.Macro(line, macro, params, defaults, body);
            }
            case "break", "continue" -> {
                expectBlockEnd();
                return new Node.LoopControl(line, t.text().equals("break"));
            }
            case "generation" -> {
                expectBlockEnd();
                List<Node> body = body(Set.of("endgeneration"));
                endTag();
                expectBlockEnd();
                return new Node.Plain(line, body);
            }
            case "filter" -> {
                Node filter = filterCall(null);
                expectBlockEnd();
                List<Node> body = body(Set.of("endfilter"));
                endTag();
                expectBlockEnd();
                return new Node.FilterBlock(line, filter, body);
            }
            default -> {
                if (UNSUPPORTED.contains(t.text())) {
                    throw error(t, "the tag '{% " + t.text() + " %}' is not supported in chat templates");
                }
                throw error(t, "unknown tag '{% " + t.text() + " %}'");
            }
        }
    }

    /** An expression, or a tuple of expressions separated by commas. */
    private Node tuple(boolean withConditional) {
        int line = peek().line();
        Node first = expression(withConditional);
        if (!peek().isOp(",")) {
            return first;
        }
        List<Node> items = new ArrayList<>();
        items.add(first);
        while (peek().isOp(",")) {
            next();
            if (endsTuple(peek())) {
                break;
            }
            items.add(expression(withConditional));
        }
        return new Node.ListLiteral(line, items, true);
    }

    private static boolean endsTuple(Token t) {
        return t.type() == Token.Type.BLOCK_END || t.type() == Token.Type.VAR_END || t.isOp(")") || t.isName("if")
                || t.isName("in");
    }

    private Node expression(boolean withConditional) {
        Node e = or();
        if (withConditional) {
            while (peek().isName("if")) {
                int line = next().line();
                Node condition = or();
                Node otherwise = null;
                if (peek().isName("else")) {
                    next();
                    otherwise = expression(true);
                }
                e = new Node.Conditional(line, condition, e, otherwise);
            }
        }
        return e;
    }

    private Node or() {
        Node left = and();
        while (peek().isName("or")) {
            int line = next().line();
            left = new Node.Binary(line, "or", left, and());
        }
        return left;
    }

    private Node and() {
        Node left = not();
        while (peek().isName("and")) {
            int line = next().line();
            left = new Node.Binary(line, "and", left, not());
        }
        return left;
    }

    private Node not() {
        if (peek().isName("not")) {
            int line = next().line();
            return new Node.Unary(line, "not", not());
        }
        return compare();
    }

    private Node compare() {
        int line = peek().line();
        Node first = math1();
        List<String> ops = new ArrayList<>();
        List<Node> rest = new ArrayList<>();
        while (true) {
            Token t = peek();
            if (t.type() == Token.Type.OP && Set.of("==", "!=", "<", ">", "<=", ">=").contains(t.text())) {
                next();
                ops.add(t.text());
            } else if (t.isName("in")) {
                next();
                ops.add("in");
            } else if (t.isName("not") && peek(1).isName("in")) {
                next();
                next();
                ops.add("not in");
            } else {
                break;
            }
            rest.add(math1());
        }
        return ops.isEmpty() ? first : new Node.Compare(line, first, ops, rest);
    }

    private Node math1() {
        Node left = concat();
        while (peek().isOp("+") || peek().isOp("-")) {
            Token op = next();
            left = new Node.Binary(op.line(), op.text(), left, concat());
        }
        return left;
    }

    private Node concat() {
        Node left = math2();
        while (peek().isOp("~")) {
            Token op = next();
            left = new Node.Binary(op.line(), "~", left, math2());
        }
        return left;
    }

    private Node math2() {
        Node left = pow();
        while (peek().isOp("*") || peek().isOp("/") || peek().isOp("//") || peek().isOp("%")) {
            Token op = next();
            left = new Node.Binary(op.line(), op.text(), left, pow());
        }
        return left;
    }

    private Node pow() {
        Node left = unary(true);
        while (peek().isOp("**")) {
            Token op = next();
            left = new Node.Binary(op.line(), "**", left, unary(true));
        }
        return left;
    }

    private Node unary(boolean withFilter) {
        Node node;
        if (peek().isOp("-") || peek().isOp("+")) {
            Token op = next();
            node = new Node.Unary(op.line(), op.text(), unary(false));
        } else {
            node = primary();
        }
        node = postfix(node);
        return withFilter ? filters(node) : node;
    }

    private Node primary() {
        Token t = next();
        int line = t.line();
        switch (t.type()) {
            case NAME -> {
                return switch (t.text()) {
                    case "true", "True" -> new Node.Literal(line, Boolean.TRUE);
                    case "false", "False" -> new Node.Literal(line, Boolean.FALSE);
                    case "none", "None" -> new Node.Literal(line, null);
                    default -> new Node.Name(line, t.text());
                };
            }
            case STRING -> {
                StringBuilder b = new StringBuilder(t.text());
                while (peek().type() == Token.Type.STRING) {
                    b.append(next().text());
                }
                return new Node.Literal(line, b.toString());
            }
            case INT, FLOAT -> {
                return new Node.Literal(line, t.literal());
            }
            case OP -> {
                switch (t.text()) {
                    case "(" -> {
                        if (peek().isOp(")")) {
                            next();
                            return new Node.ListLiteral(line, List.of(), true);
                        }
                        Node first = expression(true);
                        if (peek().isOp(")")) {
                            next();
                            return first;
                        }
                        List<Node> items = new ArrayList<>();
                        items.add(first);
                        while (peek().isOp(",")) {
                            next();
                            if (peek().isOp(")")) {
                                break;
                            }
                            items.add(expression(true));
                        }
                        expectOp(")");
                        return new Node.ListLiteral(line, items, true);
                    }
                    case "[" -> {
                        List<Node> items = new ArrayList<>();
                        while (!peek().isOp("]")) {
                            if (!items.isEmpty()) {
                                expectOp(",");
                                if (peek().isOp("]")) {
                                    break;
                                }
                            }
                            items.add(expression(true));
                        }
                        expectOp("]");
                        return new Node.ListLiteral(line, items, false);
                    }
                    case "{" -> {
                        List<Node> keys = new ArrayList<>();
                        List<Node> values = new ArrayList<>();
                        while (!peek().isOp("}")) {
                            if (!keys.isEmpty()) {
                                expectOp(",");
                                if (peek().isOp("}")) {
                                    break;
                                }
                            }
                            keys.add(expression(true));
                            expectOp(":");
                            values.add(expression(true));
                        }
                        expectOp("}");
                        return new Node.DictLiteral(line, keys, values);
                    }
                    default -> throw error(t, "unexpected " + t.describe());
                }
            }
            default -> throw error(t, "expected an expression, found " + t.describe());
        }
    }

    private Node postfix(Node node) {
        while (true) {
            Token t = peek();
            if (t.isOp(".")) {
                next();
                Token attr = next();
                if (attr.type() == Token.Type.NAME) {
                    node = new Node.GetAttr(attr.line(), node, attr.text());
                } else if (attr.type() == Token.Type.INT) {
                    node = new Node.GetItem(attr.line(), node, new Node.Literal(attr.line(), attr.literal()));
                } else {
                    throw error(attr, "expected an attribute name after '.', found " + attr.describe());
                }
            } else if (t.isOp("[")) {
                next();
                node = subscript(node, t.line());
            } else if (t.isOp("(")) {
                node = call(node);
            } else {
                return node;
            }
        }
    }

    private Node subscript(Node target, int line) {
        Node start = null;
        if (!peek().isOp(":")) {
            start = expression(true);
            if (peek().isOp("]")) {
                next();
                return new Node.GetItem(line, target, start);
            }
        }
        expectOp(":");
        Node stop = null;
        Node step = null;
        if (!peek().isOp("]") && !peek().isOp(":")) {
            stop = expression(true);
        }
        if (peek().isOp(":")) {
            next();
            if (!peek().isOp("]")) {
                step = expression(true);
            }
        }
        expectOp("]");
        return new Node.Slice(line, target, start, stop, step);
    }

    private Node.Call call(Node function) {
        int line = expectOp("(").line();
        List<Node> args = new ArrayList<>();
        List<String> kwNames = new ArrayList<>();
        List<Node> kwValues = new ArrayList<>();
        arguments(args, kwNames, kwValues);
        return new Node.Call(line, function, args, kwNames, kwValues);
    }

    /** Arguments after '(' up to and including ')'. */
    private void arguments(List<Node> args, List<String> kwNames, List<Node> kwValues) {
        boolean first = true;
        while (!peek().isOp(")")) {
            if (!first) {
                expectOp(",");
                if (peek().isOp(")")) {
                    break;
                }
            }
            first = false;
            if (peek().isOp("*") || peek().isOp("**")) {
                throw error(peek(), "*args and **kwargs in calls are not supported");
            }
            if (peek().type() == Token.Type.NAME && peek(1).isOp("=")) {
                kwNames.add(next().text());
                next();
                kwValues.add(expression(true));
            } else {
                if (!kwNames.isEmpty()) {
                    throw error(peek(), "a positional argument follows a keyword argument");
                }
                args.add(expression(true));
            }
        }
        expectOp(")");
    }

    private Node filters(Node node) {
        while (true) {
            Token t = peek();
            if (t.isOp("|")) {
                next();
                node = filterCall(node);
            } else if (t.isName("is")) {
                next();
                boolean negated = false;
                if (peek().isName("not")) {
                    next();
                    negated = true;
                }
                Token nameToken = next();
                if (nameToken.type() != Token.Type.NAME) {
                    throw error(nameToken, "expected a test name after 'is', found " + nameToken.describe());
                }
                String test = nameToken.text();
                if (!Tests.NAMES.contains(test)) {
                    throw error(nameToken, "unknown test '" + test + "'");
                }
                List<Node> args = new ArrayList<>();
                Token a = peek();
                if (a.isOp("(")) {
                    next();
                    List<String> kwNames = new ArrayList<>();
                    arguments(args, kwNames, new ArrayList<>());
                    if (!kwNames.isEmpty()) {
                        throw error(a, "keyword arguments to tests are not supported");
                    }
                } else if ((a.type() == Token.Type.NAME || a.type() == Token.Type.STRING || a.type() == Token.Type.INT
                        || a.type() == Token.Type.FLOAT || a.isOp("[") || a.isOp("{"))
                        && !a.isName("else") && !a.isName("or") && !a.isName("and")) {
                    args.add(postfix(primary()));
                }
                node = new Node.Test(nameToken.line(), node, test, args, negated);
            } else if (t.isOp("(")) {
                node = call(node);
            } else {
                return node;
            }
        }
    }

    private Node filterCall(Node value) {
        Token nameToken = next();
        if (nameToken.type() != Token.Type.NAME) {
            throw error(nameToken, "expected a filter name after '|', found " + nameToken.describe());
        }
        String filter = nameToken.text();
        if (Filters.UNSUPPORTED.contains(filter)) {
            throw error(nameToken, "the filter '" + filter + "' is not supported in chat templates");
        }
        if (!Filters.NAMES.contains(filter)) {
            throw error(nameToken, "unknown filter '" + filter + "'");
        }
        List<Node> args = new ArrayList<>();
        List<String> kwNames = new ArrayList<>();
        List<Node> kwValues = new ArrayList<>();
        if (peek().isOp("(")) {
            next();
            arguments(args, kwNames, kwValues);
        }
        return new Node.Filter(nameToken.line(), value, filter, args, kwNames, kwValues);
    }
}
