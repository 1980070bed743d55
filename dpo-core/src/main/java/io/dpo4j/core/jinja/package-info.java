/** A small sandboxed Jinja2 interpreter with Python's semantics, for Hugging Face chat templates (trim_blocks, lstrip_blocks, bounded rendering). */
package io.dpo4j.core.jinja;
