package io.dpo4j.core.model.safetensors;

/**
 * Conversions between float32 and the two 16-bit float formats, done bit by bit in Java. Narrowing
 * rounds to nearest, ties to even (as PyTorch does), keeps infinities and keeps NaN a NaN.
 */
public final class HalfPrecision {

    private HalfPrecision() {
    }

    /** The float32 value of bfloat16 bits (exact: bfloat16 is the upper half of a float32). */
    public static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** The bfloat16 bits nearest to a float32 (ties to even). */
    public static short floatToBfloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040); // keep sign and payload top, force a quiet NaN
        }
        int lsb = (bits >>> 16) & 1;
        int rounded = bits + 0x7FFF + lsb;
        return (short) (rounded >>> 16);
    }

    /** The float32 value of IEEE float16 bits (exact). */
    public static float halfToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            if (mantissa == 0) {
                return Float.intBitsToFloat(sign);
            }
            float magnitude = mantissa * 0x1p-24f; // subnormal: mantissa · 2^-24, exact in float32
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** The IEEE float16 bits nearest to a float32 (ties to even; overflow gives infinity). */
    public static short floatToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xFF;
        int mantissa = bits & 0x7FFFFF;
        if (exponent == 0xFF) {
            if (mantissa == 0) {
                return (short) (sign | 0x7C00);
            }
            return (short) (sign | 0x7E00 | (mantissa >>> 13));
        }
        int e = exponent - 127 + 15;
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign; // below half the smallest subnormal: rounds to zero
            }
            int m = mantissa | 0x800000; // the implicit leading one
            int shift = 14 - e;
            int half = 1 << (shift - 1);
            int rest = m & ((1 << shift) - 1);
            int result = m >>> shift;
            if (rest > half || (rest == half && (result & 1) == 1)) {
                result++;
            }
            return (short) (sign | result);
        }
        int result = (e << 10) | (mantissa >>> 13);
        int rest = mantissa & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (result & 1) == 1)) {
            result++; // may carry into the exponent, up to infinity: that is the correct rounding
        }
        return (short) (sign | result);
    }
}
