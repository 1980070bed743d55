/** Discovery of preference objectives (ServiceLoader and plugin jars) into a registry, and its Guice bindings. */
package io.dpo4j.core.registry;
