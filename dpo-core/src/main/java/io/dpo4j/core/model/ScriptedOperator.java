package io.dpo4j.core.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A libtorch operator that DJL 0.36 does not bind, called through a one-method TorchScript module: the archive
 * (its {@code forward}'s source, a pickle of the module object, an empty constants table, format version 3) is
 * written in memory — TorchScript compiles an archive's source when it loads it — loaded once on first use and
 * kept for the life of the process. Nothing is read from disk or downloaded.
 *
 * <p>{@link #call(NDList, boolean)} runs {@code forward} with the thread's autograd on ({@code recording = true}:
 * the operator records for backward like any DJL operation when a gradient collector is open) or off (DJL's JNI
 * disables it for the call: for in-place updates of parameters). If the engine cannot load the module,
 * {@link #available()} is false (logged once) and the caller keeps its own implementation of the same
 * computation, which is also the reference its tests compare against.
 */
public final class ScriptedOperator {

    private static final Logger LOG = Logger.getLogger(ScriptedOperator.class.getName());
    private static final Pattern NAME = Pattern.compile("[A-Z][A-Za-z0-9]*");

    private final String className;
    private final String source;
    private volatile Holder holder;

    private ScriptedOperator(String className, String source) {
        this.className = className;
        this.source = source;
    }

    /**
     * An operator whose module is {@code className} with {@code forward(self, <parameters>) -> <returns>} made of
     * {@code body} (TorchScript's serialized Python; each line indented by four spaces here).
     *
     * @param className the module's class name (a capitalised identifier)
     * @param parameters the forward's parameters, e.g. {@code List.of("q: Tensor", "k: Tensor")}
     * @param returns the forward's return type, e.g. {@code Tensor}
     * @param body the forward's statements, one per element
     */
    public static ScriptedOperator define(String className, List<String> parameters, String returns,
            List<String> body) {
        if (!NAME.matcher(className).matches()) {
            throw new IllegalArgumentException("class name must be a capitalised identifier, got " + className);
        }
        StringBuilder s = new StringBuilder("class ").append(className).append("(Module):\n")
                .append("  __parameters__ = []\n  __buffers__ = []\n  training : bool\n")
                .append("  def forward(self: __torch__.").append(className);
        parameters.forEach(p -> s.append(",\n    ").append(p));
        s.append(") -> ").append(returns).append(":\n");
        body.forEach(line -> s.append("    ").append(line).append('\n'));
        return new ScriptedOperator(className, s.toString());
    }

    /** True when the module loaded (tried once per operator, on first use). */
    public boolean available() {
        return holder().block != null;
    }

    /**
     * Runs the operator on {@code inputs}; its outputs join the first input's manager.
     *
     * @param recording true: with autograd as the thread has it (records under an open collector); false: autograd
     *     off for the call
     * @throws IllegalStateException when the module is not {@link #available()}
     */
    public NDList call(NDList inputs, boolean recording) {
        PtSymbolBlock block = holder().block;
        if (block == null) {
            throw new IllegalStateException("the scripted operator " + className + " is not available");
        }
        return block.forward(new ParameterStore(inputs.head().getManager(), false), inputs, recording);
    }

    /** As {@link #call(NDList, boolean)} for an operator with one output. */
    public NDArray apply(boolean recording, NDArray... inputs) {
        return call(new NDList(inputs), recording).singletonOrThrow();
    }

    /** The module's source, as compiled on load. */
    String source() {
        return source;
    }

    private Holder holder() {
        Holder h = holder;
        if (h == null) {
            synchronized (this) {
                h = holder;
                if (h == null) {
                    h = load();
                    holder = h;
                }
            }
        }
        return h;
    }

    private Holder load() {
        // The module lives as long as the process: a manager of its own, never closed.
        PtNDManager manager = (PtNDManager) Engine.getEngine("PyTorch").newBaseManager();
        try {
            return new Holder(JniUtils.loadModule(manager, new ByteArrayInputStream(archive()), false, false));
        } catch (IOException | RuntimeException e) {
            manager.close();
            LOG.warning("the scripted operator " + className + " is unavailable (" + e.getMessage()
                    + "); using the plain implementation");
            return new Holder(null);
        }
    }

    /** The TorchScript archive: {@code a/data.pkl}, {@code a/code/__torch__.py}, constants, format version 3. */
    byte[] archive() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, "a/data.pkl", modulePickle(className));
            stored(zip, "a/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
            stored(zip, "a/constants.pkl", HexFormat.of().parseHex("8002292e")); // an empty tuple
            stored(zip, "a/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * The module object's pickle (protocol 2): {@code GLOBAL '__torch__' className}, an instance made with no
     * arguments, its state {@code {"training": True}}.
     */
    static byte[] modulePickle(String className) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(HexFormat.of().parseHex("800263"));
        b.writeBytes(("__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(HexFormat.of().parseHex("71002981" + "7d28" + "5808000000"));
        b.writeBytes("training".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(HexFormat.of().parseHex("7101" + "88" + "75" + "62" + "7102" + "2e"));
        return b.toByteArray();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] content) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(content.length);
        CRC32 crc = new CRC32();
        crc.update(content);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(content);
        zip.closeEntry();
    }

    private record Holder(PtSymbolBlock block) {
    }
}
