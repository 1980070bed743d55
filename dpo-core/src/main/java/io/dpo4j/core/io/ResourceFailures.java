package io.dpo4j.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Tells resource failures — out of memory, no space left on the device, a read-only file system,
 * permission denied, a quota — from bugs, and describes them in one line naming the path or the
 * limit. The command line reports these as the user's to fix (exit 1), never as an internal error.
 */
public final class ResourceFailures {

    private ResourceFailures() {
    }

    /**
     * One line describing {@code failure} when it (or one of its causes) is a resource failure;
     * empty for anything else.
     */
    public static Optional<String> describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            Optional<String> d = describeOne(t);
            if (d.isPresent()) {
                return d;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> describeOne(Throwable t) {
        if (t instanceof OutOfMemoryError oom) {
            return Optional.of(outOfMemory(oom));
        }
        if (t instanceof UncheckedIOException u) {
            return describeOne(u.getCause());
        }
        if (t instanceof AccessDeniedException a) {
            return Optional.of("permission denied: " + pathOf(a) + " (" + reasonOr(a, "not allowed") + ")");
        }
        if (t instanceof IOException io) {
            String reason = io instanceof FileSystemException fs ? fs.getReason() : io.getMessage();
            Optional<String> kind = kind(reason);
            if (kind.isPresent()) {
                String path = io instanceof FileSystemException fs && fs.getFile() != null ? fs.getFile() : null;
                return Optional.of(kind.get() + (path == null ? "" : ": " + path)
                        + (kind.get().startsWith("no space") ? " (free some space, or use another folder)" : ""));
            }
        }
        String message = t.getMessage() == null ? "" : t.getMessage();
        if (t.getClass().getName().startsWith("ai.djl.") && (message.contains("can't allocate memory")
                || message.contains("bad_alloc") || message.contains("out of memory"))) {
            return Optional.of("out of native memory in libtorch (" + firstLine(message) + "); lower batch_size or "
                    + "max_length, or use a smaller model");
        }
        return Optional.empty();
    }

    /** The kind of a resource failure from an operating-system reason, when it is one. */
    private static Optional<String> kind(String reason) {
        if (reason == null) {
            return Optional.empty();
        }
        String r = reason.toLowerCase(Locale.ROOT);
        if (r.contains("no space left on device")) {
            return Optional.of("no space left on device");
        }
        if (r.contains("disk quota exceeded")) {
            return Optional.of("disk quota exceeded");
        }
        if (r.contains("read-only file system")) {
            return Optional.of("read-only file system");
        }
        if (r.contains("permission denied") || r.contains("operation not permitted")) {
            return Optional.of("permission denied");
        }
        if (r.contains("too many open files")) {
            return Optional.of("too many open files (raise ulimit -n)");
        }
        if (r.contains("input/output error")) {
            return Optional.of("input/output error (a failing disk?)");
        }
        return Optional.empty();
    }

    private static String outOfMemory(OutOfMemoryError e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.contains("Requested array size exceeds VM limit")) {
            return "out of memory: an array over the JVM's limit of 2^31 elements was requested (an input too large?)";
        }
        if (message.contains("Direct buffer memory")) {
            return "out of memory: direct buffer memory is exhausted (limit -XX:MaxDirectMemorySize)";
        }
        if (message.contains("Metaspace")) {
            return "out of memory: metaspace is exhausted (too many classes loaded?)";
        }
        return "out of memory: the Java heap limit of " + InputFiles.human(Runtime.getRuntime().maxMemory())
                + " was reached (raise it with DPO_JAVA_OPTS=-Xmx…, or lower batch_size, max_length or the data limits)";
    }

    private static String pathOf(FileSystemException e) {
        return e.getFile() == null ? "(unknown path)" : e.getFile();
    }

    private static String reasonOr(FileSystemException e, String fallback) {
        return e.getReason() == null ? fallback : e.getReason();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /**
     * The same failure with {@code path} attached, when the operating system's message named none
     * (a write on an open channel reports "No space left on device" without the file).
     */
    public static IOException withPath(Path path, IOException e) {
        if (e instanceof FileSystemException fs && fs.getFile() != null) {
            return e;
        }
        FileSystemException named = new FileSystemException(path.toString(), null,
                e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        named.initCause(e);
        return named;
    }
}
