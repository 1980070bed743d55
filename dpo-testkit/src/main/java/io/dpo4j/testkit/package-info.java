/** The contract kit every preference objective's test extends: built-in objectives and third-party plugins alike. */
package io.dpo4j.testkit;
