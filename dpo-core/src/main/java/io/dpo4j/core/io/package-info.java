/** File-system helpers shared by the core: atomic writes of files and folders. */
package io.dpo4j.core.io;
