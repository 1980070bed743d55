/** LoRA adapters on the Llama-family model: settings, the adapter itself, PEFT-format files and merging. */
package io.dpo4j.core.lora;
