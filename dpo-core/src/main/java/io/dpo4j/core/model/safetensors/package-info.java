/** Reading (memory-mapped, any size) and writing of safetensors files, with float32, bfloat16 and float16 tensors. */
package io.dpo4j.core.model.safetensors;
