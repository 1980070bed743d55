/** The service-provider interface every preference objective implements, and the value types it sees. */
package io.dpo4j.api;
