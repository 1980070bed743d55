/** Two published objectives that dpo4j does not ship (DPO-Shift, SimPER), packaged as a third-party plugin. */
package org.example.objectives;
