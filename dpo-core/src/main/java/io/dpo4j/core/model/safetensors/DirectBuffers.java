package io.dpo4j.core.model.safetensors;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * Frees a direct or memory-mapped buffer now instead of when the garbage collector finds it. Loading a
 * checkpoint maps a window of the file and fills a direct buffer per tensor; the Java heap hardly grows
 * meanwhile, so no collection runs for minutes, and until one does every window (file pages) and every
 * buffer (anonymous memory) stays resident: measured on a 2 GB checkpoint, about 4 GB beside the weights
 * for the whole run. Uses {@code sun.misc.Unsafe.invokeCleaner} (module {@code jdk.unsupported}); where it
 * is not available the buffer is left to the collector, as before.
 */
public final class DirectBuffers {

    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method cleaner = null;
        try {
            Class<?> type = Class.forName("sun.misc.Unsafe");
            Field field = type.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            unsafe = field.get(null);
            cleaner = type.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            unsafe = null;
            cleaner = null;
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = cleaner;
    }

    private DirectBuffers() {
    }

    /**
     * Releases {@code buffer}'s memory (or unmaps it) at once; the buffer and every view of it must not be
     * used afterwards. Heap buffers, slices and duplicates are left alone.
     *
     * @return true when the memory was released
     */
    public static boolean free(ByteBuffer buffer) {
        if (buffer == null || !buffer.isDirect() || INVOKE_CLEANER == null) {
            return false;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, buffer);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false; // a slice or duplicate: its memory belongs to another buffer
        }
    }
}
