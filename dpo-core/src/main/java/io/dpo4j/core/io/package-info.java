/** File helpers every writer shares: atomic writes (write, then rename) and checksums. */
package io.dpo4j.core.io;
