/** Two objectives from TRL's family that dpo4j does not ship, packaged as a third-party plugin. */
package org.example.objectives;
