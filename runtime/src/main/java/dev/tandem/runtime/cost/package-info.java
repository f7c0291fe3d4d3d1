/** What a decision cost: edge energy, network bytes and cloud requests, priced from configuration. */
package dev.tandem.runtime.cost;
