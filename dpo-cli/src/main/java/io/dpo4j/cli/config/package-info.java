/** Configuration files: YAML with command-line overrides, validated in one place with every error reported at once. */
package io.dpo4j.cli.config;
